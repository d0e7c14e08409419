import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defaultConfig } from '../main/core/config/schema.js';
import { Host } from '../main/host/Host.js';

/** The common path of an agent, side by side with the warm session round trip, on one host over HTTP. */
export interface StatelessRun {
  /** run_command with the sessionId of a session from start_session. */
  warmSessionMs: number[];
  /** run_command without a sessionId, one caller calling again and again (its first call excluded). */
  repeatCallerMs: number[];
  /** The first call of a client that has never called (a default session is lent to it). */
  firstCallMs: number[];
  /** run_command without a sessionId, five callers (five clients) calling at once, round after round. */
  fiveCallersMs: number[];
  /** Calls per second the five callers got through. */
  fiveCallersPerSecond: number;
}

async function connect(url: string, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

async function call(client: Client, args: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  const r = (await client.callTool({ name: 'run_command', arguments: { command: '1', ...args } })) as CallToolResult;
  const ms = performance.now() - t0;
  if (r.isError || (r.structuredContent as { output?: string }).output !== '1') throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
  return ms;
}

/**
 * Times `run_command '1'` with a session id and without one (a repeat caller; five callers at once),
 * interleaved in one run so the machine's noise falls on both alike.
 */
export async function measureStateless(warmup: number, runs: number, fiveRounds: number): Promise<StatelessRun> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-stateless-'));
  const started = await Host.start({ config: defaultConfig({ maxSessions: 7 }), dataDir: path.join(work, 'data'), port: 0, cwd: work, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  const host = started.host;
  const clients: Client[] = [];
  try {
    const token = readFileSync(host.info.tokenFile, 'utf8').trim();
    const withSession = await connect(host.info.mcpUrl, token, 'bench-session');
    const repeat = await connect(host.info.mcpUrl, token, 'bench-repeat');
    clients.push(withSession, repeat);
    const s = (await withSession.callTool({ name: 'start_session', arguments: {} })) as CallToolResult;
    const sessionId = (s.structuredContent as { sessionId?: string }).sessionId;
    if (!sessionId) throw new Error(`start_session failed: ${JSON.stringify(s.content)}`);
    const firstCallMs = [await call(repeat, {})];
    for (let i = 0; i < warmup; i++) {
      await call(withSession, { sessionId });
      await call(repeat, {});
    }
    const warmSessionMs: number[] = [];
    const repeatCallerMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      warmSessionMs.push(await call(withSession, { sessionId }));
      repeatCallerMs.push(await call(repeat, {}));
    }
    await withSession.close();
    await repeat.close();
    clients.length = 0;
    // Five clients, each calling without a session id, all at once, round after round.
    const five = await Promise.all(Array.from({ length: 5 }, (_, i) => connect(host.info.mcpUrl, token, `bench-five-${i}`)));
    clients.push(...five);
    for (const c of five) firstCallMs.push(await call(c, {}));
    const fiveCallersMs: number[] = [];
    const t0 = performance.now();
    for (let round = 0; round < fiveRounds; round++) fiveCallersMs.push(...(await Promise.all(five.map((c) => call(c, {})))));
    const fiveCallersPerSecond = fiveCallersMs.length / ((performance.now() - t0) / 1000);
    return { warmSessionMs, repeatCallerMs, firstCallMs, fiveCallersMs, fiveCallersPerSecond };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await host.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

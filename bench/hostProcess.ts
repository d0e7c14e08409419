import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { HostSupervisor } from '../main/host/process/HostSupervisor.js';
import { forkNodeHostChild } from '../main/host/process/nodeHostChild.js';

/** What the tray app's link to its host process costs. */
export interface HostProcessBench {
  /** Supervisor start to host ready (one start). */
  readyMs: number;
  /** A dashboard snapshot asked over the host process's port (the tray app's path). */
  portSnapshotMs: number[];
  /** The same snapshot over HTTP /api/snapshot with the token (the browser dashboard's path), same host. */
  httpSnapshotMs: number[];
  /** From a command.finished event's time stamp in the host process to its arrival at the supervisor (batched). */
  eventLatencyMs: number[];
}

/**
 * Starts the real host process under its supervisor (forked, as in the tests; the app uses a
 * utilityProcess), then times snapshot calls over the port next to HTTP against the same host, and
 * how late the host's events reach the app while an MCP client runs commands.
 */
export async function measureHostProcess(warmup: number, runs: number, commands: number): Promise<HostProcessBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-hostproc-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  const supervisor = new HostSupervisor({
    spawn: () => forkNodeHostChild(),
    start: { configFile: path.join(dir, 'config.json'), dataDir: path.join(dir, 'data'), port: 0 },
    log: () => undefined,
  });
  const latencies: number[] = [];
  supervisor.onUpdate((u) => {
    const now = Date.now();
    for (const e of u.events) if (e.type === 'command.finished') latencies.push(now - e.time);
  });
  try {
    const t0 = performance.now();
    const ready = new Promise<void>((resolve, reject) =>
      supervisor.onStateChange((s) => {
        if (s.status === 'running') resolve();
        if (s.status === 'failed') reject(new Error(s.reason));
      }),
    );
    supervisor.start();
    await ready;
    const readyMs = performance.now() - t0;
    const state = supervisor.state;
    if (state.status !== 'running') throw new Error(`host is ${state.status}`);
    const token = readFileSync(state.info.tokenFile, 'utf8').trim();
    const apiUrl = state.info.mcpUrl.replace(/\/mcp$/, '/api/snapshot');

    const timeIt = async (fn: () => Promise<void>): Promise<number[]> => {
      for (let i = 0; i < warmup; i++) await fn();
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await fn();
        out.push(performance.now() - s);
      }
      return out;
    };
    const portSnapshotMs = await timeIt(async () => {
      const r = await supervisor.call('snapshot');
      if (!r.ok) throw new Error(r.reason);
    });
    const httpSnapshotMs = await timeIt(async () => {
      const r = await fetch(apiUrl, { headers: { authorization: `Bearer ${token}` } });
      if (!r.ok) throw new Error(`/api/snapshot: ${r.status}`);
      await r.json();
    });

    const client = new Client({ name: 'poshpool-bench-events', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(state.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    for (let i = 0; i < commands; i++) {
      const r = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } })) as CallToolResult;
      if (r.isError) throw new Error(JSON.stringify(r.content));
    }
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    await client.close();
    // The last batch leaves the host within its batch interval.
    for (let i = 0; i < 40 && latencies.length < commands; i++) await new Promise((r) => setTimeout(r, 25));
    return { readyMs, portSnapshotMs, httpSnapshotMs, eventLatencyMs: latencies };
  } finally {
    await supervisor.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { processExists, requirePwsh, waitFor } from '../../../test/pwsh.js';
import { readHostInfo } from '../hostInfo.js';
import { HostSupervisor, type HostState } from './HostSupervisor.js';
import { forkNodeHostChild } from './nodeHostChild.js';

// The tray app's host process for real: the compiled entry (dist/, built by `npm test` first) forked
// as a child process, supervised, with real pwsh sessions behind it and a real MCP client in front.
// The Electron app runs the same entry as a utilityProcess.

const entry = path.resolve(import.meta.dirname, '../../../dist/main/host/process/hostProcess.js');

let dir: string;
let dataDir: string;
let supervisor: HostSupervisor;
const events: PoshpoolEvent[] = [];
const states: HostState['status'][] = [];
const logs: string[] = [];

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

async function mcpClient(): Promise<Client> {
  const state = supervisor.state;
  if (state.status !== 'running') throw new Error(`host is ${state.status}`);
  const token = readFileSync(state.info.tokenFile, 'utf8').trim();
  const client = new Client({ name: 'host-process-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(state.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

async function running(ms = 30_000): Promise<Extract<HostState, { status: 'running' }>> {
  if (!(await waitFor(() => supervisor.state.status === 'running', ms))) throw new Error(`host did not come up: ${JSON.stringify(supervisor.state)}\n${logs.join('\n')}`);
  return supervisor.state as Extract<HostState, { status: 'running' }>;
}

beforeAll(() => {
  requirePwsh();
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does).`);
  dir = mkdtempSync(path.join(tmpdir(), 'pp-hostproc-'));
  dataDir = path.join(dir, 'data');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  supervisor = new HostSupervisor({
    spawn: () => forkNodeHostChild({ entry, onOutput: (t) => logs.push(t) }),
    start: { configFile: path.join(dir, 'config.json'), dataDir, port: 0 },
    log: (line) => logs.push(line),
    timings: { backoffInitialMs: 100 },
  });
  supervisor.onUpdate((u) => events.push(...u.events));
  supervisor.onStateChange((s) => states.push(s.status));
  supervisor.start();
});

afterAll(async () => {
  await supervisor?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('host process under its supervisor', () => {
  it('starts, publishes host.json with its own pid, and relays event batches with summaries', async () => {
    const state = await running();
    expect(state.pid).toBeGreaterThan(0);
    expect(state.pid).not.toBe(process.pid);
    const info = readHostInfo(dataDir);
    expect(info.ok && info.info.pid).toBe(state.pid);
    expect(supervisor.summary?.metrics.maxSessions).toBe(2);

    const client = await mcpClient();
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    expect(structured(await client.callTool({ name: 'run_command', arguments: { sessionId, command: "'via the host process'" } }))).toMatchObject({ output: 'via the host process' });
    expect(await waitFor(() => events.some((e) => e.type === 'command.finished' && e.sessionId === sessionId), 5000)).toBe(true);
    expect(await waitFor(() => supervisor.summary?.sessions.some((s) => s.sessionId === sessionId) === true, 5000)).toBe(true);

    const snap = await supervisor.call('snapshot');
    expect(snap.ok && snap.snapshot.sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    // Terminating from the tray ends the client's session.
    expect(await supervisor.call('terminateSession', sessionId)).toEqual({ ok: true });
    expect(await waitFor(() => events.some((e) => e.type === 'session.ended' && e.sessionId === sessionId), 10_000)).toBe(true);
    expect(await supervisor.call('terminateSession', sessionId)).toMatchObject({ ok: false, reason: expect.stringContaining('ended or never existed') });
    await client.close();
  });

  it('pauses new sessions: a request waits with a note, and is served on resume', async () => {
    await running();
    expect(await supervisor.call('setPaused', true, 'tray')).toEqual({ ok: true, changed: true });
    expect(await waitFor(() => supervisor.summary?.metrics.paused === true, 5000)).toBe(true);
    const client = await mcpClient();
    const queued = structured<{ status: string; requestId: string; note?: string }>(await client.callTool({ name: 'start_session', arguments: { waitSeconds: 0 } }));
    expect(queued).toMatchObject({ status: 'queued', note: expect.stringContaining('paused') });
    expect(await supervisor.call('setPaused', false, 'tray')).toEqual({ ok: true, changed: true });
    expect(await waitFor(() => events.some((e) => e.type === 'request.allocated' && e.requestId === queued.requestId), 20_000)).toBe(true);
    await client.close();
  });

  it('answers an unknown operation and bad arguments with a reason, not a crash', async () => {
    await running();
    const bogus = supervisor.call as unknown as (op: string, ...args: unknown[]) => Promise<unknown>;
    expect(await bogus.call(supervisor, 'rm -rf')).toMatchObject({ ok: false, reason: expect.stringContaining('Unknown host operation') });
    expect(await supervisor.call('jobPage', 'no-such-job', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('No job') });
    expect(supervisor.state.status).toBe('running');
  });

  it('restarts a host process that was killed, and its pwsh sessions do not outlive it', async () => {
    const before = await running();
    const client = await mcpClient();
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const pwshPid = Number(structured<{ output: string }>(await client.callTool({ name: 'run_command', arguments: { sessionId, command: '$PID' } })).output);
    expect(processExists(pwshPid)).toBe(true);
    const pending = supervisor.call('backups', '/nowhere');
    process.kill(before.pid!, 'SIGKILL');
    // A call in flight is answered, not dropped.
    expect(await pending).toMatchObject({ ok: false });
    expect(await waitFor(() => supervisor.state.status === 'restarting', 5000)).toBe(true);
    const after = await running();
    expect(after.pid).not.toBe(before.pid);
    expect(states).toContain('restarting');
    const info = readHostInfo(dataDir);
    expect(info.ok && info.info.pid).toBe(after.pid);
    // The pty closes with its owner; pwsh must not linger as an orphan.
    expect(await waitFor(() => !processExists(pwshPid), 15_000)).toBe(true);
    await client.close().catch(() => undefined);
  });

  it('reports a config it cannot start with as failed (no restart loop), and starts once it is fixed', async () => {
    const bad = new HostSupervisor({
      spawn: () => forkNodeHostChild({ entry }),
      start: { configFile: path.join(dir, 'bad.json'), dataDir: path.join(dir, 'data2'), port: 0 },
      log: () => undefined,
    });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ maxSessions: 'lots' }));
    const seen: HostState[] = [];
    bad.onStateChange((s) => seen.push(s));
    bad.start();
    expect(await waitFor(() => bad.state.status === 'failed', 15_000)).toBe(true);
    const failed = bad.state as Extract<HostState, { status: 'failed' }>;
    expect(failed.reason).toContain('maxSessions');
    expect(await bad.call('snapshot')).toMatchObject({ ok: false, reason: expect.stringContaining('could not start') });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ maxSessions: 1, warmSessions: 0 }));
    bad.start();
    expect(await waitFor(() => bad.state.status === 'running', 30_000)).toBe(true);
    expect(seen.map((s) => s.status)).toEqual(['starting', 'failed', 'starting', 'running']);
    await bad.dispose();
    expect(bad.state.status).toBe('stopped');
    expect(readHostInfo(path.join(dir, 'data2')).ok).toBe(false);
  });

  it('reports a data dir it cannot create as a failed start, not a crash loop', async () => {
    writeFileSync(path.join(dir, 'a-file'), 'not a directory');
    const blocked = new HostSupervisor({
      spawn: () => forkNodeHostChild({ entry }),
      start: { configFile: path.join(dir, 'config.json'), dataDir: path.join(dir, 'a-file', 'data'), port: 0 },
      log: () => undefined,
    });
    const seen: string[] = [];
    blocked.onStateChange((s) => seen.push(s.status));
    blocked.start();
    expect(await waitFor(() => blocked.state.status === 'failed', 15_000)).toBe(true);
    expect((blocked.state as Extract<HostState, { status: 'failed' }>).reason).toMatch(/a-file/);
    expect(seen).toEqual(['starting', 'failed']);
    await blocked.dispose();
  });
});


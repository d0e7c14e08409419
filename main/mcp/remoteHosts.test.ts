import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../common/events.js';
import type { HostSummary } from '../../common/scheduler.js';
import { requirePwsh, waitFor } from '../../test/pwsh.js';
import { closedPort, SshdFixture } from '../../test/sshd.js';
import { hasPosixSshd } from '../../test/platformGates.js';
import { configSchema } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';

// Remote hosts through the MCP tools, over a real OpenSSH server on 127.0.0.1 (test/sshd.ts) and a
// real SDK client: routing by host and by label, each host's own pool and queue, a lost connection
// answered and the pool restored, an unreachable host degraded in plain words without holding up
// local sessions.

let dir: string;
let sshd: SshdFixture;
let core: Core;
let client: Client;
let dispose: () => Promise<void>;
const events: PoshpoolEvent[] = [];

beforeAll(async () => {
  if (!hasPosixSshd) return;
  requirePwsh();
  sshd = await SshdFixture.start();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-remote-hosts-'));
  const config = configSchema.parse({
    warmSessions: 1,
    maxSessions: 2,
    localLabels: ['laptop'],
    hosts: [
      sshd.host({ name: 'buildbox', labels: ['build', 'linux'], warmSessions: 1, maxSessions: 1 }),
      sshd.host({ name: 'winvm', labels: ['windows'], knownHostsFile: sshd.wrongKnownHosts, warmSessions: 0, maxSessions: 1 }),
      sshd.host({ name: 'offline', labels: ['gpu'], port: await closedPort(), warmSessions: 0, maxSessions: 1 }),
    ],
  });
  const made = createCore({ config, dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  core.bus.onEvent((e) => events.push(e));
  const server = createMcpServer({ core, clientId: 'agent', settings: { maxWaitSeconds: 20 } });
  dispose = server.dispose;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.server.connect(serverSide);
  client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await dispose?.();
  await core?.dispose();
  await sshd?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function structured<T>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

function failure(r: unknown): string {
  const result = r as CallToolResult;
  expect(result.isError).toBe(true);
  return (result.content as { text: string }[]).map((c) => c.text).join('\n');
}

function host(name: string): HostSummary {
  const found = core.metrics().hosts?.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in the metrics`);
  return found;
}

type Run = { host: string; output: string; exitCode: number; success: boolean; sessionId: string; errors: { message: string }[] };

describe.runIf(hasPosixSshd)('remote hosts through the MCP tools (POSIX-only: the throwaway sshd is the system OpenSSH server)', () => {
  it('runs on the host a call names, in a default session of its own there, and local stays the default', async () => {
    const remote = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '$global:where = "remote"; $PID', host: 'buildbox' } }));
    expect(remote.host).toBe('buildbox');
    const local = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '"local:$global:where"' } }));
    expect(local.host).toBe('local');
    expect(local.output.trim()).toBe('local:');
    const again = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '"again:$global:where"', host: 'BuildBox' } }));
    expect(again.host).toBe('buildbox');
    expect(again.sessionId).toBe(remote.sessionId);
    expect(again.output.trim()).toBe('again:remote');
    const sessions = structured<{ sessions: { sessionId: string; host: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions;
    expect(sessions.find((s) => s.sessionId === remote.sessionId)?.host).toBe('buildbox');
    expect(sessions.find((s) => s.sessionId === local.sessionId)?.host).toBe('local');
    // The audit log says where each command ran.
    const auditFile = path.join(dir, 'data', 'logs', 'audit.jsonl');
    const lines = (): { session: string; host?: string; command: string }[] =>
      existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { session: string; host?: string; command: string }) : [];
    expect(await waitFor(() => lines().some((l) => l.session === again.sessionId && l.host === 'buildbox'), 5_000)).toBe(true);
    expect(lines().find((l) => l.session === local.sessionId)?.host).toBeUndefined();
  }, 60_000);

  it('routes a request by label to the host that carries it', async () => {
    const byLabel = structured<{ sessionId: string; host: string }>(await client.callTool({ name: 'start_session', arguments: { labels: ['build'] } }));
    expect(byLabel.host).toBe('buildbox');
    const r = structured<Run>(await client.callTool({ name: 'run_command', arguments: { sessionId: byLabel.sessionId, command: 'exit 5' } }));
    expect(r.exitCode).toBe(5);
    expect(r.host).toBe('buildbox');
    const local = structured<{ host: string; sessionId: string }>(await client.callTool({ name: 'start_session', arguments: { labels: ['laptop'] } }));
    expect(local.host).toBe('local');
    const none = failure(await client.callTool({ name: 'start_session', arguments: { labels: ['arm64'] } }));
    expect(none).toMatch(/No host carries the label arm64\. Hosts and their labels: local \[laptop\]; buildbox \[build, linux\]/);
    const unknown = failure(await client.callTool({ name: 'run_command', arguments: { command: '1', host: 'nope' } }));
    expect(unknown).toMatch(/No host is named "nope"\. Hosts: local, buildbox, winvm, offline/);
    await client.callTool({ name: 'end_session', arguments: { sessionId: byLabel.sessionId } });
    await client.callTool({ name: 'end_session', arguments: { sessionId: local.sessionId } });
  }, 60_000);

  it('queues on the host asked for, and queue_position says which host', async () => {
    // buildbox lends one session at a time: free it of this client's sessions first.
    const mine = structured<{ sessions: { sessionId: string; host: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions;
    for (const s of mine.filter((s) => s.host === 'buildbox')) await client.callTool({ name: 'end_session', arguments: { sessionId: s.sessionId } });
    const held = structured<{ status: string; sessionId: string }>(await client.callTool({ name: 'start_session', arguments: { host: 'buildbox' } }));
    expect(held.status).toBe('allocated');
    const queued = structured<{ status: string; requestId: string; host: string; position: number }>(await client.callTool({ name: 'start_session', arguments: { host: 'buildbox', priority: 'async' } }));
    expect(queued).toMatchObject({ status: 'queued', host: 'buildbox', position: 1 });
    const pos = structured<{ status: string; host: string; position: number }>(await client.callTool({ name: 'queue_position', arguments: { requestId: queued.requestId } }));
    expect(pos).toMatchObject({ status: 'queued', host: 'buildbox', position: 1 });
    expect(host('buildbox').queueDepth).toBe(1);
    expect(host('local').queueDepth).toBe(0);
    const listed = structured<{ queued: { requestId: string; host: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).queued;
    expect(listed.find((q) => q.requestId === queued.requestId)?.host).toBe('buildbox');
    // Local requests do not wait behind a busy remote host.
    const local = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '"fine"', fresh: true } }));
    expect(local.output.trim()).toBe('fine');
    await client.callTool({ name: 'end_session', arguments: { sessionId: held.sessionId } });
    let allocated: { status: string; host: string; sessionId?: string } = { status: 'queued', host: '' };
    for (let i = 0; i < 300 && allocated.status !== 'allocated'; i++) {
      allocated = structured(await client.callTool({ name: 'queue_position', arguments: { requestId: queued.requestId } }));
      if (allocated.status !== 'allocated') await new Promise((r) => setTimeout(r, 100));
    }
    expect(allocated.status).toBe('allocated');
    expect(allocated.host).toBe('buildbox');
    await client.callTool({ name: 'end_session', arguments: { sessionId: allocated.sessionId } });
  }, 60_000);

  it('refuses a host whose key does not match known_hosts, says so in plain words, and local goes on', async () => {
    const refused = failure(await client.callTool({ name: 'run_command', arguments: { command: '1', host: 'winvm' } }));
    expect(refused).toMatch(/host key of .* is not the one recorded in known_hosts/);
    expect(host('winvm').state).toBe('degraded');
    expect(host('winvm').degradedReason).toMatch(/host key/);
    const local = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '"local still works"' } }));
    expect(local.output.trim()).toBe('local still works');
  }, 60_000);

  it('says a host that refuses connections is degraded, with the reason and the host in the event', async () => {
    const refused = failure(await client.callTool({ name: 'start_session', arguments: { labels: ['gpu'] } }));
    expect(refused).toMatch(/refused the connection/);
    expect(events.some((e) => e.type === 'pool.degraded' && e.host === 'offline')).toBe(true);
    expect(host('offline')).toMatchObject({ kind: 'ssh', state: 'degraded', labels: ['gpu'] });
    expect(host('local').state).toBe('healthy');
  }, 60_000);

  it('answers a command cut by a lost connection with a clear error, and the host lends sessions again', async () => {
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: { host: 'buildbox' } }));
    const running = client.callTool({ name: 'run_command', arguments: { sessionId, command: "'started'; Start-Sleep -Seconds 60" } });
    expect(await waitFor(() => core.manager.listSessions('agent').some((s) => s.sessionId === sessionId && s.currentCommand !== null), 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(sshd.killConnections()).toBeGreaterThan(0);
    const cut = (await running) as CallToolResult;
    const text = JSON.stringify(cut.structuredContent ?? cut.content);
    expect(text).toMatch(/connection to .*127\.0\.0\.1.* was lost/);
    expect(text).toMatch(/"sessionAlive":false/);
    // The pool starts new sessions there again (the warm one is replaced).
    expect(await waitFor(() => host('buildbox').state === 'healthy' && host('buildbox').activeSessions === 0, 30_000)).toBe(true);
    const after = structured<Run>(await client.callTool({ name: 'run_command', arguments: { command: '"back"', host: 'buildbox', fresh: true } }));
    expect(after.output.trim()).toBe('back');
  }, 90_000);
});

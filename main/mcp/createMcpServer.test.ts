import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeExit, requirePwsh, sleep } from '../../test/pwsh.js';
import { defaultConfig, type PoshpoolConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';
import type { McpSettings } from './tools/shared.js';

// The MCP server with the SDK's own Client (in-memory transport) against real pwsh. The HTTP and
// stdio transports are proven in main/host.

let dir: string;
let core: Core;
const disposers: (() => Promise<void>)[] = [];

function makeCore(overrides: Partial<PoshpoolConfig> = {}): Core {
  requirePwsh();
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 2, ...overrides }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  return made.core;
}

async function connect(clientId: string, settings: Partial<McpSettings> = {}): Promise<{ client: Client; logs: unknown[] }> {
  const { server, dispose } = createMcpServer({ core, clientId, settings });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: `test-${clientId}`, version: '1.0.0' });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  await client.connect(clientSide);
  disposers.push(async () => {
    await client.close();
    await dispose();
  });
  return { client, logs };
}

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

function errorText(r: unknown): string {
  const result = r as CallToolResult;
  expect(result.isError).toBe(true);
  return (result.content[0] as { text: string }).text;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-mcp-'));
});
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
  await core?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('MCP server', () => {
  it('remembers the name and version a client gives when it initializes, and says so on the bus', async () => {
    core = makeCore();
    const seen: unknown[] = [];
    core.bus.onEvent((e) => e.type === 'client.connected' && seen.push(e));
    await connect('named');
    expect(core.clients.get('named')).toMatchObject({ clientId: 'named', name: 'test-named', version: '1.0.0' });
    expect(seen).toEqual([expect.objectContaining({ type: 'client.connected', clientId: 'named', name: 'test-named', version: '1.0.0' })]);
  });

  it('lists every tool with a description and an input schema', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        'backup_now',
        'cancel_command',
        'cancel_job',
        'cancel_request',
        'change_priority',
        'diff_backup',
        'end_session',
        'get_job',
        'get_metrics',
        'list_backups',
        'list_sessions',
        'queue_position',
        'restore_backup',
        'run_background',
        'run_command',
        'send_input',
        'start_session',
      ].sort(),
    );
    for (const t of tools) {
      expect(t.description?.length ?? 0).toBeGreaterThan(40);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      for (const [field, schema] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, { description?: string }>)) {
        expect(schema.description, `${t.name}.${field}`).toBeTruthy();
      }
    }
  });

  it('starts a session, runs commands with exit codes, errors and unicode, and ends it', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const started = structured<{ status: string; sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    expect(started.status).toBe('allocated');
    const run = (command: string) => client.callTool({ name: 'run_command', arguments: { sessionId: started.sessionId, command } });
    expect(structured(await run("$v = '日本語 😀'; $v"))).toMatchObject({ output: '日本語 😀', exitCode: 0, success: true, status: 'completed' });
    expect(structured(await run(nativeExit(7)))).toMatchObject({ exitCode: 7, success: false });
    const failed = structured<{ errors: { fullyQualifiedErrorId: string }[] }>(await run('Get-Item /nope'));
    expect(failed.errors[0]!.fullyQualifiedErrorId).toBe('PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand');
    // The text content is the same JSON, for clients that read only text.
    const both = (await run('$v')) as CallToolResult;
    expect(JSON.parse((both.content[0] as { text: string }).text)).toEqual(both.structuredContent);
    const listed = structured<{ sessions: { sessionId: string; commandCount: number }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} }));
    expect(listed.sessions).toMatchObject([{ sessionId: started.sessionId, commandCount: 4 }]);
    expect(structured(await client.callTool({ name: 'end_session', arguments: { sessionId: started.sessionId } }))).toEqual({ sessionId: started.sessionId, ended: true });
    expect(errorText(await run('1'))).toMatch(/No session .* belongs to this client/);
  });

  it('runs a call without sessionId in the client\'s default session, kept for its next calls; fresh runs in a one-call session', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const first = structured<{ output: string; sessionId: string; sessionKind: string; newSession: boolean }>(
      await client.callTool({ name: 'run_command', arguments: { command: "$kept = 'kept'; 'first'" } }),
    );
    expect(first).toMatchObject({ output: 'first', sessionKind: 'default', newSession: true });
    const second = structured<{ output: string; sessionId: string; sessionKind: string; newSession: boolean }>(await client.callTool({ name: 'run_command', arguments: { command: '$kept' } }));
    expect(second).toMatchObject({ output: 'kept', sessionKind: 'default', newSession: false, sessionId: first.sessionId });
    const listed = structured<{ sessions: { sessionId: string; kind: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions;
    expect(listed.map((x) => [x.sessionId, x.kind])).toEqual([[first.sessionId, 'default']]);
    const fresh = structured<{ output: string; sessionId: string; sessionKind: string; newSession: boolean }>(
      await client.callTool({ name: 'run_command', arguments: { command: '[bool](Get-Variable kept -ErrorAction Ignore)', fresh: true } }),
    );
    expect(fresh).toMatchObject({ output: 'False', sessionKind: 'call', newSession: true });
    expect(fresh.sessionId).not.toBe(first.sessionId);
    // The one-call session was returned after its call.
    const after = structured<{ sessions: { sessionId: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions;
    expect(after.map((x) => x.sessionId)).toEqual([first.sessionId]);
  });

  it('runs a background job, notifies when it finishes, and reads it with get_job', async () => {
    core = makeCore();
    const { client, logs } = await connect('a');
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const { jobId } = structured<{ jobId: string }>(
      await client.callTool({ name: 'run_background', arguments: { sessionId, command: "'a'; Start-Sleep -Milliseconds 500; 'b'" } }),
    );
    const running = structured<{ status: string }>(await client.callTool({ name: 'get_job', arguments: { jobId } }));
    expect(running.status).toBe('running');
    for (let i = 0; i < 100 && !logs.some((l) => (l as { type: string }).type === 'job.finished'); i++) await sleep(50);
    expect(logs).toContainEqual(expect.objectContaining({ type: 'job.finished', jobId, status: 'succeeded' }));
    const done = structured<{ status: string; result: { output: string } }>(await client.callTool({ name: 'get_job', arguments: { jobId, page: 0 } }));
    expect(done).toMatchObject({ status: 'succeeded', result: { output: 'a\nb' }, pageText: 'a\nb', pages: 1 });
  });

  it('turns a run_command that outlives returnAfterSeconds into a job', async () => {
    core = makeCore();
    const { client } = await connect('a', { returnAfterSeconds: 0.5 });
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const r = structured<{ status: string; jobId: string; outputSoFar: string }>(
      await client.callTool({ name: 'run_command', arguments: { sessionId, command: "'early'; Start-Sleep -Milliseconds 1500; 'late'" } }),
    );
    expect(r).toMatchObject({ status: 'running', outputSoFar: 'early' });
    let job: { status: string; result?: { output: string } } = { status: 'running' };
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await sleep(50);
      job = structured(await client.callTool({ name: 'get_job', arguments: { jobId: r.jobId } }));
    }
    expect(job).toMatchObject({ status: 'succeeded', result: { output: 'early\nlate' } });
  });

  it('queues a second client on one slot with progress, allocates it when the first ends; change_priority and cancel_request work', async () => {
    core = makeCore({ warmSessions: 1, maxSessions: 1 });
    const a = await connect('a');
    const b = await connect('b');
    const c = await connect('c');
    const first = structured<{ sessionId: string }>(await a.client.callTool({ name: 'start_session', arguments: {} }));
    // c queues async (no wait), then b waits sync with progress notifications.
    const cq = structured<{ status: string; requestId: string; position: number }>(await c.client.callTool({ name: 'start_session', arguments: { priority: 'async' } }));
    expect(cq).toMatchObject({ status: 'queued', position: 1 });
    const progress: string[] = [];
    const waiting = b.client.callTool({ name: 'start_session', arguments: { waitSeconds: 30 } }, undefined, {
      onprogress: (p) => void progress.push(p.message ?? ''),
      resetTimeoutOnProgress: true,
    });
    for (let i = 0; i < 100 && progress.length === 0; i++) await sleep(20);
    expect(progress[0]).toMatch(/^queued: position 1, estimated wait [\d.]+ s$/);
    // b (sync) went ahead of c (async); c moves up to sync and stands behind b, by arrival.
    expect(structured(await c.client.callTool({ name: 'queue_position', arguments: { requestId: cq.requestId } }))).toMatchObject({ position: 2 });
    expect(structured(await c.client.callTool({ name: 'change_priority', arguments: { requestId: cq.requestId, priority: 'sync' } }))).toMatchObject({ position: 1 });
    expect(structured(await c.client.callTool({ name: 'change_priority', arguments: { requestId: cq.requestId, priority: 'async' } }))).toMatchObject({ position: 2 });
    // Another client cannot touch c's request.
    expect(errorText(await a.client.callTool({ name: 'cancel_request', arguments: { requestId: cq.requestId } }))).toMatch(/No request/);
    expect(structured(await c.client.callTool({ name: 'cancel_request', arguments: { requestId: cq.requestId } }))).toEqual({ requestId: cq.requestId, was: 'queued' });
    await a.client.callTool({ name: 'end_session', arguments: { sessionId: first.sessionId } });
    const got = structured<{ status: string; sessionId: string }>(await waiting);
    expect(got.status).toBe('allocated');
    expect(got.sessionId).not.toBe(first.sessionId);
    expect(b.logs).toContainEqual(expect.objectContaining({ type: 'request.allocated', clientId: 'b' }));
    expect(a.logs.some((l) => (l as { clientId: string }).clientId !== 'a')).toBe(false);
  });

  it('sends progress with the output so far while a command runs', async () => {
    core = makeCore();
    const { client } = await connect('a', { progressIntervalMs: 100 });
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const messages: string[] = [];
    const r = await client.callTool(
      { name: 'run_command', arguments: { sessionId, command: "1..5 | ForEach-Object { \"tick $_\"; Start-Sleep -Milliseconds 200 }" } },
      undefined,
      { onprogress: (p) => void messages.push(p.message ?? '') },
    );
    expect(structured(r)).toMatchObject({ output: 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5' });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((m) => /^running: \d+ bytes of output so far$/.test(m))).toBe(true);
    const bytes = messages.map((m) => Number(/(\d+) bytes/.exec(m)![1]));
    expect(bytes).toEqual([...bytes].sort((x, y) => x - y));
    expect(bytes[bytes.length - 1]).toBeGreaterThan(0);
  });

  it('cancelling a tool call stops the command and the session stays usable', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    await client.callTool({ name: 'run_command', arguments: { sessionId, command: '$kept = 1' } });
    const controller = new AbortController();
    const call = client.callTool({ name: 'run_command', arguments: { sessionId, command: 'Start-Sleep 60' } }, undefined, { signal: controller.signal });
    await sleep(500);
    controller.abort();
    await expect(call).rejects.toThrow();
    let state = 'running';
    for (let i = 0; i < 100 && state !== 'idle'; i++) {
      await sleep(50);
      state = structured<{ sessions: { state: string }[] }>(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions[0]!.state;
    }
    expect(state).toBe('idle');
    expect(structured(await client.callTool({ name: 'run_command', arguments: { sessionId, command: '$kept + 1' } }))).toMatchObject({ output: '2' });
  });

  it('one client cannot end or use another client’s session', async () => {
    core = makeCore();
    const a = await connect('a');
    const b = await connect('b');
    const { sessionId } = structured<{ sessionId: string }>(await a.client.callTool({ name: 'start_session', arguments: {} }));
    expect(errorText(await b.client.callTool({ name: 'end_session', arguments: { sessionId } }))).toMatch(/belongs to this client/);
    expect(errorText(await b.client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } }))).toMatch(/belongs to this client/);
    expect(structured<{ sessions: unknown[] }>(await b.client.callTool({ name: 'list_sessions', arguments: {} })).sessions).toEqual([]);
    expect(structured(await a.client.callTool({ name: 'run_command', arguments: { sessionId, command: "'mine'" } }))).toMatchObject({ output: 'mine' });
  });

  it('rejects bad arguments with a protocol error naming the field', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const r = (await client.callTool({ name: 'run_command', arguments: { command: 42 } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect((r.content[0] as { text: string }).text).toMatch(/command/);
  });

  it('reads the sessions and metrics resources and a job resource', async () => {
    core = makeCore();
    const { client } = await connect('a');
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const sessions = await client.readResource({ uri: 'poshpool://sessions' });
    expect(JSON.parse((sessions.contents[0] as { text: string }).text).sessions[0].sessionId).toBe(sessionId);
    const metrics = await client.readResource({ uri: 'poshpool://metrics' });
    expect(JSON.parse((metrics.contents[0] as { text: string }).text)).toMatchObject({ activeSessions: 1, maxSessions: 2 });
    const { jobId } = structured<{ jobId: string }>(await client.callTool({ name: 'run_background', arguments: { sessionId, command: '1' } }));
    const listed = await client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(`poshpool://jobs/${jobId}`);
    const job = await client.readResource({ uri: `poshpool://jobs/${jobId}` });
    expect(JSON.parse((job.contents[0] as { text: string }).text).jobId).toBe(jobId);
  });
});

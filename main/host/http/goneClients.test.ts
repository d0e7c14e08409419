import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../../test/httpClient.js';
import { processExists, requirePwsh, sleep, waitFor } from '../../../test/pwsh.js';
import { defaultConfig } from '../../core/config/schema.js';
import { Host } from '../Host.js';

// HTTP has no disconnect: the SDK client's close() aborts its event stream and sends no DELETE. A
// client that leaves that way must not keep its sessions, its running command or its queued requests
// (before the sweeper, five such clients filled the pool for good). Real host, real pwsh, real SDK clients.

let dir: string;
let host: Host;
let token: string;
let port: number;

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-gone-'));
  const config = defaultConfig({ warmSessions: 1, maxSessions: 1, httpStreamGoneSeconds: 1, httpSessionIdleSeconds: 3 });
  const started = await Host.start({ config, dataDir: path.join(dir, 'data'), port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
  port = Number(new URL(host.info.mcpUrl).port);
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function sdkClient(name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

function structured<T>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Initializes an MCP session with plain POSTs and never opens the event stream. */
async function rawSession(): Promise<string> {
  const r = await send({
    port,
    path: '/mcp',
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  expect(r.status).toBe(200);
  return String(r.headers['mcp-session-id']);
}

function post(sessionId: string, message: object): ReturnType<typeof send> {
  return send({
    port,
    path: '/mcp',
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
    body: JSON.stringify(message),
  });
}

describe('HTTP clients that leave without DELETE', () => {
  it("end their running command, their sessions and their queued requests once their event stream has been gone httpStreamGoneSeconds", async () => {
    const holder = await sdkClient('holder');
    const started = structured<{ sessionId: string }>(await holder.callTool({ name: 'start_session', arguments: {} }));
    const pid = Number(structured<{ output: string }>(await holder.callTool({ name: 'run_command', arguments: { sessionId: started.sessionId, command: '$PID' } })).output.trim());
    // A command that would run for 5 minutes, and a second client waiting for the only slot.
    const running = holder.callTool({ name: 'run_command', arguments: { sessionId: started.sessionId, command: 'Start-Sleep -Seconds 300' } }).catch((e: unknown) => e);
    const waiter = await sdkClient('waiter');
    const waiting = waiter.callTool({ name: 'start_session', arguments: { waitSeconds: 120 } }).catch((e: unknown) => e);
    expect(await waitFor(() => host.core.manager.listQueue().length === 1, 10_000)).toBe(true);
    await holder.close();
    await waiter.close();
    await Promise.all([running, waiting]);

    // Gone 1 s after their streams closed; the sweeper runs every 0.25 s.
    expect(await waitFor(() => host.core.manager.listSessions().length === 0 && host.core.manager.listQueue().length === 0, 10_000)).toBe(true);
    expect(await waitFor(() => !processExists(pid), 10_000)).toBe(true);

    // The slot is free for the next client at once.
    const next = await sdkClient('next');
    const again = structured<{ sessionId: string }>(await next.callTool({ name: 'start_session', arguments: {} }));
    expect(again.sessionId).toBeTruthy();
    await next.callTool({ name: 'end_session', arguments: { sessionId: again.sessionId } });
    await next.close();
  }, 60_000);

  it('a client that never kept an event stream open is ended after httpSessionIdleSeconds of silence, and then gets 404', async () => {
    const id = await rawSession();
    await post(id, { jsonrpc: '2.0', method: 'notifications/initialized' });
    const started = await post(id, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'start_session', arguments: {} } });
    expect(started.status).toBe(200);
    expect(host.core.manager.listSessions(id)).toHaveLength(1);
    expect(await waitFor(() => host.core.manager.listSessions(id).length === 0, 15_000)).toBe(true);
    const after = await post(id, { jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(after.status).toBe(404);
    expect(after.body).toMatch(/Initialize a new session/);
  }, 30_000);

  it('a client whose event stream stays open keeps its session however quiet it is', async () => {
    const client = await sdkClient('patient');
    const started = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    // Longer than both waits (3 s idle, 1 s after a stream closed).
    await sleep(4_500);
    expect(host.core.manager.listSessions().map((s) => s.sessionId)).toEqual([started.sessionId]);
    const ran = structured<{ output: string }>(await client.callTool({ name: 'run_command', arguments: { sessionId: started.sessionId, command: "'still here'" } }));
    expect(ran.output).toContain('still here');
    await client.callTool({ name: 'end_session', arguments: { sessionId: started.sessionId } });
    await client.close();
  }, 30_000);
});

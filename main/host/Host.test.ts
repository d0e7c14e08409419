import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPosix } from '../../test/platformGates.js';
import { nativeExit, requirePwsh, sleep } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { readHostInfo } from './hostInfo.js';
import { Host } from './Host.js';

// The headless host end to end: real SDK clients over Streamable HTTP and over the stdio bridge
// (the real `poshpool bridge` process), real pwsh behind them.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
let dir: string;
let dataDir: string;
let host: Host;
let token: string;

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** A raw HTTP request to the host (for the security checks the SDK client would never make). */
function raw(
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(host.info.mcpUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path: pathname, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function httpClient(name: string): Promise<{ client: Client; logs: unknown[] }> {
  const client = new Client({ name, version: '1.0.0' });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return { client, logs };
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-host-'));
  dataDir = path.join(dir, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 2, maxSessions: 3 }), dataDir, port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('host.json', () => {
  it('holds the URLs, socket and token file (never the token)', () => {
    const file = path.join(dataDir, 'host.json');
    const read = readHostInfo(dataDir);
    expect(read.ok && read.info).toMatchObject({ pid: process.pid, mcpUrl: host.info.mcpUrl, socketPath: host.info.socketPath, tokenFile: host.info.tokenFile });
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(host.info.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it.runIf(onPosix)('is written user-only, 0600 (POSIX-only: file modes; Windows uses an ACL)', () => {
    expect(statSync(path.join(dataDir, 'host.json')).mode & 0o777).toBe(0o600);
  });
});

describe('over Streamable HTTP', () => {
  it('starts, runs (exit codes, errors, unicode), runs a background job with its notification, reads it, ends', async () => {
    const { client, logs } = await httpClient('http-a');
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const run = (command: string) => client.callTool({ name: 'run_command', arguments: { sessionId, command } });
    expect(structured(await run("'ünïcödé 😀'"))).toMatchObject({ output: 'ünïcödé 😀', exitCode: 0 });
    expect(structured(await run(nativeExit(4)))).toMatchObject({ exitCode: 4, success: false });
    expect(structured<{ errors: { category: string }[] }>(await run('Get-Item /nope')).errors[0]!.category).toBe('ObjectNotFound');
    const { jobId } = structured<{ jobId: string }>(await client.callTool({ name: 'run_background', arguments: { sessionId, command: "Start-Sleep -Milliseconds 300; 'bg done'" } }));
    for (let i = 0; i < 100 && !logs.some((l) => (l as { type: string }).type === 'job.finished'); i++) await sleep(50);
    expect(logs).toContainEqual(expect.objectContaining({ type: 'job.finished', jobId }));
    expect(structured(await client.callTool({ name: 'get_job', arguments: { jobId } }))).toMatchObject({ status: 'succeeded', result: { output: 'bg done' } });
    expect(structured(await client.callTool({ name: 'end_session', arguments: { sessionId } }))).toMatchObject({ ended: true });
    await client.close();
  });

  it('two clients sending the same JSON-RPC ids get only their own results', async () => {
    const init = (id: number) =>
      raw('/mcp', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `raw${id}`, version: '1' } } }),
      });
    const [a, b] = await Promise.all([init(1), init(1)]);
    const sa = a.headers['mcp-session-id'] as string;
    const sb = b.headers['mcp-session-id'] as string;
    expect(sa).toBeTruthy();
    expect(sa).not.toBe(sb);
    const call = (session: string, text: string) =>
      raw('/mcp', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'run_command', arguments: { command: `'${text}'` } } }),
      });
    const [ra, rb] = await Promise.all([call(sa, 'from A'), call(sb, 'from B')]);
    expect(ra.body).toContain('from A');
    expect(ra.body).not.toContain('from B');
    expect(rb.body).toContain('from B');
    expect(rb.body).not.toContain('from A');
    const del = await raw('/mcp', { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sa, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    // A deleted (or made-up) session id is unknown: 404.
    expect((await call(sa, 'again')).status).toBe(404);
  });
});

describe('resources over HTTP', () => {
  it('notifies a subscriber when its sessions resource changes', async () => {
    const { client } = await httpClient('subscriber');
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await client.subscribeResource({ uri: 'poshpool://sessions' });
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    for (let i = 0; i < 100 && updates.length === 0; i++) await sleep(20);
    expect(updates).toContain('poshpool://sessions');
    const read = await client.readResource({ uri: 'poshpool://sessions' });
    expect(JSON.parse((read.contents[0] as { text: string }).text).sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([sessionId]);
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    await client.close();
  });
});

describe('command line against the running host', () => {
  it('poshpool status prints pool and queue state', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'status', '--data-dir', dataDir]);
    expect(stdout).toContain(`poshpool host pid ${process.pid}`);
    expect(stdout).toMatch(/pool: healthy; sessions \d+\/3 lent/);
    const json = JSON.parse((await promisify(execFile)(process.execPath, [bin, 'status', '--json', '--data-dir', dataDir])).stdout);
    expect(json.metrics.maxSessions).toBe(3);
    // The PowerShell the sessions run, as the first session said at its prompt.
    // pwsh 7 here; Windows PowerShell 5.1 on the workflow's 5.1 leg (POSHPOOL_PWSH=powershell.exe).
    if (requirePwsh().kind === 'pwsh') {
      expect(json.metrics.shell).toMatchObject({ kind: 'pwsh', edition: 'Core', languageMode: 'FullLanguage', warnings: [] });
      expect(json.metrics.shell.version).toMatch(/^7\./);
      expect(stdout).toMatch(/^shell: PowerShell 7\.\S+ \(Core\), FullLanguage, execution policy \w+ at \S+/m);
    } else {
      expect(json.metrics.shell).toMatchObject({ kind: 'powershell', edition: 'Desktop', languageMode: 'FullLanguage' });
      expect(stdout).toMatch(/^shell: Windows PowerShell 5\.1\.\S+ \(Desktop\)/m);
      expect(stdout).toMatch(/^warning: Sessions run Windows PowerShell 5\.1/m);
    }
  });

  it.runIf(onPosix)('poshpool serve starts, publishes host.json, says how to connect an agent, and stops cleanly on SIGINT (POSIX-only: on Windows child.kill is TerminateProcess)', async () => {
    const own = path.join(dir, 'served');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', own], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      for (let i = 0; i < 300 && !out.includes('Stop with Ctrl+C'); i++) await sleep(50);
      expect(out).toMatch(/poshpool is ready \(pid \d+/);
      expect(out).toContain('Connect an agent: poshpool install --client <vscode|claude-desktop|claude-code|cursor|copilot-cli|codex|windsurf>');
      expect(out).toContain('"servers"');
      const info = readHostInfo(own);
      expect(info.ok && info.info.pid).toBe(child.pid);
      expect(out).not.toContain(readFileSync(path.join(own, 'auth', 'token'), 'utf8').trim());
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(readHostInfo(own)).toMatchObject({ ok: false, code: 'none' });
    } finally {
      // A failed expectation must not leave the host (and its pwsh) running after the suite.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});

describe('security floor on every route', () => {
  const routes = ['/mcp', '/events', '/metrics', '/status'];

  it('refuses a missing or wrong token (401) without leaking the token', async () => {
    for (const route of routes) {
      const none = await raw(route);
      expect(none.status, route).toBe(401);
      const wrong = await raw(route, { headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.status, route).toBe(401);
      expect(wrong.body).not.toContain(token);
    }
  });

  it('refuses a foreign Host or Origin (403), even with the token', async () => {
    for (const route of routes) {
      expect((await raw(route, { headers: { authorization: `Bearer ${token}`, host: 'evil.example:80' } })).status, route).toBe(403);
      expect((await raw(route, { headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' } })).status, route).toBe(403);
    }
  });

  it('takes JSON only (415), caps the body (413), answers hostile JSON-RPC with an error and keeps serving', async () => {
    const auth = { authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' };
    expect((await raw('/mcp', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    const big = 'x'.repeat(9 * 1024 * 1024);
    expect((await raw('/mcp', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: big })).status).toBe(413);
    const garbage = await raw('/mcp', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"jsonrpc": "2.0", "id": 1, "method":' });
    expect(garbage.status).toBe(400);
    const notInit = await raw('/mcp', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(notInit.status).toBe(400);
    expect(JSON.parse(notInit.body).error.message).toMatch(/initialize/);
    // Still serving.
    const metrics = await raw('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    expect(JSON.parse(metrics.body)).toMatchObject({ maxSessions: 3 });
  });

  it('serves /metrics in Prometheus format when asked', async () => {
    const prom = await raw('/metrics?format=prometheus', { headers: { authorization: `Bearer ${token}` } });
    expect(prom.status).toBe(200);
    expect(prom.body).toMatch(/^poshpool_active_sessions \d+$/m);
  });
});

describe('over the stdio bridge', () => {
  it('relays a real MCP client to the running host', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], stderr: 'pipe' });
    const client = new Client({ name: 'bridge-client', version: '1.0.0' });
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('run_command');
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    expect(structured(await client.callTool({ name: 'run_command', arguments: { sessionId, command: nativeExit(3) } }))).toMatchObject({ exitCode: 3 });
    expect(structured(await client.callTool({ name: 'run_command', arguments: { sessionId, command: "'über bridge ✓'" } }))).toMatchObject({ output: 'über bridge ✓' });
    expect((await client.callTool({ name: 'run_command', arguments: { sessionId, command: 'Get-Item /nope' } })).structuredContent).toMatchObject({ success: false, errorCount: 1 });
    const { jobId } = structured<{ jobId: string }>(await client.callTool({ name: 'run_background', arguments: { sessionId, command: "Start-Sleep -Milliseconds 200; 'via bridge'" } }));
    for (let i = 0; i < 100 && !logs.some((l) => (l as { type: string }).type === 'job.finished'); i++) await sleep(50);
    expect(logs).toContainEqual(expect.objectContaining({ type: 'job.finished', jobId }));
    expect(structured(await client.callTool({ name: 'get_job', arguments: { jobId } }))).toMatchObject({ status: 'succeeded', result: { output: 'via bridge' } });
    // The session is the host's: it is listed there.
    expect(host.core.manager.listSessions().map((s) => s.sessionId)).toContain(sessionId);
    expect(structured(await client.callTool({ name: 'end_session', arguments: { sessionId } }))).toMatchObject({ ended: true });
    await client.close();
  });

  it('starts a host in its own process when none is running', async () => {
    const lonely = path.join(dir, 'lonely');
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', lonely], stderr: 'pipe' });
    const client = new Client({ name: 'embedded-client', version: '1.0.0' });
    await client.connect(transport);
    const r = structured<{ output: string }>(await client.callTool({ name: 'run_command', arguments: { command: "'embedded'" } }));
    expect(r.output).toBe('embedded');
    const embedded = readHostInfo(lonely);
    expect(embedded.ok && embedded.info.pid).not.toBe(process.pid);
    await client.close();
    // The embedded host goes with its client and takes its host.json along.
    for (let i = 0; i < 100 && readHostInfo(lonely).ok; i++) await sleep(50);
    expect(readHostInfo(lonely)).toMatchObject({ ok: false });
  });
});

describe('stopping the host', () => {
  it('answers the calls it cuts short (running commands over HTTP and the bridge, a waiting request) before closing the transports', async () => {
    const stopDir = path.join(dir, 'stopping');
    const started = await Host.start({ config: defaultConfig({ warmSessions: 2, maxSessions: 2 }), dataDir: stopDir, port: 0, cwd: dir, log: () => undefined });
    if (!started.ok) throw new Error(started.reason);
    const stopping = started.host;
    const stopToken = readFileSync(stopping.info.tokenFile, 'utf8').trim();
    const overHttp = new Client({ name: 'cut-http', version: '1.0.0' });
    await overHttp.connect(new StreamableHTTPClientTransport(new URL(stopping.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${stopToken}` } } }));
    const overBridge = new Client({ name: 'cut-bridge', version: '1.0.0' });
    await overBridge.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', stopDir], stderr: 'pipe' }));
    const waiting = new Client({ name: 'cut-waiting', version: '1.0.0' });
    await waiting.connect(new StreamableHTTPClientTransport(new URL(stopping.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${stopToken}` } } }));

    // A call left unanswered would wait for the client's own timeout: 30 s here, so it shows as a rejection.
    const calls = { timeout: 30_000 };
    const settle = (p: Promise<unknown>) => p.then((r) => ({ answered: r as CallToolResult }), (e: unknown) => ({ failed: String(e) }));
    const a = structured<{ sessionId: string }>(await overHttp.callTool({ name: 'start_session', arguments: {} }));
    const b = structured<{ sessionId: string }>(await overBridge.callTool({ name: 'start_session', arguments: {} }));
    const runningHttp = settle(overHttp.callTool({ name: 'run_command', arguments: { sessionId: a.sessionId, command: 'Start-Sleep 60' } }, undefined, calls));
    const runningBridge = settle(overBridge.callTool({ name: 'run_command', arguments: { sessionId: b.sessionId, command: 'Start-Sleep 60' } }, undefined, calls));
    const queued = settle(waiting.callTool({ name: 'start_session', arguments: { waitSeconds: 600 } }, undefined, calls));
    for (let i = 0; i < 200 && !(stopping.core.metrics().queueDepth === 1 && stopping.core.manager.listSessions().every((s) => s.currentCommand !== null)); i++) await sleep(25);
    expect(stopping.core.metrics().queueDepth).toBe(1);

    await stopping.dispose();

    for (const [name, call] of [['HTTP', runningHttp], ['bridge', runningBridge]] as const) {
      const got = await call;
      expect(got, name).toHaveProperty('answered');
      const result = (got as { answered: CallToolResult }).answered.structuredContent as { status: string; message: string; sessionAlive: boolean };
      expect(result, name).toMatchObject({ status: 'sessionEnded', sessionAlive: false });
      expect(result.message, name).toContain('poshpool is shutting down');
      expect(result.message, name).not.toContain('exit');
    }
    const wait = await queued;
    expect(wait).toHaveProperty('answered');
    expect(JSON.stringify((wait as { answered: CallToolResult }).answered)).toContain('poshpool is shutting down');
    for (const c of [overHttp, overBridge, waiting]) await c.close().catch(() => undefined);
  });
});

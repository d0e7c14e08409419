import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, sleep } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { browserCommand } from '../cli/open.js';
import { platformFor } from '../core/platform/Platform.js';
import { Host } from './Host.js';

// The dashboard's side of the host: sign-in with a one-time code, and a person's actions on every
// client's sessions and requests, against real pwsh and a real MCP client.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
let dir: string;
let dataDir: string;
let host: Host;
let token: string;
let base: string;

async function http(pathname: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(`${base}${pathname}`, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

async function signIn(): Promise<string> {
  const minted = await http('/api/codes', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  const { url } = JSON.parse(minted.body) as { url: string };
  const redeemed = await http(new URL(url).pathname + new URL(url).search);
  expect(redeemed.status).toBe(303);
  const cookie = redeemed.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  return cookie.split(';')[0]!;
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-dash-'));
  dataDir = path.join(dir, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 1, maxSessions: 1 }), dataDir, port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
  base = host.info.mcpUrl.replace(/\/mcp$/, '');
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard sign-in', () => {
  it('a one-time link gives an HttpOnly SameSite=Strict cookie that opens the API; the link works once', async () => {
    const minted = JSON.parse((await http('/api/codes', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })).body) as { url: string; code: string };
    expect(minted.url).toBe(`${base}/?code=${minted.code}`);
    expect(minted.url).not.toContain(token);
    const first = await http(`/?code=${minted.code}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const snap = await http('/api/snapshot', { headers: { cookie } });
    expect(snap.status).toBe(200);
    expect(JSON.parse(snap.body)).toMatchObject({ ok: true, snapshot: { metrics: { maxSessions: 1 }, sessions: [], queue: [] } });
    // The same code again: refused, with what to do.
    const again = await http(`/?code=${minted.code}`);
    expect(again.status).toBe(401);
    expect(again.body).toContain('poshpool open');
  });

  it('without the cookie a browser gets no data', async () => {
    expect((await http('/api/snapshot')).status).toBe(401);
    expect((await http('/events')).status).toBe(401);
    expect((await http('/api/snapshot', { headers: { cookie: 'poshpool_session=forged' } })).status).toBe(401);
    const landing = await http('/');
    expect(landing.body).not.toContain('sessionId');
  });

  it('poshpool open --print prints a working one-time link', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'open', '--print', '--data-dir', dataDir]);
    const url = stdout.split('\n')[0]!;
    expect(url).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/\\?code=`));
    expect((await http(new URL(url).pathname + new URL(url).search)).status).toBe(303);
    expect(browserCommand('http://x/', platformFor('win32'))).toEqual({ file: 'cmd', args: ['/c', 'start', '""', 'http://x/'] });
    expect(browserCommand('http://x/', platformFor('darwin'))).toEqual({ file: 'open', args: ['http://x/'] });
    expect(browserCommand('http://x/', platformFor('linux'))).toEqual({ file: 'xdg-open', args: ['http://x/'] });
  });
});

describe('a person acting from the dashboard', () => {
  it('cancels a command, reorders and cancels queued requests, and terminates a session (its client is told)', async () => {
    const cookie = await signIn();
    const post = (p: string, body?: unknown) =>
      http(p, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const running = client.callTool({ name: 'run_command', arguments: { sessionId, command: 'Start-Sleep 30' } });
    await sleep(400);
    expect(JSON.parse((await post(`/api/sessions/${sessionId}/cancel`)).body)).toEqual({ ok: true, wasRunning: true });
    expect(((await running) as CallToolResult).structuredContent).toMatchObject({ status: 'cancelled', sessionAlive: true });
    // A second client waits; the person moves it to async and cancels it.
    const other = new Client({ name: 'other', version: '1' });
    await other.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const queued = (await other.callTool({ name: 'start_session', arguments: { priority: 'async' } })).structuredContent as { requestId: string };
    const snap = JSON.parse((await http('/api/snapshot', { headers: { cookie } })).body) as { snapshot: { queue: { requestId: string }[] } };
    expect(snap.snapshot.queue.map((q) => q.requestId)).toEqual([queued.requestId]);
    expect(JSON.parse((await post(`/api/requests/${queued.requestId}/priority`, { priority: 'sync' })).body)).toMatchObject({ ok: true, position: 1 });
    expect(JSON.parse((await post(`/api/requests/${queued.requestId}/cancel`)).body)).toMatchObject({ ok: true });
    expect(((await other.callTool({ name: 'queue_position', arguments: { requestId: queued.requestId } })) as CallToolResult).isError).toBe(true);
    // Terminate: the session goes, and the client's next command gets a clear error.
    expect(JSON.parse((await post(`/api/sessions/${sessionId}/terminate`)).body)).toEqual({ ok: true });
    const after = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } })) as CallToolResult;
    expect(after.isError).toBe(true);
    expect((after.content[0] as { text: string }).text).toMatch(/No session .* start_session/);
    expect(JSON.parse((await post('/api/sessions/nope/terminate')).body)).toMatchObject({ ok: false });
    await client.close();
    await other.close();
  });

  it('pauses new sessions (a request waits with a note) and resumes them (it is served)', async () => {
    const cookie = await signIn();
    const post = (p: string, body?: unknown) =>
      http(p, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    expect(JSON.parse((await post('/api/pause', { paused: 'yes' })).body)).toMatchObject({ ok: false, reason: expect.stringContaining('{"paused": true}') });
    expect(JSON.parse((await post('/api/pause', { paused: true })).body)).toEqual({ ok: true, changed: true });
    const client = new Client({ name: 'paused-agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const queued = (await client.callTool({ name: 'start_session', arguments: { waitSeconds: 0 } })).structuredContent as { status: string; requestId: string; note?: string };
    expect(queued).toMatchObject({ status: 'queued', note: expect.stringContaining('paused') });
    const snap = JSON.parse((await http('/api/snapshot', { headers: { cookie } })).body) as { snapshot: { metrics: { paused: boolean } } };
    expect(snap.snapshot.metrics.paused).toBe(true);
    expect(JSON.parse((await post('/api/pause', { paused: false })).body)).toEqual({ ok: true, changed: true });
    let position: { status: string; sessionId?: string } = { status: 'queued' };
    for (let i = 0; i < 100 && position.status !== 'allocated'; i++) {
      const r = (await client.callTool({ name: "queue_position", arguments: { requestId: queued.requestId } })) as CallToolResult;
      if (r.isError) throw new Error(JSON.stringify(r.content));
      position = r.structuredContent as typeof position;
      if (position.status !== 'allocated') await sleep(100);
    }
    expect(position.status).toBe('allocated');
    await client.callTool({ name: 'end_session', arguments: { sessionId: position.sessionId } });
    await client.close();
  });
  it('answers a command waiting for approval: the answer is checked, and one that came too late says why', async () => {
    const cookie = await signIn();
    const post = (p: string, body?: unknown) =>
      http(p, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const snap = JSON.parse((await http('/api/snapshot', { headers: { cookie } })).body) as { snapshot: { approvals: unknown[] } };
    expect(snap.snapshot.approvals).toEqual([]);
    for (const body of [{}, { answer: 'yes' }, { answer: 'ONCE' }, { answer: true }]) {
      const refused = await post('/api/approvals/apr_1/answer', body);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toEqual({ ok: false, reason: expect.stringContaining('{"answer": "once" | "session" | "deny"}') });
    }
    const late = await post('/api/approvals/apr_gone/answer', { answer: 'once' });
    expect(late.status).toBe(400);
    expect(JSON.parse(late.body)).toEqual({ ok: false, reason: expect.stringMatching(/No command waits for approval apr_gone: it was already answered, timed out or cancelled/) });
    expect((await http('/api/approvals/apr_1/answer', { method: 'GET', headers: { cookie } })).status).toBe(405);
    // Like every action: no cookie, no answer; a page of another origin is refused.
    expect((await http('/api/approvals/apr_1/answer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"answer":"once"}' })).status).toBe(401);
    expect((await http('/api/approvals/apr_1/answer', { method: 'POST', headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{"answer":"once"}' })).status).toBe(403);
    expect(await host.actions.answerApproval('apr_1', 'maybe' as never)).toEqual({ ok: false, reason: expect.stringContaining('answer must be one of "once", "session", "deny"') });
    expect(await host.actions.answerApproval('apr_1', 'deny', 'email' as never)).toEqual({ ok: false, reason: 'by must be "dashboard" or "tray".' });
  });
});

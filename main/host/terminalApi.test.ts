import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult, TerminalRead } from '../../common/dashboard.js';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';

// A session's live terminal over the dashboard's API (GET /api/sessions/<id>/terminal), against a
// real host, real pwsh and a real MCP client.

let dir: string;
let host: Host;
let token: string;
let base: string;
let client: Client;

async function read(sessionId: string, since: number, wait = 0): Promise<ActionResult<TerminalRead>> {
  const res = await fetch(`${base}/api/sessions/${encodeURIComponent(sessionId)}/terminal?since=${since}&wait=${wait}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as ActionResult<TerminalRead>;
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-term-'));
  const started = await Host.start({ config: defaultConfig({ warmSessions: 1, maxSessions: 2 }), dataDir: path.join(dir, 'data'), port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
  base = host.info.mcpUrl.replace(/\/mcp$/, '');
  client = new Client({ name: 'agent', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
});
afterAll(async () => {
  await client?.close();
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/sessions/<id>/terminal', () => {
  it("shows a command's prompt line and output as it runs, and none of poshpool's traffic", async () => {
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const running = client.callTool({ name: 'run_command', arguments: { sessionId, command: '"tick-$(1)"; Start-Sleep -Milliseconds 1200; "tick-$(2)"' } });
    // Long polls from cursor 0 until the first tick is there, while the command still sleeps.
    let seen = '';
    let cursor = 0;
    while (!seen.includes('tick-1')) {
      const r = await read(sessionId, cursor, 5_000);
      if (!r.ok) throw new Error(r.reason);
      seen = r.reset ? r.data : seen + r.data;
      cursor = r.next;
    }
    expect(seen).not.toContain('tick-2');
    await running;
    const rest = await read(sessionId, cursor, 5_000);
    expect(rest).toMatchObject({ ok: true, reset: false });
    if (rest.ok) seen += rest.data;
    expect(seen).toContain('PS>');
    expect(seen).toContain('"tick-$(1)"; Start-Sleep -Milliseconds 1200; "tick-$(2)"');
    expect(seen).toContain('tick-2');
    expect(seen).not.toContain('#poshpool-');
    expect(seen).not.toContain('\x1b]');
    // A late viewer (cursor 0) gets the same screen at once.
    const late = await read(sessionId, 0);
    expect(late.ok && late.data).toBe(seen);
  });

  it('refuses an unknown session and a bad cursor with the reason', async () => {
    expect(await read('no-such-session', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('No terminal for session') });
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const res = await fetch(`${base}/api/sessions/${sessionId}/terminal?since=abc`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, reason: expect.stringContaining('since must be a whole number') });
  });

  it('needs the cookie or the token like every dashboard route', async () => {
    expect((await fetch(`${base}/api/sessions/x/terminal`)).status).toBe(401);
  });
});

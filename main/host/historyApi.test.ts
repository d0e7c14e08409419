import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry, SessionHistory } from '../../common/history.js';
import type { OutputPage } from '../../common/shell.js';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';

// A session's command history as the dashboard reads it (/api/sessions/<id>/history and its output
// pages), fed by real commands of a real MCP client on real pwsh.

let dir: string;
let host: Host;
let token: string;
let base: string;

async function get<T>(pathname: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-history-'));
  const config = defaultConfig({ warmSessions: 1, maxSessions: 1, outputPageBytes: 1024, shell: { outputCapBytes: 4096 } });
  const started = await Host.start({ config, dataDir: path.join(dir, 'data'), port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
  base = host.info.mcpUrl.replace(/\/mcp$/, '');
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('command history through the dashboard API', () => {
  it("keeps a failed command's exit code and errors, pages a long output, and stays readable after the session ended", async () => {
    const client = new Client({ name: 'history-agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const run = async (command: string) => ((await client.callTool({ name: 'run_command', arguments: { sessionId, command } })) as CallToolResult).structuredContent as { success: boolean; truncated: boolean };

    expect((await get<{ ok: boolean; history: SessionHistory }>(`/api/sessions/${sessionId}/history`)).body).toMatchObject({ ok: true, history: { commands: [] } });
    expect(await run("'hello'")).toMatchObject({ success: true });
    expect(await run("Write-Error 'first failure'; Write-Error 'second failure'")).toMatchObject({ success: false });
    expect(await run('1..2000 | ForEach-Object { "line $_ of a long output" }')).toMatchObject({ success: true, truncated: true });

    const history = (await get<{ ok: true; history: SessionHistory }>(`/api/sessions/${sessionId}/history`)).body.history;
    expect(history.ended).toBeNull();
    expect(history.commands.map((c) => [c.seq, c.status, c.success, c.exitCode, c.errorCount])).toEqual([
      [history.commands[0]!.seq, 'completed', true, 0, 0],
      [history.commands[0]!.seq + 1, 'completed', false, 1, 2],
      [history.commands[0]!.seq + 2, 'completed', true, 0, 0],
    ]);
    expect(history.commands.every((c) => c.clientId === history.clientId && c.durationMs !== null && c.startedAt > 0)).toBe(true);
    const [ok, failed, long] = history.commands as [SessionHistory['commands'][0], SessionHistory['commands'][0], SessionHistory['commands'][0]];
    expect((await get<{ entry: HistoryEntry }>(`/api/sessions/${sessionId}/history/${ok.seq}`)).body.entry).toMatchObject({ output: 'hello', paged: false });

    const failedEntry = (await get<{ ok: true; entry: HistoryEntry }>(`/api/sessions/${sessionId}/history/${failed.seq}`)).body.entry;
    expect(failedEntry.errors.map((e) => e.message)).toEqual(['first failure', 'second failure']);

    const longEntry = (await get<{ ok: true; entry: HistoryEntry }>(`/api/sessions/${sessionId}/history/${long.seq}`)).body.entry;
    expect(longEntry).toMatchObject({ truncated: true, paged: true });
    expect(longEntry.output.length).toBeLessThan(longEntry.outputBytes);
    const first = (await get<{ ok: true; page: OutputPage }>(`/api/sessions/${sessionId}/history/${long.seq}/pages/0`)).body.page;
    expect(first.pages).toBeGreaterThan(10);
    expect(first.text.startsWith('line 1 of a long output\n')).toBe(true);
    const last = (await get<{ ok: true; page: OutputPage }>(`/api/sessions/${sessionId}/history/${long.seq}/pages/${first.pages - 1}`)).body.page;
    expect(last.text.trimEnd().endsWith('line 2000 of a long output')).toBe(true);
    const past = await get<{ ok: false; reason: string }>(`/api/sessions/${sessionId}/history/${long.seq}/pages/${first.pages}`);
    expect(past).toMatchObject({ status: 400, body: { ok: false, reason: expect.stringContaining('does not exist') } });
    expect((await get<{ reason: string }>(`/api/sessions/${sessionId}/history/${ok.seq}/pages/0`)).body.reason).toMatch(/shown inline/);

    // Every session's newest commands, newest first.
    const recent = (await get<{ ok: true; commands: SessionHistory['commands'] }>('/api/history?limit=2')).body.commands;
    expect(recent.map((c) => [c.sessionId, c.seq])).toEqual([
      [sessionId, long.seq],
      [sessionId, failed.seq],
    ]);
    expect((await get<{ ok: false; reason: string }>('/api/history?limit=0')).body.reason).toMatch(/limit must be a whole number from 1/);

    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    const ended = (await get<{ ok: true; history: SessionHistory }>(`/api/sessions/${sessionId}/history`)).body.history;
    expect(ended.ended).toMatchObject({ reason: expect.stringContaining('ended') });
    expect(ended.commands).toHaveLength(3);
    expect((await get<{ ok: false; reason: string }>('/api/sessions/nope/history')).body).toMatchObject({ ok: false, reason: expect.stringContaining('No history for session "nope"') });
    await client.close();
  });
});

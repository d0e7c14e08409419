import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../../test/pwsh.js';
import { HostSupervisor } from './HostSupervisor.js';
import { forkNodeHostChild } from './nodeHostChild.js';

// The tray window's way to a session's live terminal: readTerminal through the host process's
// message port (what dashboardIpc forwards poshpool:readTerminal to), against the compiled host
// entry (dist/, built first), real pwsh and a real MCP client.

const entry = path.resolve(import.meta.dirname, '../../../dist/main/host/process/hostProcess.js');

let dir: string;
let supervisor: HostSupervisor;
const logs: string[] = [];

beforeAll(() => {
  requirePwsh();
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does).`);
  dir = mkdtempSync(path.join(tmpdir(), 'pp-termipc-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 1 }));
  supervisor = new HostSupervisor({
    spawn: () => forkNodeHostChild({ entry, onOutput: (t) => logs.push(t) }),
    start: { configFile: path.join(dir, 'config.json'), dataDir: path.join(dir, 'data'), port: 0 },
    log: (line) => logs.push(line),
  });
  supervisor.start();
});

afterAll(async () => {
  await supervisor?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('readTerminal through the host process', () => {
  it("gives the tray window a session's terminal, and a waiting read is answered when output comes", async () => {
    if (!(await waitFor(() => supervisor.state.status === 'running', 30_000))) throw new Error(`host did not come up: ${logs.join('\n')}`);
    const state = supervisor.state;
    if (state.status !== 'running') throw new Error('host is not running');
    const client = new Client({ name: 'terminal-ipc-test', version: '1.0.0' });
    const token = readFileSync(state.info.tokenFile, 'utf8').trim();
    await client.connect(new StreamableHTTPClientTransport(new URL(state.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };

    const first = await supervisor.call('readTerminal', sessionId, 0, 0);
    expect(first).toMatchObject({ ok: true, ended: false });
    const cursor = first.ok ? first.next : 0;
    // A read that waits: answered by the command's output, not by its timeout.
    const waiting = supervisor.call('readTerminal', sessionId, cursor, 20_000);
    await client.callTool({ name: 'run_command', arguments: { sessionId, command: '"from-$(6*7)"' } });
    const r = await waiting;
    expect(r).toMatchObject({ ok: true, reset: false });
    let seen = r.ok ? r.data : '';
    let next = r.ok ? r.next : cursor;
    while (!seen.includes('from-42')) {
      const more = await supervisor.call('readTerminal', sessionId, next, 5_000);
      if (!more.ok) throw new Error(more.reason);
      seen += more.data;
      next = more.next;
    }
    expect(seen).toContain('PS>');
    expect(seen).not.toContain('#poshpool');
    expect(await supervisor.call('readTerminal', 'no-such-session', 0, 0)).toMatchObject({ ok: false, reason: expect.stringContaining('No terminal for session') });
    await client.close();
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onLinux } from '../../test/platformGates.js';
import { findProcesses, processExists, requirePwsh, waitFor } from '../../test/pwsh.js';
import { readHostInfo } from '../host/hostInfo.js';

// What a session leaves when poshpool is killed outright (kill -9, a crash): pwsh ends with its
// terminal's hangup, but a process that ignores the hangup lives on, and every pwsh that did not exit
// cleanly leaves its CoreFxPipe_PSHost socket in the temp dir. The next start of poshpool with the
// same data dir ends the first and removes the second. Real `poshpool serve`, real pwsh, real SDK client.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

describe.runIf(onLinux)('after poshpool was killed (Linux-only: kill -9, /proc environments)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-crash-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function serve(): { child: ReturnType<typeof spawn>; dataDir: string; out: () => string } {
    const dataDir = path.join(dir, 'data');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', path.join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    return { child, dataDir, out: () => out };
  }

  it('the next start ends what the dead one left running and removes the dead pwsh host pipes', async () => {
    requirePwsh();
    const first = serve();
    expect(await waitFor(() => first.out().includes('poshpool is ready'), 60_000, 10)).toBe(true);
    const info = readHostInfo(first.dataDir);
    if (!info.ok) throw new Error(info.reason);
    const token = readFileSync(info.info.tokenFile, 'utf8').trim();
    const client = new Client({ name: 'crash', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(info.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const pwshPid = Number(((await client.callTool({ name: 'run_command', arguments: { command: '$PID' } })).structuredContent as { output: string }).output);
    // A command whose process ignores the terminal's hangup.
    void client.callTool({ name: 'run_command', arguments: { command: "bash -c \"trap '' HUP; sleep 50201\"" } }).catch(() => undefined);
    expect(await waitFor(() => findProcesses(['sleep', '50201']).length === 1, 20_000)).toBe(true);

    first.child.kill('SIGKILL');
    expect(await waitFor(() => !processExists(pwshPid), 10_000)).toBe(true);
    // pwsh is gone; what ignored the hangup lives on, and pwsh's socket file is left behind.
    expect(findProcesses(['sleep', '50201'])).toHaveLength(1);
    const pipeOf = (pid: number): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('CoreFxPipe_PSHost.') && n.split('.')[2] === String(pid));
    expect(pipeOf(pwshPid)).toHaveLength(1);

    const second = serve();
    try {
      expect(await waitFor(() => second.out().includes('poshpool is ready'), 60_000, 10)).toBe(true);
      expect(await waitFor(() => findProcesses(['sleep', '50201']).length === 0, 10_000)).toBe(true);
      expect(pipeOf(pwshPid)).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 120_000);

});

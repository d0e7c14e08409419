import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onLinux } from '../../test/platformGates.js';
import { descendantsOf, processExists, requirePwsh, waitFor } from '../../test/pwsh.js';
import { readHostInfo } from './hostInfo.js';

// The host's token never reaches a command line or a child's environment: checked in /proc for every
// process poshpool starts (the `poshpool serve` host, the `poshpool bridge` relay, each pwsh, and a
// program a command starts from pwsh), and from inside the session (`Get-ChildItem env:`). Linux-only:
// it reads /proc/<pid>/cmdline and /proc/<pid>/environ.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

function readProc(pid: number, file: 'cmdline' | 'environ'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`).toString('utf8').replaceAll('\0', ' ');
  } catch {
    // The process ended meanwhile: it holds nothing any more.
    return '';
  }
}

describe.runIf(onLinux)('the token stays out of argv and child environments (Linux: /proc)', () => {
  let dir: string;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-token-'));
  });
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
    rmSync(dir, { recursive: true, force: true });
  });

  it('host, bridge, pwsh and a program started from pwsh: no token in argv; pwsh and its child: none in the environment', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
    const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    serve.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
    serve.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const served = new Promise<void>((r) => serve.once('exit', () => r()));
    stops.push(async () => {
      serve.kill('SIGTERM');
      await served;
    });
    expect(await waitFor(() => log.includes('poshpool is ready'), 60_000, 20)).toBe(true);
    const info = readHostInfo(dataDir);
    if (!info.ok) throw new Error(info.reason);
    const token = readFileSync(info.info.tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThan(20);

    const bridge = spawn(process.execPath, [bin, 'bridge', '--data-dir', dataDir], { stdio: 'pipe' });
    let out = '';
    bridge.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const bridged = new Promise<void>((r) => bridge.once('exit', () => r()));
    stops.push(async () => {
      bridge.stdin.end();
      await bridged;
    });
    const command = "$p = Start-Process -FilePath sleep -ArgumentList 30 -PassThru; \"child=$($p.Id)\"; Get-ChildItem env: | ForEach-Object { \"$($_.Name)=$($_.Value)\" }";
    bridge.stdin.write(
      [
        { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'token', version: '1' } } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'run_command', arguments: { command } } },
      ]
        .map((m) => `${JSON.stringify(m)}\n`)
        .join(''),
    );
    expect(await waitFor(() => out.includes('"id":1'), 30_000, 20)).toBe(true);
    const reply = out.split('\n').map((l) => (l ? (JSON.parse(l) as { id?: number; result?: { structuredContent?: { output: string } } }) : {})).find((m) => m.id === 1)!;
    const output = reply.result!.structuredContent!.output;
    const child = Number(/child=(\d+)/.exec(output)![1]);
    stops.push(async () => {
      if (processExists(child)) process.kill(child, 'SIGKILL');
    });
    // What the session itself sees of its environment.
    expect(output).toContain('PATH=');
    expect(output).not.toContain(token);

    const hostTree = descendantsOf(serve.pid!);
    const pwshPids = hostTree.filter((pid) => /pwsh/.test(readProc(pid, 'cmdline')));
    expect(pwshPids.length).toBeGreaterThan(0);
    expect(hostTree).toContain(child);
    for (const pid of [serve.pid!, bridge.pid!, ...hostTree]) expect(readProc(pid, 'cmdline'), `argv of ${pid}: ${readProc(pid, 'cmdline')}`).not.toContain(token);
    for (const pid of [...pwshPids, child]) {
      const environ = readProc(pid, 'environ');
      expect(environ.length, `environ of ${pid}`).toBeGreaterThan(0);
      expect(environ, `environment of ${pid}`).not.toContain(token);
    }
  });
});

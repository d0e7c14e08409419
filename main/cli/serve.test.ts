import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../test/platformGates.js';
import { descendantsOf, processExists, requirePwsh, waitFor } from '../../test/pwsh.js';

// `poshpool serve` as a process: however early a stop comes, and whether it is a Ctrl+C, a SIGTERM
// or its terminal closing, it ends cleanly (host.json gone, no PowerShell left), because it listens
// for SIGINT/SIGTERM/SIGHUP before it starts anything. POSIX-only: on Windows child.kill() is
// TerminateProcess, which runs no handler (Node's child_process docs, subprocess.kill), and there is no
// terminal hangup; how serve stops there is main/cli/stopSignals.test.ts's.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

describe.runIf(onPosix)('poshpool serve (process) stops on a signal (POSIX-only: Windows has no signal handlers to send to)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-serve-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 2, maxSessions: 2 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function serve() {
    const dataDir = path.join(dir, 'data');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', path.join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return { child, dataDir, exit, out: () => out };
  }

  it('a SIGTERM while the host starts its sessions stops it cleanly: exit 0, never "ready", no host.json, no PowerShell left', async () => {
    requirePwsh();
    const p = serve();
    const seen = new Set<number>();
    // The first PowerShell is on its way: the host is starting.
    expect(await waitFor(() => descendantsOf(p.child.pid!).length > 0, 30_000, 5)).toBe(true);
    for (const pid of descendantsOf(p.child.pid!)) seen.add(pid);
    p.child.kill('SIGTERM');
    expect(await p.exit).toEqual({ code: 0, signal: null });
    expect(p.out()).not.toContain('poshpool is ready');
    expect(existsSync(path.join(p.dataDir, 'host.json'))).toBe(false);
    expect(await waitFor(() => [...seen].every((pid) => !processExists(pid)), 10_000)).toBe(true);
  });

  it('a SIGTERM sent the moment it says it is ready stops it cleanly', async () => {
    requirePwsh();
    const p = serve();
    const seen = new Set<number>();
    expect(await waitFor(() => p.out().includes('poshpool is ready'), 30_000, 1)).toBe(true);
    p.child.kill('SIGTERM');
    for (const pid of descendantsOf(p.child.pid!)) seen.add(pid);
    expect(await p.exit).toEqual({ code: 0, signal: null });
    expect(p.out()).toContain('poshpool: stopping (ending every session)');
    expect(existsSync(path.join(p.dataDir, 'host.json'))).toBe(false);
    expect(await waitFor(() => [...seen].every((pid) => !processExists(pid)), 10_000)).toBe(true);
  });

  it('closing the terminal it runs in stops it cleanly (the hangup used to kill it and leave host.json behind)', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    // A real terminal: python's pty module runs serve on a new pseudo-terminal and relays it; when
    // python is killed, the terminal's master side closes and the kernel hangs up serve's session.
    const relay = 'import pty, sys; pty.spawn(sys.argv[1:])';
    const term = spawn('python3', ['-c', relay, process.execPath, bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', path.join(dir, 'config.json')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    term.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await waitFor(() => out.includes('Stop with Ctrl+C'), 30_000)).toBe(true);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(true);
    const seen = descendantsOf(term.pid!); // serve, and the PowerShell it runs
    expect(seen.length).toBeGreaterThan(1);
    term.kill('SIGKILL');
    expect(await waitFor(() => seen.every((pid) => !processExists(pid)), 20_000)).toBe(true);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(false);
  });
});

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../test/pwsh.js';

// `echo '<initialize>\n<tools/call>' | poshpool bridge`: the real bridge process (bin/poshpool.js, from
// dist/) with its input closed right after the requests, against a real host and real pwsh, relaying
// to a running `poshpool serve` and as its own embedded host. Every answer arrives before it exits 0.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

const requests =
  [
    { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'one-shot', version: '1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'run_command', arguments: { command: "Start-Sleep -Milliseconds 1000; 'slept'" } } },
  ]
    .map((m) => JSON.stringify(m))
    .join('\n') + '\n';

interface Piped {
  code: number | null;
  replies: Array<{ id: number; result?: { structuredContent?: { output?: string; success?: boolean } } }>;
  stderr: string;
}

/** Runs `poshpool bridge` with `input` on stdin, closed at once, and collects what it answers. */
function pipeThroughBridge(args: string[], input: string): Promise<Piped> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'bridge', ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const lines = out.split('\n').filter((l) => l.length > 0);
      const messages = lines.map((l) => JSON.parse(l) as Piped['replies'][number]);
      // Notifications (the host's log messages) may come between the answers.
      resolve({ code, replies: messages.filter((m) => m.id !== undefined), stderr: err });
    });
  });
}

describe('poshpool bridge on a one-shot pipe (process, real host, real pwsh)', () => {
  let dir: string;
  let configFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-pipe-'));
    configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('relaying to a running host: the answer to a ~1 s run_command arrives though stdin closed at once, then exit 0', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    serve.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
    serve.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const served = new Promise<void>((resolve) => serve.once('exit', () => resolve()));
    try {
      expect(await waitFor(() => log.includes('poshpool is ready'), 60_000, 20)).toBe(true);
      const piped = await pipeThroughBridge(['--data-dir', dataDir], requests);
      expect(piped.stderr).toBe('');
      expect(piped.replies.map((r) => r.id)).toEqual([0, 1]);
      expect(piped.replies[1]!.result!.structuredContent).toMatchObject({ output: 'slept', success: true });
      expect(piped.code).toBe(0);
    } finally {
      serve.kill('SIGTERM');
      await served;
    }
  });

  it('as its own embedded host (none running): the answer arrives before the host stops, then exit 0', async () => {
    requirePwsh();
    const piped = await pipeThroughBridge(['--data-dir', path.join(dir, 'data'), '--config', configFile], requests);
    expect(piped.replies.map((r) => r.id)).toEqual([0, 1]);
    expect(piped.replies[1]!.result!.structuredContent).toMatchObject({ output: 'slept', success: true });
    expect(piped.stderr).not.toContain('gave up');
    expect(piped.code).toBe(0);
  });
});

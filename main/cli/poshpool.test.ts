import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeExit, requirePwsh } from '../../test/pwsh.js';
import { main } from './poshpool.js';

const execFileAsync = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

function capture(): { io: { stdout: { write(t: string): void }; stderr: { write(t: string): void } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => void (out += t) }, stderr: { write: (t: string) => void (err += t) } },
    out: () => out,
    err: () => err,
  };
}

describe('poshpool exec', () => {
  requirePwsh();
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the structured result and exits with the command exit code (the installed bin)', async () => {
    const run = await execFileAsync(process.execPath, [bin, 'exec', '--cwd', dir, `'hello'; ${nativeExit(3)}`]).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'completed', output: 'hello', exitCode: 3, success: false, cwd: realpathSync(dir) });
  });

  it('exits 0 for a successful command', async () => {
    const c = capture();
    expect(await main(['exec', '$PSVersionTable.PSVersion.Major -ge 5'], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ output: 'True', success: true, exitCode: 0 });
  });

  it('stops a command at --timeout', async () => {
    const c = capture();
    expect(await main(['exec', '--timeout', '0.5', 'Start-Sleep 30'], c.io)).toBe(1);
    expect(JSON.parse(c.out())).toMatchObject({ status: 'timedOut', exitCode: null });
  });

  it('names a bad --pwsh path and how to configure PowerShell', async () => {
    const c = capture();
    expect(await main(['exec', '--pwsh', '/no/such/pwsh', '1'], c.io)).toBe(1);
    expect(c.err()).toContain('/no/such/pwsh');
    expect(c.err()).toContain('shell.path');
    expect(c.out()).toBe('');
  });

  it('refuses a bad config file, naming the field, the value and what is allowed', async () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ shell: { cols: 5 }, maxSesions: 2 }));
    const c = capture();
    expect(await main(['exec', '--config', file, '1'], c.io)).toBe(1);
    expect(c.err()).toContain('shell.cols');
    expect(c.err()).toContain('maxSessions');
    expect(c.err()).toContain(file);
  });

  it('uses shell settings from the config file', async () => {
    const file = path.join(dir, 'config-ok.json');
    writeFileSync(file, JSON.stringify({ shell: { cols: 120 } }));
    const c = capture();
    expect(await main(['exec', '--config', file, '$Host.UI.RawUI.WindowSize.Width'], c.io)).toBe(0);
    expect(JSON.parse(c.out()).output).toBe('120');
  });

  it('explains bad usage', async () => {
    const noCommand = capture();
    expect(await main(['exec'], noCommand.io)).toBe(2);
    expect(noCommand.err()).toContain('give the command to run');
    const badTimeout = capture();
    expect(await main(['exec', '--timeout', 'soon', '1'], badTimeout.io)).toBe(2);
    expect(badTimeout.err()).toContain('--timeout wants a positive number of seconds');
    const unknown = capture();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "frobnicate"');
  });
});

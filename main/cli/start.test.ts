import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processExists, requirePwsh, waitFor } from '../../test/pwsh.js';
import { findElectronBinary } from './electronBinary.js';
import { EventEmitter } from 'node:events';
import { platformFor } from '../core/platform/Platform.js';
import type { SignalSource } from './stopSignals.js';
import { chooseStartMode, ensureElectron, headlessBeforeElectron, stopForwarder, type StoppableChild } from './start.js';

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
const root = path.resolve(import.meta.dirname, '../..');
const electron = { ok: true as const, path: '/opt/electron/electron' };

describe('chooseStartMode', () => {
  it('runs the tray app on Windows and macOS whenever Electron is there', () => {
    expect(chooseStartMode(platformFor('win32'), {}, electron)).toEqual({ mode: 'app', electron: electron.path });
    expect(chooseStartMode(platformFor('darwin'), {}, electron)).toEqual({ mode: 'app', electron: electron.path });
  });

  it('on Linux needs a display (X11 or Wayland)', () => {
    expect(chooseStartMode(platformFor('linux'), {}, electron)).toMatchObject({ mode: 'headless', why: expect.stringContaining('no display') });
    expect(chooseStartMode(platformFor('linux'), { DISPLAY: ':0' }, electron)).toMatchObject({ mode: 'app' });
    expect(chooseStartMode(platformFor('linux'), { WAYLAND_DISPLAY: 'wayland-0' }, electron)).toMatchObject({ mode: 'app' });
  });

  it('falls back to the headless host without Electron, or when asked, with the reason', () => {
    expect(chooseStartMode(platformFor('win32'), {}, { ok: false, reason: 'no Electron binary' })).toEqual({ mode: 'headless', why: 'no Electron binary' });
    expect(chooseStartMode(platformFor('darwin'), { POSHPOOL_HEADLESS: '1' }, electron)).toEqual({ mode: 'headless', why: 'POSHPOOL_HEADLESS=1 is set' });
  });
});

describe('ensureElectron', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-ensure-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the electron package\'s installer once when the binary is missing, and turns a failed download into a reason', async () => {
    const installer = path.join(dir, 'install.cjs');
    writeFileSync(installer, `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, 'yes'); console.error('\\nRequestError: getaddrinfo ENOTFOUND github.com'); process.exit(1);`);
    let said = '';
    const env = { ...process.env };
    delete env.ELECTRON_OVERRIDE_DIST_PATH;
    const r = await ensureElectron(env, { stderr: { write: (t: string) => (said += t) } }, installer);
    expect(r).toEqual({ ok: false, reason: 'the Electron download failed (RequestError: getaddrinfo ENOTFOUND github.com)' });
    expect(readFileSync(path.join(dir, 'ran'), 'utf8')).toBe('yes');
    expect(said).toContain('downloading Electron for the tray app (once');
  });

  it('never downloads when ELECTRON_OVERRIDE_DIST_PATH names the binary\'s place, or when headless is decided first', async () => {
    const installer = path.join(dir, 'install.cjs');
    writeFileSync(installer, `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, 'yes');`);
    const r = await ensureElectron({ ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nothing') }, { stderr: { write: () => true } }, installer);
    expect(r.ok).toBe(false);
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
    expect(headlessBeforeElectron(platformFor('linux'), {})).toMatchObject({ mode: 'headless' });
    expect(headlessBeforeElectron(platformFor('linux'), { DISPLAY: ':0' })).toBeUndefined();
    expect(headlessBeforeElectron(platformFor('win32'), { POSHPOOL_HEADLESS: '1' })).toMatchObject({ mode: 'headless', why: 'POSHPOOL_HEADLESS=1 is set' });
  });
});

describe('stopForwarder', () => {
  function child(): StoppableChild & { killed: NodeJS.Signals[] } {
    const killed: NodeJS.Signals[] = [];
    return { exitCode: null, signalCode: null, killed, kill: (s) => (killed.push(s), true) };
  }

  it('on Linux and macOS passes the first stop signal on to the app, once, and lets go when disposed', async () => {
    for (const os of ['linux', 'darwin'] as const) {
      const emitter = new EventEmitter();
      const forwarder = stopForwarder(platformFor(os), emitter as unknown as SignalSource);
      expect(forwarder, os).not.toBeNull();
      const app = child();
      forwarder?.attach(app);
      emitter.emit('SIGTERM', 'SIGTERM');
      emitter.emit('SIGINT', 'SIGINT');
      await new Promise((r) => setImmediate(r));
      expect(app.killed, os).toEqual(['SIGTERM']);
      forwarder?.dispose();
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(emitter.listenerCount(s), `${os} ${s}`).toBe(0);
    }
  });

  it('on Windows forwards nothing and listens to nothing (child.kill there is TerminateProcess: the sessions would be cut off)', () => {
    const emitter = new EventEmitter();
    expect(stopForwarder(platformFor('win32'), emitter as unknown as SignalSource)).toBeNull();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) expect(emitter.listenerCount(s), s).toBe(0);
  });
});

describe('poshpool start (processes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-start-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 1 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: NodeJS.ProcessEnv): { exit: Promise<number | null>; out: () => string; kill: () => void } {
    const child = spawn(process.execPath, [bin, 'start', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    return { exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))), out: () => out, kill: () => void child.kill('SIGTERM') };
  }

  it('without an Electron binary, says why in one line and runs the headless host', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'no-electron-here'), DISPLAY: ':99' };
    const p = run(['--data-dir', dataDir, '--config', path.join(dir, 'config.json')], env);
    expect(await waitFor(() => p.out().includes('Stop with Ctrl+C'), 30_000)).toBe(true);
    expect(p.out()).toMatch(/^poshpool start: ELECTRON_OVERRIDE_DIST_PATH=.* holds no Electron binary .*; starting the headless host instead/m);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(true);
    p.kill();
    expect(await p.exit).toBe(0);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(false);
  });

  it('with Electron and a display, starts the app from the package root with the data dir and config, and passes its exit code on', async () => {
    // A stand-in for the Electron binary (the real one cannot be downloaded here): it records how it was started.
    const dist = path.join(dir, 'electron-dist');
    mkdirSync(dist);
    const fakeElectron = path.join(dist, 'electron');
    writeFileSync(fakeElectron, `#!/bin/sh\nprintf '%s\\n' "$1" "$POSHPOOL_DATA_DIR" "$POSHPOOL_CONFIG" > "${path.join(dir, 'started.txt')}"\nexit 3\n`);
    chmodSync(fakeElectron, 0o755);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toEqual({ ok: true, path: fakeElectron });
    const env = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' };
    const p = run(['--data-dir', 'rel-data', '--config', path.join(dir, 'config.json')], env);
    expect(await p.exit).toBe(3);
    expect(p.out()).toContain(`poshpool start: starting the tray app (${fakeElectron})`);
    expect(readFileSync(path.join(dir, 'started.txt'), 'utf8').split('\n').slice(0, 3)).toEqual([root, path.resolve('rel-data'), path.join(dir, 'config.json')]);
  });

  it('passes a SIGTERM on to the app and ends when the app has (neither is left behind)', async () => {
    const dist = path.join(dir, 'electron-dist');
    mkdirSync(dist);
    // Stands in for Electron, which quits like "Quit" from the tray on SIGTERM.
    writeFileSync(
      path.join(dist, 'electron'),
      `#!/bin/sh\ntrap 'echo TERM > "${path.join(dir, 'signal.txt')}"; exit 0' TERM\necho $$ > "${path.join(dir, 'app.pid')}"\nwhile :; do sleep 0.05; done\n`,
    );
    chmodSync(path.join(dist, 'electron'), 0o755);
    const p = run([], { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' });
    expect(await waitFor(() => existsSync(path.join(dir, 'app.pid')), 10_000)).toBe(true);
    const appPid = Number(readFileSync(path.join(dir, 'app.pid'), 'utf8'));
    p.kill();
    expect(await p.exit).toBe(0);
    expect(readFileSync(path.join(dir, 'signal.txt'), 'utf8').trim()).toBe('TERM');
    expect(await waitFor(() => !processExists(appPid), 5_000)).toBe(true);
  });

  it('a Ctrl+C in the terminal reaches the app once (Electron is killed outright by a second), through poshpool start', async () => {
    const dist = path.join(dir, 'electron-dist');
    mkdirSync(dist);
    const log = path.join(dir, 'signals.txt');
    // Counts the SIGINTs it gets; quits 0.5 s after the first (a second in that time is counted too).
    writeFileSync(
      path.join(dist, 'electron'),
      `#!/bin/sh\nn=0\ntrap 'n=$((n+1)); echo INT >> "${log}"' INT\necho $$ > "${path.join(dir, 'app.pid')}"\nwhile [ $n -eq 0 ]; do sleep 0.05; done\ni=0\nwhile [ $i -lt 10 ]; do sleep 0.05; i=$((i+1)); done\nexit 0\n`,
    );
    chmodSync(path.join(dist, 'electron'), 0o755);
    // Like a shell's foreground job: poshpool start leads its own process group, and Ctrl+C is a
    // SIGINT to the whole group.
    const child = spawn(process.execPath, [bin, 'start'], { env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' }, stdio: 'ignore', detached: true });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    expect(await waitFor(() => existsSync(path.join(dir, 'app.pid')), 10_000)).toBe(true);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exit).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('INT\n');
  });

  it('refuses --port for the tray app and says where the port is set', async () => {
    const dist = path.join(dir, 'electron-dist');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(dist, 'electron'), 0o755);
    const p = run(['--port', '4100'], { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' });
    expect(await p.exit).toBe(2);
    expect(p.out()).toContain('--port is for the headless host');
  });
});

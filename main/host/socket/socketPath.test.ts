import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformFor } from '../../core/platform/Platform.js';
import {
  isNamedPipePath,
  maxSocketPathBytes,
  newPipeId,
  prepareSocketDir,
  prepareSocketPath,
  removeStaleSocket,
  restrictSocketFile,
  socketPathFor,
} from './socketPath.js';

describe('socketPathFor', () => {
  it('puts the socket under $XDG_RUNTIME_DIR in a per-uid directory', () => {
    expect(socketPathFor(platformFor('linux'), '/home/ann/.local/share/poshpool', 1000, { env: { XDG_RUNTIME_DIR: '/run/user/1000' } })).toBe(
      '/run/user/1000/poshpool-1000/host.sock',
    );
  });

  it('falls back to the data dir when XDG_RUNTIME_DIR is unset, empty or relative', () => {
    const dataDir = '/home/ann/.local/share/poshpool';
    const expected = '/home/ann/.local/share/poshpool/poshpool-1000/host.sock';
    expect(socketPathFor(platformFor('linux'), dataDir, 1000)).toBe(expected);
    expect(socketPathFor(platformFor('linux'), dataDir, 1000, { env: {} })).toBe(expected);
    expect(socketPathFor(platformFor('linux'), dataDir, 1000, { env: { XDG_RUNTIME_DIR: '' } })).toBe(expected);
    expect(socketPathFor(platformFor('linux'), dataDir, 1000, { env: { XDG_RUNTIME_DIR: 'run/user/1000' } })).toBe(expected);
  });

  it('uses the same layout on macOS', () => {
    expect(socketPathFor(platformFor('darwin'), '/Users/ann/Library/Application Support/poshpool', 501)).toBe(
      '/Users/ann/Library/Application Support/poshpool/poshpool-501/host.sock',
    );
  });

  it('names a Windows pipe after the random id the host publishes', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(socketPathFor(platformFor('win32'), 'C:\\Users\\ann\\AppData\\Local\\poshpool', undefined, { pipeId: id })).toBe(`\\\\.\\pipe\\poshpool-${id}`);
  });

  it('refuses a Windows pipe without a proper random id', () => {
    expect(() => socketPathFor(platformFor('win32'), 'C:\\data')).toThrow(/pipeId/);
    expect(() => socketPathFor(platformFor('win32'), 'C:\\data', undefined, { pipeId: 'abc' })).toThrow(/pipeId/);
    expect(() => socketPathFor(platformFor('win32'), 'C:\\data', undefined, { pipeId: '..\\..\\evil-pipe-name!' })).toThrow(/pipeId/);
  });

  it('makes pipe ids of 32 hex digits, different every time', () => {
    const a = newPipeId();
    const b = newPipeId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('tells pipe paths from file paths', () => {
    expect(isNamedPipePath('\\\\.\\pipe\\poshpool-abc')).toBe(true);
    expect(isNamedPipePath('\\\\?\\pipe\\poshpool-abc')).toBe(true);
    expect(isNamedPipePath('/run/user/1000/poshpool-1000/host.sock')).toBe(false);
    expect(isNamedPipePath('C:\\pipe\\x')).toBe(false);
  });

  it('knows the kernel limits of socket paths', () => {
    expect(maxSocketPathBytes(platformFor('linux'))).toBe(107);
    expect(maxSocketPathBytes(platformFor('darwin'))).toBe(103);
  });
});

describe.runIf(process.platform !== 'win32')('socket directory and file on disk', () => {
  const uid = process.getuid?.() ?? -1;
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(tmpdir(), 'pp-sp-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

  it('creates the directory and its parents, the directory with mode 0700', async () => {
    const dir = path.join(root, 'data', `poshpool-${uid}`);
    expect(await prepareSocketDir(dir)).toEqual({ ok: true });
    expect(fs.lstatSync(dir).isDirectory()).toBe(true);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('accepts an existing private directory as it is', async () => {
    const dir = path.join(root, 'mine');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'keep'), 'x');
    expect(await prepareSocketDir(dir)).toEqual({ ok: true });
    expect(fs.readdirSync(dir)).toEqual(['keep']);
  });

  it('tightens a directory of ours that group and others can reach to 0700', async () => {
    const dir = path.join(root, 'open');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    expect(await prepareSocketDir(dir)).toEqual({ ok: true });
    expect(modeOf(dir)).toBe(0o700);
  });

  it('refuses a symlinked directory and leaves both link and target alone', async () => {
    const target = path.join(root, 'target');
    fs.mkdirSync(target, { mode: 0o755 });
    fs.chmodSync(target, 0o755);
    const link = path.join(root, 'link');
    fs.symlinkSync(target, link);
    const result = await prepareSocketDir(link);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('symlink');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(modeOf(target)).toBe(0o755);
  });

  it('refuses a regular file where the directory should be', async () => {
    const file = path.join(root, 'file');
    fs.writeFileSync(file, 'data');
    const result = await prepareSocketDir(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('not a directory');
    expect(fs.readFileSync(file, 'utf8')).toBe('data');
  });

  it('refuses a directory owned by another uid and does not change it', async () => {
    const dir = path.join(root, 'theirs');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    const result = await prepareSocketDir(dir, { uid: uid + 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`belongs to uid ${uid}`);
    expect(modeOf(dir)).toBe(0o755);
  });

  it('finds nothing to clear when no socket is there', async () => {
    expect(await removeStaleSocket(path.join(root, 'host.sock'))).toEqual({ ok: true });
  });

  it('never removes a regular file or a symlink at the socket path', async () => {
    const file = path.join(root, 'host.sock');
    fs.writeFileSync(file, 'precious');
    const asFile = await removeStaleSocket(file);
    expect(asFile.ok).toBe(false);
    if (!asFile.ok) expect(asFile.reason).toContain('not a socket');
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');

    const link = path.join(root, 'link.sock');
    fs.symlinkSync(file, link);
    const asLink = await removeStaleSocket(link);
    expect(asLink.ok).toBe(false);
    if (!asLink.ok) expect(asLink.reason).toContain('symlink');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  /** A socket file nobody listens on: a hard link to a live socket outlives the server, which removes its own name. */
  async function makeStaleSocket(at: string): Promise<void> {
    const live = path.join(root, 'live.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(live, resolve));
    fs.linkSync(live, at);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  it('removes a stale socket of ours', async () => {
    const sock = path.join(root, 'host.sock');
    await makeStaleSocket(sock);
    expect(fs.lstatSync(sock).isSocket()).toBe(true);
    expect(await removeStaleSocket(sock)).toEqual({ ok: true });
    expect(fs.existsSync(sock)).toBe(false);
  });

  it('keeps a stale socket that belongs to another uid', async () => {
    const sock = path.join(root, 'host.sock');
    await makeStaleSocket(sock);
    const result = await removeStaleSocket(sock, { uid: uid + 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`belongs to uid ${uid}`);
    expect(fs.lstatSync(sock).isSocket()).toBe(true);
  });

  it('keeps a socket someone is listening on', async () => {
    const sock = path.join(root, 'host.sock');
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const result = await removeStaleSocket(sock);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain('already listening');
      expect(fs.lstatSync(sock).isSocket()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('prepares a whole socket path: private directory, stale socket gone', async () => {
    const dir = path.join(root, `poshpool-${uid}`);
    fs.mkdirSync(dir, { mode: 0o700 });
    const sock = path.join(dir, 'host.sock');
    await makeStaleSocket(sock);
    expect(await prepareSocketPath(sock)).toEqual({ ok: true });
    expect(modeOf(dir)).toBe(0o700);
    expect(fs.existsSync(sock)).toBe(false);
  });

  it('refuses a socket path longer than the kernel takes, before creating anything', async () => {
    const dir = path.join(root, 'x'.repeat(120));
    const result = await prepareSocketPath(path.join(dir, 'host.sock'), { platform: platformFor('linux') });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('over this platform\'s limit of 107');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('restricts a socket file to its owner (0600)', async () => {
    const sock = path.join(root, 'host.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      fs.chmodSync(sock, 0o777);
      expect(await restrictSocketFile(sock)).toEqual({ ok: true });
      expect(modeOf(sock)).toBe(0o600);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

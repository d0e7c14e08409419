import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformFor } from '../../core/platform/Platform.js';
import { AUTH_DIR_NAME, ensureToken, TOKEN_FILE_NAME, tokensEqual } from './token.js';

const posix = process.platform !== 'win32';

describe('ensureToken', () => {
  let root: string;
  let dataDir: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'poshpool-token-'));
    dataDir = path.join(root, 'data');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a 32-byte base64url token in a 0700 dir and a 0600 file, leaving no temp file', async () => {
    const result = await ensureToken(dataDir);
    if (!result.ok) throw new Error(result.reason);
    const dir = path.join(dataDir, AUTH_DIR_NAME);
    expect(result.file).toBe(path.join(dir, TOKEN_FILE_NAME));
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(result.token, 'base64url')).toHaveLength(32);
    expect((await readFile(result.file, 'utf8')).trim()).toBe(result.token);
    expect(await readdir(dir)).toEqual([TOKEN_FILE_NAME]);
    if (posix) {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(result.file)).mode & 0o777).toBe(0o600);
      expect((await stat(result.file)).uid).toBe(process.getuid?.());
    }
  });

  it('reuses the existing token, and another data dir gets another token', async () => {
    const first = await ensureToken(dataDir);
    const second = await ensureToken(dataDir);
    const other = await ensureToken(path.join(root, 'other'));
    if (!first.ok || !second.ok || !other.ok) throw new Error('ensureToken failed');
    expect(second.token).toBe(first.token);
    expect(other.token).not.toBe(first.token);
  });

  it('refuses a symlinked auth dir without writing through it', async () => {
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere, { mode: 0o700 });
    await mkdir(dataDir, { recursive: true });
    await symlink(elsewhere, path.join(dataDir, AUTH_DIR_NAME));
    const result = await ensureToken(dataDir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('symbolic link');
    expect(result.reason).toContain(path.join(dataDir, AUTH_DIR_NAME));
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('refuses a symlinked token file even when its target holds a valid token', async () => {
    await ensureToken(dataDir);
    const file = path.join(dataDir, AUTH_DIR_NAME, TOKEN_FILE_NAME);
    const target = path.join(root, 'planted');
    await writeFile(target, 'A'.repeat(43), { mode: 0o600 });
    await rm(file);
    await symlink(target, file);
    const result = await ensureToken(dataDir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('symbolic link');
    expect(result.reason).toContain(file);
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
  });

  it('refuses a dir open to group or others, saying how to fix it', async () => {
    await mkdir(path.join(dataDir, AUTH_DIR_NAME), { recursive: true });
    await chmod(path.join(dataDir, AUTH_DIR_NAME), 0o750);
    const result = await ensureToken(dataDir);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringContaining(`chmod 700 ${path.join(dataDir, AUTH_DIR_NAME)}`),
    });
    expect(result.ok ? '' : result.reason).toContain('permissions 750');
  });

  it('refuses a token file readable by group or others', async () => {
    const made = await ensureToken(dataDir);
    if (!made.ok) throw new Error(made.reason);
    await chmod(made.file, 0o644);
    const result = await ensureToken(dataDir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`chmod 600 ${made.file}`);
    expect(result.reason).not.toContain(made.token);
  });

  it('refuses files owned by another uid', async () => {
    const made = await ensureToken(dataDir);
    if (!made.ok) throw new Error(made.reason);
    const me = (await stat(made.file)).uid;
    const result = await ensureToken(dataDir, { uid: me + 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`owned by uid ${me}, not by this user (uid ${me + 1})`);
    expect(result.reason).not.toContain(made.token);
  });

  it('refuses a token file that does not hold a token, telling to delete it', async () => {
    await mkdir(path.join(dataDir, AUTH_DIR_NAME), { recursive: true, mode: 0o700 });
    await chmod(path.join(dataDir, AUTH_DIR_NAME), 0o700);
    const file = path.join(dataDir, AUTH_DIR_NAME, TOKEN_FILE_NAME);
    await writeFile(file, 'short', { mode: 0o600 });
    const result = await ensureToken(dataDir);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining(`delete it so poshpool makes a new one`) });
  });

  it('refuses a token path that is a directory', async () => {
    await mkdir(path.join(dataDir, AUTH_DIR_NAME, TOKEN_FILE_NAME), { recursive: true, mode: 0o700 });
    await chmod(path.join(dataDir, AUTH_DIR_NAME), 0o700);
    const result = await ensureToken(dataDir);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('is not a regular file') });
  });

  it('leaves permission bits to the ACL on Windows', async () => {
    const made = await ensureToken(dataDir);
    if (!made.ok) throw new Error(made.reason);
    await chmod(made.file, 0o644);
    const result = await ensureToken(dataDir, { platform: platformFor('win32') });
    expect(result).toEqual({ ok: true, token: made.token, file: made.file });
  });
});

describe('tokensEqual', () => {
  it('is true only for the same string', () => {
    const token = 'a'.repeat(43);
    expect(tokensEqual(token, 'a'.repeat(43))).toBe(true);
    expect(tokensEqual(token, `${'a'.repeat(42)}b`)).toBe(false);
    expect(tokensEqual(token, 'a'.repeat(42))).toBe(false);
    expect(tokensEqual(token, `${token}a`)).toBe(false);
    expect(tokensEqual(token, '')).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
    expect(tokensEqual('é', 'e\u0301')).toBe(false);
  });
});

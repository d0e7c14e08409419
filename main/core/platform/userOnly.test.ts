import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentPlatform, platformFor } from './Platform.js';
import { icaclsUserOnlyArgs, makeUserOnlyDir, parseWhoamiSid, SWEPT_MARKER, systemUserOnlyDeps, WHOAMI_USER_ARGS, type CommandOutcome, type UserOnlyDeps } from './userOnly.js';

const win = platformFor('win32');
const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pp-useronly-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake whoami and icacls that record how they were called. */
function fakeWindows(answers: { whoami?: CommandOutcome; icacls?: CommandOutcome } = {}): UserOnlyDeps & { calls: [string, readonly string[]][] } {
  const calls: [string, readonly string[]][] = [];
  return {
    calls,
    systemRoot: 'C:\\Windows',
    run: async (file, args) => {
      calls.push([file, args]);
      if (file.endsWith('whoami.exe')) return answers.whoami ?? { code: 0, stdout: `"desktop-7\\ann lee","${SID}"\r\n`, stderr: '' };
      return answers.icacls ?? { code: 0, stdout: 'processed file: x\r\nSuccessfully processed 1 files; Failed processing 0 files\r\n', stderr: '' };
    },
  };
}

describe('the data dir on Windows: an ACL for the user alone (icacls)', () => {
  it('builds the exact icacls command for a path with spaces: inheritance removed, full control for the user SID only, inherited below', () => {
    expect(icaclsUserOnlyArgs('D:\\My Data\\poshpool dir\\', SID, win)).toEqual([
      'D:\\My Data\\poshpool dir',
      '/inheritance:r',
      '/grant:r',
      `*${SID}:(OI)(CI)F`,
    ]);
    expect(icaclsUserOnlyArgs('D:\\', SID, win)[0]).toBe('D:\\');
  });

  it('reads the SID from whoami /user /fo csv /nh, even when the account name holds commas or quotes', () => {
    expect(WHOAMI_USER_ARGS).toEqual(['/user', '/fo', 'csv', '/nh']);
    expect(parseWhoamiSid(`"desktop-7\\ann lee","${SID}"\r\n`)).toBe(SID);
    expect(parseWhoamiSid(`"corp\\o""brien, ann","${SID}"`)).toBe(SID);
    expect(parseWhoamiSid('ERROR: something')).toBeUndefined();
  });

  it('runs whoami and icacls from System32 by full path (never from PATH), on the data dir', async () => {
    const dir = path.join(root, 'data dir');
    const deps = fakeWindows();
    expect(await makeUserOnlyDir(dir, win, deps)).toEqual({ ok: true });
    expect(deps.calls).toEqual([
      ['C:\\Windows\\System32\\whoami.exe', ['/user', '/fo', 'csv', '/nh']],
      ['C:\\Windows\\System32\\icacls.exe', icaclsUserOnlyArgs(dir, SID, win)],
    ]);
  });

  it('reports a failing icacls (a FAT32 or network drive) with what it said and what to do, never silently', async () => {
    const deps = fakeWindows({ icacls: { code: 5, stdout: '', stderr: 'E:\\pp: Access is denied.\r\n' } });
    const r = await makeUserOnlyDir(path.join(root, 'd'), win, deps);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain('icacls exit code 5: E:\\pp: Access is denied.');
      expect(r.reason).toContain('POSHPOOL_DATA_DIR');
    }
  });

  it('reports a whoami that gave no SID', async () => {
    const r = await makeUserOnlyDir(path.join(root, 'd'), win, fakeWindows({ whoami: { code: null, stdout: '', stderr: '', error: 'spawn whoami.exe ENOENT' } }));
    expect(r).toEqual({ ok: false, reason: `Cannot make the data dir ${path.join(root, 'd')} private: whoami did not give this user's SID (spawn whoami.exe ENOENT).` });
  });
});

describe.runIf(!currentPlatform().isWindows)('the data dir on POSIX: 0700 and ours, for real (POSIX-only: file modes)', () => {
  const linux = platformFor('linux');

  it('creates a missing data dir (and its parents) as 0700', async () => {
    const dir = path.join(root, 'a', 'b');
    expect(await makeUserOnlyDir(dir, linux)).toEqual({ ok: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('tightens a looser data dir of ours to 0700 and its files to the user alone, keeping them, and notes both for the log', async () => {
    const dir = path.join(root, 'loose');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'keep'), 'x', { mode: 0o644 });
    chmodSync(path.join(dir, 'keep'), 0o644);
    expect(await makeUserOnlyDir(dir, linux)).toEqual({
      ok: true,
      notes: [`the data dir ${dir} had mode 0755 (other local users could reach it); it is now 0700.`, expect.stringContaining('0644 keep')],
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'keep')).mode & 0o777).toBe(0o600);
    expect(await makeUserOnlyDir(dir, linux)).toEqual({ ok: true });
  });

  it('sweeps what is inside once: a private data dir already swept is not walked again, one found open again is', async () => {
    const dir = path.join(root, 'swept');
    mkdirSync(dir, { mode: 0o700 });
    expect(await makeUserOnlyDir(dir, linux)).toEqual({ ok: true });
    expect(statSync(path.join(dir, SWEPT_MARKER)).mode & 0o777).toBe(0o600);
    writeFileSync(path.join(dir, 'later'), 'x', { mode: 0o644 });
    chmodSync(path.join(dir, 'later'), 0o644);
    expect(await makeUserOnlyDir(dir, linux)).toEqual({ ok: true });
    expect(statSync(path.join(dir, 'later')).mode & 0o777).toBe(0o644);
    chmodSync(dir, 0o755);
    expect(await makeUserOnlyDir(dir, linux)).toMatchObject({ ok: true, notes: [expect.stringContaining('now 0700'), expect.stringContaining('0644 later')] });
    expect(statSync(path.join(dir, 'later')).mode & 0o777).toBe(0o600);
  });

  it('refuses a data dir owned by someone else, saying whose it is', async () => {
    const me = systemUserOnlyDeps.uid!;
    const r = await makeUserOnlyDir(root, linux, { ...systemUserOnlyDeps, uid: me + 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(`belongs to uid ${me}, not to you (uid ${me + 1})`);
  });

  it('refuses a data dir path that is a file', async () => {
    const file = path.join(root, 'file');
    writeFileSync(file, 'x');
    const r = await makeUserOnlyDir(file, linux);
    expect(r.ok).toBe(false);
  });
});

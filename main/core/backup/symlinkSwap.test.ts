import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { onPosix } from '../../../test/platformGates.js';
import { waitFor } from '../../../test/pwsh.js';
import { EventBus } from '../events/EventBus.js';
import { currentPlatform, type Platform } from '../platform/Platform.js';
import { BackupService } from './BackupService.js';

// Point 13 of issue 14: a symlink swap inside a watched folder. A file replaced by a link to a secret
// outside the folder, and a directory replaced by a link to a directory outside, must not make the
// backup read or store what is outside; a restore must never write through a link out of the folder.
// Real git, the real watcher (both backends), real links. POSIX-only: creating symbolic links on
// Windows needs a privilege or developer mode.

const SECRET = 'TOP SECRET: the outside file';
const DIR_SECRET = 'TOP SECRET: a file of the outside directory';
const PASSWD = 'root:x:0:0:root:/root:/bin/bash';

let dir: string;
let folder: string;
let outside: string;
let env: NodeJS.ProcessEnv;
let service: BackupService | undefined;
let events: PoshpoolEvent[];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The git dir the folder's backups go to: the repository's, or the private bare one. */
function backupGitDir(kind: 'repo' | 'plain'): string {
  if (kind === 'repo') return path.join(folder, '.git');
  const backups = path.join(dir, 'data', 'backups');
  const [id] = execFileSync('ls', [backups], { encoding: 'utf8' }).trim().split('\n');
  return path.join(backups, id!, 'repo.git');
}

/** Every object in the backup's git dir, contents and all, as one text. */
function everyObject(gitDir: string): string {
  return git(dir, '--git-dir', gitDir, 'cat-file', '--batch-all-objects', '--batch');
}

function completed(): string[] {
  return events.filter((e): e is Extract<PoshpoolEvent, { type: 'backup.completed' }> => e.type === 'backup.completed').map((e) => e.backupId);
}

function start(platform: Platform): BackupService {
  const bus = new EventBus();
  events = [];
  bus.onEvent((e) => events.push(e));
  service = new BackupService({
    settings: { watchFolders: [folder], backupQuietSeconds: 0.3, backupMaxDelaySeconds: 5, backupKeepLast: 100, backupKeepDays: 30, backupRetryMs: 50 },
    dataDir: path.join(dir, 'data'),
    bus,
    platform,
  });
  return service;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-symlink-'));
  const home = path.join(dir, 'home');
  mkdirSync(home);
  env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
  folder = path.join(dir, 'watched');
  outside = path.join(dir, 'outside');
  mkdirSync(path.join(folder, 'lib'), { recursive: true });
  mkdirSync(path.join(outside, 'dir'), { recursive: true });
  writeFileSync(path.join(folder, 'config.txt'), 'mine\n');
  writeFileSync(path.join(folder, 'lib', 'x.txt'), 'lib file\n');
  writeFileSync(path.join(outside, 'secret.txt'), SECRET);
  writeFileSync(path.join(outside, 'passwd'), PASSWD);
  writeFileSync(path.join(outside, 'dir', 'o.txt'), DIR_SECRET);
});
afterEach(async () => {
  await service?.dispose();
  service = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** What lies outside the folder, byte for byte, as it was made. */
function outsideIsUntouched(): void {
  expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(SECRET);
  expect(readFileSync(path.join(outside, 'passwd'), 'utf8')).toBe(PASSWD);
  expect(readFileSync(path.join(outside, 'dir', 'o.txt'), 'utf8')).toBe(DIR_SECRET);
  expect(execFileSync('ls', ['-A', outside], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual(['dir', 'passwd', 'secret.txt']);
  expect(execFileSync('ls', ['-A', path.join(outside, 'dir')], { encoding: 'utf8' }).trim()).toBe('o.txt');
}

const modes: Platform['folderWatch'][] = ['perDirectory', 'recursiveRoot'];
describe.runIf(onPosix).each(modes.flatMap((m) => [[m, 'plain'] as const, [m, 'repo'] as const]))('a symlink swap in a watched folder (%s watch, %s folder)', (watchMode, kind) => {
  it('the backup stores the links, never what they point to, and a restore replaces the links without writing through them', async () => {
    if (kind === 'repo') {
      git(folder, 'init', '-q', '-b', 'main');
      git(folder, '-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'empty');
    }
    const s = start({ ...currentPlatform(), folderWatch: watchMode });
    await s.start();
    const first = await s.backupNow(folder);
    if (!first.ok || !first.results[0]!.result.ok || first.results[0]!.result.kind !== 'created') throw new Error(JSON.stringify(first));
    const before = first.results[0]!.result.id;

    // The swap: a file and a directory become links out of the folder, and a new link appears.
    unlinkSync(path.join(folder, 'config.txt'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(folder, 'config.txt'));
    rmSync(path.join(folder, 'lib'), { recursive: true });
    symlinkSync(path.join(outside, 'dir'), path.join(folder, 'lib'));
    symlinkSync(path.join(outside, 'passwd'), path.join(folder, 'passwd'));
    expect(await waitFor(() => completed().some((id) => id !== before), 15_000)).toBe(true);
    const swapped = completed().at(-1)!;

    const gitDir = backupGitDir(kind);
    const tree = git(folder, '--git-dir', gitDir, 'ls-tree', '-r', swapped);
    expect(tree).toMatch(/^120000 blob \S+\tconfig\.txt$/m);
    expect(tree).toMatch(/^120000 blob \S+\tlib$/m);
    expect(tree).toMatch(/^120000 blob \S+\tpasswd$/m);
    expect(tree).not.toContain('lib/');
    expect(git(folder, '--git-dir', gitDir, 'cat-file', 'blob', `${swapped}:config.txt`)).toBe(path.join(outside, 'secret.txt'));
    const stored = everyObject(gitDir);
    for (const secret of [SECRET, DIR_SECRET, PASSWD]) expect(stored).not.toContain(secret);

    // Restoring one file, and a file under the linked directory, while the links are there.
    expect(await s.restore(folder, before, 'config.txt')).toMatchObject({ ok: true, restored: ['config.txt'] });
    expect(lstatSync(path.join(folder, 'config.txt')).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(folder, 'config.txt'), 'utf8')).toBe('mine\n');
    outsideIsUntouched();
    expect(await s.restore(folder, before, 'lib/x.txt')).toMatchObject({ ok: true, restored: ['lib/x.txt'] });
    expect(lstatSync(path.join(folder, 'lib')).isDirectory()).toBe(true);
    expect(readFileSync(path.join(folder, 'lib', 'x.txt'), 'utf8')).toBe('lib file\n');
    expect(existsSync(path.join(outside, 'dir', 'x.txt'))).toBe(false);
    outsideIsUntouched();

    // Swap again, then restore the whole folder: the links go (unlinked, never their targets).
    unlinkSync(path.join(folder, 'config.txt'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(folder, 'config.txt'));
    rmSync(path.join(folder, 'lib'), { recursive: true });
    symlinkSync(path.join(outside, 'dir'), path.join(folder, 'lib'));
    const whole = await s.restore(folder, before);
    expect(whole).toMatchObject({ ok: true });
    expect(lstatSync(path.join(folder, 'config.txt')).isFile()).toBe(true);
    expect(readFileSync(path.join(folder, 'config.txt'), 'utf8')).toBe('mine\n');
    expect(lstatSync(path.join(folder, 'lib')).isDirectory()).toBe(true);
    expect(readFileSync(path.join(folder, 'lib', 'x.txt'), 'utf8')).toBe('lib file\n');
    expect(existsSync(path.join(folder, 'passwd'))).toBe(false);
    outsideIsUntouched();

    // Undo puts the links back as links.
    if (!whole.ok) throw new Error(whole.reason);
    expect(await s.restore(folder, whole.undoId)).toMatchObject({ ok: true });
    expect(readlinkSync(path.join(folder, 'config.txt'))).toBe(path.join(outside, 'secret.txt'));
    expect(readlinkSync(path.join(folder, 'lib'))).toBe(path.join(outside, 'dir'));
    outsideIsUntouched();
    const storedAtEnd = everyObject(gitDir);
    for (const secret of [SECRET, DIR_SECRET, PASSWD]) expect(storedAtEnd).not.toContain(secret);
  });

  it('the folder itself swapped for a link out of it: no backup reads, and no restore writes, what the link leads to', async () => {
    if (kind === 'repo') {
      git(folder, 'init', '-q', '-b', 'main');
      git(folder, '-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'empty');
    }
    const s = start({ ...currentPlatform(), folderWatch: watchMode });
    await s.start();
    const first = await s.backupNow(folder);
    if (!first.ok || !first.results[0]!.result.ok) throw new Error(JSON.stringify(first));
    const gitDir = backupGitDir(kind);
    const before = first.results[0]!.result.id;
    const moved = path.join(dir, 'moved-away');
    renameSync(folder, moved);
    symlinkSync(outside, folder);

    const again = await s.backupNow(folder);
    expect(again).toMatchObject({ ok: true, results: [{ result: { ok: false, reason: expect.stringContaining('a symbolic link was put on its path') } }] });
    expect(await s.restore(folder, before)).toMatchObject({ ok: false, reason: expect.stringContaining('a symbolic link was put on its path') });
    expect(await s.diff(folder, before, 'now')).toMatchObject({ ok: false, reason: expect.stringContaining('a symbolic link was put on its path') });
    outsideIsUntouched();
    expect(existsSync(path.join(outside, 'config.txt'))).toBe(false);
    // Neither the repository nor a private one the backup might have made for what the path leads to.
    const privateRepo = path.join(path.dirname(backupGitDir('plain')), 'repo.git');
    const stored = everyObject(kind === 'repo' ? path.join(moved, '.git') : gitDir) + (existsSync(privateRepo) ? everyObject(privateRepo) : '');
    for (const secret of [SECRET, DIR_SECRET, PASSWD]) expect(stored).not.toContain(secret);

    // Put back, it goes on.
    unlinkSync(folder);
    renameSync(moved, folder);
    writeFileSync(path.join(folder, 'config.txt'), 'mine, changed\n');
    expect(await s.backupNow(folder)).toMatchObject({ ok: true, results: [{ result: { ok: true, kind: 'created' } }] });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { waitFor } from '../../../test/pwsh.js';
import { EventBus } from '../events/EventBus.js';
import { currentPlatform, platformFor, type Platform } from '../platform/Platform.js';
import { BackupService, type BackupSettings } from './BackupService.js';

// The backup service end to end: a real git repository, the real watcher, real backups.

let dir: string;
let repo: string;
let env: NodeJS.ProcessEnv;
let service: BackupService | undefined;
let events: PoshpoolEvent[];

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();
}

function start(overrides: Partial<BackupSettings> = {}, platform: Platform = currentPlatform()): BackupService {
  const bus = new EventBus();
  events = [];
  bus.onEvent((e) => events.push(e));
  service = new BackupService({
    settings: { watchFolders: [repo], backupQuietSeconds: 0.3, backupMaxDelaySeconds: 5, backupKeepLast: 100, backupKeepDays: 30, backupRetryMs: 50, ...overrides },
    dataDir: path.join(dir, 'data'),
    bus,
    platform,
  });
  return service;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-backupsvc-'));
  repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.invalid');
  writeFileSync(path.join(repo, 'a.txt'), 'one\n');
  writeFileSync(path.join(repo, '.gitignore'), 'ignored/\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
});
afterEach(async () => {
  await service?.dispose();
  service = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('BackupService', () => {
  it('backs a folder up once after a burst of changes, on a shadow ref only', async () => {
    const s = start();
    await s.start();
    const head = git('rev-parse', 'HEAD');
    const index = readFileSync(path.join(repo, '.git', 'index'));
    for (let i = 0; i < 100; i++) writeFileSync(path.join(repo, `f${i}.txt`), `file ${i}\n`);
    expect(await waitFor(() => events.some((e) => e.type === 'backup.completed'), 10_000)).toBe(true);
    const done = events.filter((e) => e.type === 'backup.completed');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ folder: repo, filesChanged: 100, reason: 'quiet' });
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(readFileSync(path.join(repo, '.git', 'index')).equals(index)).toBe(true);
    expect(git('for-each-ref', '--format=%(refname)', 'refs/poshpool/')).toBe('refs/poshpool/backups/main');
    expect(git('status', '--porcelain').split('\n')).toHaveLength(100);
    expect(s.metrics()).toEqual({ completed: 1, skipped: 0, failed: 0 });
  });

  it('lists, diffs and restores backups, and the restore can be undone', async () => {
    const s = start();
    await s.start();
    writeFileSync(path.join(repo, 'a.txt'), 'two\n');
    const first = await s.backupNow();
    expect(first.ok && first.results[0]!.result).toMatchObject({ ok: true, kind: 'created' });
    const firstId = first.ok && first.results[0]!.result.ok ? first.results[0]!.result.id : '';
    writeFileSync(path.join(repo, 'a.txt'), 'three\n');
    const history = await s.history(repo);
    expect(history.ok && history.backups.map((b) => b.id)).toEqual([firstId]);
    const diff = await s.diff(repo, firstId, 'now');
    expect(diff.ok && diff.diff).toContain('-two');
    expect(diff.ok && diff.diff).toContain('+three');
    const restored = await s.restore(repo, firstId, 'a.txt');
    expect(restored.ok).toBe(true);
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('two\n');
    if (!restored.ok) return;
    const undone = await s.restore(repo, restored.undoId, 'a.txt');
    expect(undone.ok).toBe(true);
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('three\n');
    // The undo's own safety backup holds "two"; backing up "three" now creates one, and then nothing changes.
    expect(await s.backupNow(repo)).toMatchObject({ ok: true, results: [{ result: { ok: true, kind: 'created' } }] });
    expect(await s.backupNow(repo)).toMatchObject({ ok: true, results: [{ result: { ok: true, kind: 'skipped' } }] });
    expect(events.some((e) => e.type === 'backup.skipped')).toBe(true);
  });

  it('refuses a folder that is not watched, naming the watched ones', async () => {
    const s = start();
    await s.start();
    const h = await s.history('/somewhere/else');
    expect(h.ok).toBe(false);
    expect(!h.ok && h.reason).toContain(repo);
  });

  it('ignores what git ignores', async () => {
    const s = start();
    await s.start();
    mkdirSync(path.join(repo, 'ignored'));
    writeFileSync(path.join(repo, 'ignored', 'x.log'), 'noise\n');
    writeFileSync(path.join(repo, 'kept.txt'), 'kept\n');
    expect(await waitFor(() => events.some((e) => e.type === 'backup.completed'), 10_000)).toBe(true);
    const h = await s.history(repo);
    expect(h.ok && h.backups[0]!.files.map((f) => f.path)).toEqual(['kept.txt']);
  });

  it('with the Windows watch (one recursive watch on the root) backs up nested creates, changes and deletes once, and a renamed subfolder', async () => {
    mkdirSync(path.join(repo, 'src', 'lib', 'deep'), { recursive: true });
    writeFileSync(path.join(repo, 'src', 'lib', 'old.ts'), 'old\n');
    writeFileSync(path.join(repo, 'src', 'lib', 'deep', 'gone.ts'), 'gone\n');
    const s = start({}, { ...currentPlatform(), folderWatch: 'recursiveRoot' });
    await s.start();
    expect(await s.backupNow(repo)).toMatchObject({ ok: true, results: [{ result: { ok: true, kind: 'created' } }] });
    events = [];
    writeFileSync(path.join(repo, 'src', 'lib', 'old.ts'), 'changed\n');
    mkdirSync(path.join(repo, 'src', 'new', 'nested'), { recursive: true });
    writeFileSync(path.join(repo, 'src', 'new', 'nested', 'added.ts'), 'added\n');
    rmSync(path.join(repo, 'src', 'lib', 'deep', 'gone.ts'));
    expect(await waitFor(() => events.some((e) => e.type === 'backup.completed'), 10_000)).toBe(true);
    // One backup for the burst: nothing more comes after a few quiet periods.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(events.filter((e) => e.type === 'backup.completed')).toHaveLength(1);
    const h = await s.history(repo, 1);
    expect(h.ok && h.backups[0]!.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(['added src/new/nested/added.ts', 'deleted src/lib/deep/gone.ts', 'modified src/lib/old.ts']);

    events = [];
    renameSync(path.join(repo, 'src', 'new'), path.join(repo, 'src', 'renamed'));
    expect(await waitFor(() => events.some((e) => e.type === 'backup.completed'), 10_000)).toBe(true);
    const after = await s.history(repo, 1);
    expect(after.ok && after.backups[0]!.files).toMatchObject([{ status: 'renamed', oldPath: 'src/new/nested/added.ts', path: 'src/renamed/nested/added.ts' }]);
    expect(events.filter((e) => e.type === 'backup.failed')).toEqual([]);
  });

  it('with the Windows watch, a deleted watched folder is reported as a failure event, not a crash', async () => {
    const s = start({}, { ...currentPlatform(), folderWatch: 'recursiveRoot' });
    await s.start();
    rmSync(repo, { recursive: true });
    expect(await waitFor(() => events.some((e) => e.type === 'backup.failed'), 10_000)).toBe(true);
    expect(events.find((e) => e.type === 'backup.failed')).toMatchObject({ folder: repo, error: expect.stringContaining('was deleted or moved away') });
    expect(s.list()).toEqual([{ folder: repo, lastBackupAt: null, running: false }]);
  });

  it('finds a watched folder by any name of it on this platform and watches two names of one folder once (Linux: case matters)', async () => {
    const s = start({ watchFolders: [repo, `${repo}${path.sep}`, path.join(repo, 'sub', '..')] }, platformFor('linux'));
    await s.start();
    expect(s.list().map((f) => f.folder)).toEqual([repo]);
    expect(await s.history(`${repo}/`)).toMatchObject({ ok: true });
    const upper = path.join(path.dirname(repo), path.basename(repo).toUpperCase());
    expect(await s.history(upper)).toMatchObject({ ok: false, reason: expect.stringContaining('is not a watched folder') });
  });

  it('on Windows matches watched folders whatever their case, separators or trailing backslash, keeping the configured spelling', async () => {
    // Windows paths on this machine: the folders do not exist here, which only shows in the results.
    const s = start({ watchFolders: ['C:\\src\\App', 'c:\\SRC\\app\\', 'C:/src/App/', 'D:\\other'] }, platformFor('win32'));
    await s.start();
    expect(s.list().map((f) => f.folder)).toEqual(['C:\\src\\App', 'D:\\other']);
    for (const name of ['c:\\src\\app', 'C:\\SRC\\APP\\', 'c:/src/app']) {
      const done = await s.backupNow(name);
      expect(done.ok && done.results.map((r) => r.folder)).toEqual(['C:\\src\\App']);
    }
    expect(await s.diff('d:\\OTHER\\', 'abc', 'parent')).not.toMatchObject({ reason: expect.stringContaining('is not a watched folder') });
    expect(await s.restore('C:\\src\\Apps', 'abc')).toMatchObject({ ok: false, reason: expect.stringContaining('"C:\\src\\Apps" is not a watched folder. Watched: C:\\src\\App, D:\\other.') });
  });
});

import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GitBackup } from './GitBackup.js';
import { fileState, GitFixture, treeState, useGitFixture } from '../../../test/gitFixture.js';

// Restores: round trips, single files, undo, and never a file outside the folder.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const read = (dir: string, rel: string): string => readFileSync(path.join(dir, ...rel.split('/')), 'utf8');

async function created(gb: GitBackup): Promise<string> {
  const r = await gb.backup();
  if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
  return r.id;
}

describe('GitBackup.restore', () => {
  it('restores the whole snapshot: changed and deleted files come back, new files go, ignored files stay', async () => {
    const repo = fx.repo('r', { '.gitignore': '*.log\n', 'a.txt': 'a\n', 'b.txt': 'b\n' });
    fx.write(repo, { 'a.txt': 'a at backup\n', 'sub/c.txt': 'c at backup\n', 'bin.dat': Buffer.from([0, 1, 2, 255]) });
    const gb = fx.backup(repo);
    const snapshot = await created(gb);
    const atBackup = treeState(repo, (rel) => rel === '.git');

    fx.write(repo, { 'a.txt': 'a later\n', 'sub/c.txt': 'c later\n', 'bin.dat': Buffer.from([9, 9]), 'new.txt': 'new\n', 'later/deep/file.txt': 'deep\n', 'debug.log': 'ignored\n' });
    rmSync(path.join(repo, 'b.txt'));
    const index = fileState(path.join(repo, '.git', 'index'));
    const head = fx.git(repo, 'rev-parse', 'HEAD');

    const r = await gb.restore(snapshot);
    if (!r.ok) throw new Error(r.reason);
    expect(r.undoId).not.toBe(snapshot);
    expect([...r.restored].sort()).toEqual(['a.txt', 'b.txt', 'bin.dat', 'sub/c.txt']);
    expect([...r.removed].sort()).toEqual(['later/deep/file.txt', 'new.txt']);

    const now = treeState(repo, (rel) => rel === '.git' || rel === 'debug.log');
    expect([...now.keys()].sort()).toEqual([...atBackup.keys()].sort());
    for (const [rel, state] of atBackup) expect(now.get(rel)?.sha256, rel).toBe(state.sha256);
    expect(existsSync(path.join(repo, 'later'))).toBe(false);
    expect(read(repo, 'debug.log')).toBe('ignored\n');
    // A restore writes the working tree only: never .git/index or HEAD.
    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(fx.git(repo, 'rev-parse', 'HEAD')).toBe(head);
    // The folder now matches the backup.
    expect(await gb.diff(snapshot, 'now')).toEqual({ ok: true, diff: '' });
  });

  it('is undoable: restoring undoId brings back the state from before the restore', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const gb = fx.backup(repo);
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'work in progress\n', 'c.txt': 'new file\n' });
    rmSync(path.join(repo, 'b.txt'));
    const before = treeState(repo, (rel) => rel === '.git');

    const r = await gb.restore(snapshot);
    if (!r.ok) throw new Error(r.reason);
    expect(read(repo, 'a.txt')).toBe('a\n');
    expect(existsSync(path.join(repo, 'c.txt'))).toBe(false);

    const undo = await gb.restore(r.undoId);
    if (!undo.ok) throw new Error(undo.reason);
    const after = treeState(repo, (rel) => rel === '.git');
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [rel, state] of before) expect(after.get(rel)?.sha256, rel).toBe(state.sha256);
    expect(read(repo, 'a.txt')).toBe('work in progress\n');
    expect(existsSync(path.join(repo, 'b.txt'))).toBe(false);
    // Undoing was itself undoable: its own safety backup is the restored snapshot's state.
    expect(fx.git(repo, 'rev-parse', `${undo.undoId}^{tree}`)).toBe(fx.git(repo, 'rev-parse', `${snapshot}^{tree}`));
  });

  it('restores one file only, leaving every other file as it is', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', 'dir/b.txt': 'b\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'a at backup\n' });
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'a later\n', 'dir/b.txt': 'b later\n', 'new.txt': 'new\n' });

    const r = await gb.restore(snapshot, 'a.txt');
    expect(r).toMatchObject({ ok: true, restored: ['a.txt'], removed: [] });
    expect(read(repo, 'a.txt')).toBe('a at backup\n');
    expect(read(repo, 'dir/b.txt')).toBe('b later\n');
    expect(read(repo, 'new.txt')).toBe('new\n');

    // An absolute path inside the folder works too, and so does a file deleted since.
    rmSync(path.join(repo, 'dir', 'b.txt'));
    expect(await gb.restore(snapshot, path.join(repo, 'dir', 'b.txt'))).toMatchObject({ ok: true, restored: ['dir/b.txt'] });
    expect(read(repo, 'dir/b.txt')).toBe('b\n');
  });

  it('refuses a path that is not in the backup or lies outside the folder, before backing anything up', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'changed\n' });
    expect(await gb.restore(snapshot, 'nope.txt')).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(/not in backup/) });
    expect(await gb.restore(snapshot, '../elsewhere.txt')).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(/outside/) });
    expect(await gb.restore('feedfacefeedfacefeedfacefeedfacefeedface')).toMatchObject({ ok: false, retry: false });
    expect(fx.git(repo, 'rev-parse', 'refs/poshpool/backups/main').trim()).toBe(snapshot);
    expect(read(repo, 'a.txt')).toBe('changed\n');
  });

  it('restores only the folder of a repository subdirectory; files outside it are never touched', async () => {
    const repo = fx.repo('r', { 'top.txt': 'top\n', 'app/x.txt': 'x\n' });
    const app = path.join(repo, 'app');
    const gb = fx.backup(app);
    const snapshot = await created(gb);
    fx.write(repo, { 'top.txt': 'top changed\n', 'outside-new.txt': 'o\n', 'app/x.txt': 'x changed\n', 'app/new.txt': 'n\n' });
    const outside = treeState(repo, (rel) => rel === '.git' || rel === 'app');

    const r = await gb.restore(snapshot);
    expect(r).toMatchObject({ ok: true, restored: ['x.txt'], removed: ['new.txt'] });
    expect(read(app, 'x.txt')).toBe('x\n');
    expect(existsSync(path.join(app, 'new.txt'))).toBe(false);
    expect(treeState(repo, (rel) => rel === '.git' || rel === 'app')).toEqual(outside);
  });

  it('round-trips a folder outside any repository', async () => {
    const folder = fx.dir('plain', { 'a.txt': 'a\n', 'img.bin': Buffer.from([1, 0, 2]) });
    const gb = fx.backup(folder);
    const snapshot = await created(gb);
    fx.write(folder, { 'a.txt': 'changed\n', 'img.bin': Buffer.from([7]), 'extra.txt': 'x\n' });
    const r = await gb.restore(snapshot);
    expect(r).toMatchObject({ ok: true, removed: ['extra.txt'] });
    expect(read(folder, 'a.txt')).toBe('a\n');
    expect([...readFileSync(path.join(folder, 'img.bin'))]).toEqual([1, 0, 2]);
    expect(existsSync(path.join(folder, 'extra.txt'))).toBe(false);
    expect(existsSync(path.join(folder, '.git'))).toBe(false);
    const undo = await gb.restore(r.ok ? r.undoId : '');
    expect(undo.ok).toBe(true);
    expect(read(folder, 'a.txt')).toBe('changed\n');
    expect(read(folder, 'extra.txt')).toBe('x\n');
  });

  it('takes no new safety backup when the folder already matches the newest one, and returns that as undoId', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    const first = await created(gb);
    fx.write(repo, { 'a.txt': 'b\n' });
    const second = await created(gb);
    const r = await gb.restore(first);
    expect(r).toMatchObject({ ok: true, undoId: second, restored: ['a.txt'] });
    expect(read(repo, 'a.txt')).toBe('a\n');
  });
});

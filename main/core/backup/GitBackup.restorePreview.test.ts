import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GitBackup } from './GitBackup.js';
import { fileState, GitFixture, treeState, useGitFixture } from '../../../test/gitFixture.js';

// The preview a person confirms before a restore: exactly the files the restore then writes and removes.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

async function created(gb: GitBackup): Promise<string> {
  const r = await gb.backup();
  if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
  return r.id;
}

const sorted = <T extends { path: string }>(files: T[]): T[] => [...files].sort((a, b) => a.path.localeCompare(b.path));

describe('GitBackup.previewRestore', () => {
  it('names what a whole-folder restore overwrites, creates and removes, and matches what the restore then does', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', 'b.txt': 'b\n', 'same.txt': 'same\n' });
    const gb = fx.backup(repo);
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'a later\n', 'new.txt': 'new\n' });
    rmSync(path.join(repo, 'b.txt'));
    const before = treeState(repo, (rel) => rel === '.git');
    const index = fileState(path.join(repo, '.git', 'index'));

    const preview = await gb.previewRestore(snapshot);
    if (!preview.ok) throw new Error(preview.reason);
    expect(preview.backupId).toBe(snapshot);
    expect(sorted(preview.files)).toEqual([
      { path: 'a.txt', change: 'overwrite' },
      { path: 'b.txt', change: 'create' },
      { path: 'new.txt', change: 'remove' },
    ]);
    // A preview writes nothing: not the folder, not .git/index, no backup.
    expect(treeState(repo, (rel) => rel === '.git')).toEqual(before);
    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(await gb.history()).toHaveLength(1);

    const restored = await gb.restore(snapshot);
    if (!restored.ok) throw new Error(restored.reason);
    expect([...restored.restored].sort()).toEqual(preview.files.filter((f) => f.change !== 'remove').map((f) => f.path).sort());
    expect(restored.removed).toEqual(preview.files.filter((f) => f.change === 'remove').map((f) => f.path));
  });

  it('says for one file whether the current file differs, is missing, or already matches', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', 'b.txt': 'b\n', 'same.txt': 'same\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'a at backup\n' });
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'a later\n' });
    rmSync(path.join(repo, 'b.txt'));

    expect(await gb.previewRestore(snapshot, 'a.txt')).toEqual({ ok: true, backupId: snapshot, files: [{ path: 'a.txt', change: 'overwrite' }] });
    expect(await gb.previewRestore(snapshot, 'b.txt')).toEqual({ ok: true, backupId: snapshot, files: [{ path: 'b.txt', change: 'create' }] });
    expect(await gb.previewRestore(snapshot, 'same.txt')).toEqual({ ok: true, backupId: snapshot, files: [{ path: 'same.txt', change: 'unchanged' }] });
  });

  it('works in a folder inside a repository, with folder-relative paths', async () => {
    const repo = fx.repo('r', { 'outside.txt': 'o\n', 'app/src/x.ts': 'x\n' });
    const folder = path.join(repo, 'app');
    const gb = fx.backup(folder);
    fx.write(folder, { 'src/x.ts': 'x at backup\n' });
    const snapshot = await created(gb);
    fx.write(folder, { 'src/x.ts': 'x later\n' });
    fx.write(repo, { 'outside.txt': 'changed outside\n' });

    const whole = await gb.previewRestore(snapshot);
    expect(whole).toEqual({ ok: true, backupId: snapshot, files: [{ path: 'src/x.ts', change: 'overwrite' }] });
    expect(await gb.previewRestore(snapshot, 'src/x.ts')).toEqual(whole);
  });

  it('takes the path literally and refuses one outside the folder, or not in the backup', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', '*.txt': 'star\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'a at backup\n' });
    const snapshot = await created(gb);
    fx.write(repo, { 'a.txt': 'a later\n' });
    mkdirSync(path.join(fx.root, 'elsewhere'), { recursive: true });

    // `*.txt` is that file only, not a glob matching a.txt.
    expect(await gb.previewRestore(snapshot, '*.txt')).toEqual({ ok: true, backupId: snapshot, files: [{ path: '*.txt', change: 'unchanged' }] });
    const outside = await gb.previewRestore(snapshot, '../elsewhere/x.txt');
    expect(outside.ok).toBe(false);
    if (!outside.ok) expect(outside.reason).toMatch(/outside the backed-up folder/);
    const missing = await gb.previewRestore(snapshot, 'nope.txt');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toMatch(/nope\.txt is not in backup/);
    const badId = await gb.previewRestore('not a backup!', 'a.txt');
    expect(badId.ok).toBe(false);
  });
});

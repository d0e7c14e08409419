import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileState, GitFixture, treeState, useGitFixture } from '../../../test/gitFixture.js';

// DESIGN.md §4: a backup never writes HEAD, the index, the working tree or refs/heads, and never
// touches someone else's lock. Checked byte for byte (and mtime) against real repositories.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

/** Every file of .git except the object store and poshpool's own refs, the only places a backup writes. */
function gitDirState(repo: string): ReturnType<typeof treeState> {
  return treeState(path.join(repo, '.git'), (rel) => rel === 'objects' || rel === 'refs/poshpool');
}

/** Every file of the working tree. */
function workTreeState(repo: string): ReturnType<typeof treeState> {
  return treeState(repo, (rel) => rel === '.git');
}

/** What the user sees of their repository through git. */
function userView(repo: string): Record<string, string> {
  return {
    head: readFileSync(path.join(repo, '.git', 'HEAD'), 'utf8'),
    heads: fx.git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'),
    stash: fx.git(repo, 'stash', 'list', '--format=%H %gs'),
    staged: fx.git(repo, 'diff', '--cached', '--name-status'),
  };
}

describe('GitBackup leaves the user alone', () => {
  it('leaves .git/index (bytes and mtime), HEAD, refs/heads, the stash and the working tree exactly as they were', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n', 'b.txt': 'b\n', 'lib/c.txt': 'c\n' });
    fx.write(repo, { 'a.txt': 'stashed change\n' });
    fx.git(repo, 'stash', 'push', '-q', '-m', 'my stash');
    fx.git(repo, 'switch', '-q', '-c', 'topic');
    fx.write(repo, { 'b.txt': 'staged\n' });
    fx.git(repo, 'add', 'b.txt');
    fx.write(repo, { 'b.txt': 'staged, then changed again\n', 'lib/c.txt': 'unstaged\n', 'untracked.txt': 'u\n' });

    const view = userView(repo);
    const index = fileState(path.join(repo, '.git', 'index'));
    const gitDir = gitDirState(repo);
    const work = workTreeState(repo);
    expect(view.stash).toMatch(/ On main: my stash\n$/);

    const gb = fx.backup(repo);
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    expect(r.files.map((f) => f.path)).toEqual(['b.txt', 'lib/c.txt', 'untracked.txt']);
    expect(fx.git(repo, 'show', `${r.id}:b.txt`)).toBe('staged, then changed again\n');
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'skipped' });
    expect(await gb.history()).toHaveLength(1);
    expect(await gb.diff(r.id, 'parent')).toMatchObject({ ok: true });
    expect(await gb.diff(r.id, 'now')).toEqual({ ok: true, diff: '' });
    expect(await gb.prune({ keepLast: 1 })).toMatchObject({ ok: true, removed: 0 });

    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(gitDirState(repo)).toEqual(gitDir);
    expect(workTreeState(repo)).toEqual(work);
    expect(userView(repo)).toEqual(view);
    expect(fx.git(repo, 'rev-parse', 'refs/poshpool/backups/topic').trim()).toBe(r.id);
  });

  it("backs up while the user's .git/index.lock exists, and leaves the lock as it was", async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    fx.write(repo, { 'a.txt': 'changed\n' });
    const lock = path.join(repo, '.git', 'index.lock');
    writeFileSync(lock, 'held by another git process');
    const lockBefore = fileState(lock);
    const gitDir = gitDirState(repo);

    const gb = fx.backup(repo);
    const r = await gb.backup();
    expect(r).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'a.txt', status: 'modified' }] });
    fx.write(repo, { 'a.txt': 'changed twice\n' });
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'created' });

    expect(fileState(lock)).toEqual(lockBefore);
    expect(readFileSync(lock, 'utf8')).toBe('held by another git process');
    expect(gitDirState(repo)).toEqual(gitDir);
    // The user's own git is still blocked by their lock, as it should be.
    expect(fx.tryGit(repo, 'add', 'a.txt').stderr).toMatch(/index\.lock': File exists/);
  });

  it('works in the middle of a merge with conflicts, and the merge still completes afterwards', async () => {
    const repo = fx.repo('r', { 'c.txt': 'base\n', 'other.txt': 'o\n' });
    divergeOn(repo, 'c.txt', { branch: 'theirs', text: 'theirs\n' }, { text: 'ours\n' });
    const merge = fx.tryGit(repo, 'merge', 'theirs');
    expect(merge.status).toBe(1);
    expect(merge.stdout).toMatch(/CONFLICT/);
    const conflicted = readFileSync(path.join(repo, 'c.txt'), 'utf8');
    expect(conflicted).toContain('<<<<<<< HEAD');

    const mergeHead = fileState(path.join(repo, '.git', 'MERGE_HEAD'));
    const index = fileState(path.join(repo, '.git', 'index'));
    const gitDir = gitDirState(repo);
    const work = workTreeState(repo);
    const view = userView(repo);

    const gb = fx.backup(repo);
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    expect(r.files).toEqual([{ path: 'c.txt', status: 'modified' }]);
    expect(fx.git(repo, 'show', `${r.id}:c.txt`)).toBe(conflicted);

    expect(fileState(path.join(repo, '.git', 'MERGE_HEAD'))).toEqual(mergeHead);
    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(gitDirState(repo)).toEqual(gitDir);
    expect(workTreeState(repo)).toEqual(work);
    expect(userView(repo)).toEqual(view);
    expect(fx.git(repo, 'ls-files', '-u', 'c.txt').split('\n').filter((l) => l !== '')).toHaveLength(3);

    // The user resolves, adds and continues: the merge completes as if no backup had run.
    fx.write(repo, { 'c.txt': 'resolved\n' });
    fx.git(repo, 'add', 'c.txt');
    expect(fx.tryGit(repo, 'merge', '--continue').status).toBe(0);
    expect(fx.git(repo, 'log', '-1', '--format=%P', 'HEAD').trim().split(' ')).toHaveLength(2);
    expect(fx.git(repo, 'show', 'HEAD:c.txt')).toBe('resolved\n');
    expect(fx.tryGit(repo, 'rev-parse', '-q', '--verify', 'MERGE_HEAD').status).toBe(1);
    // The resolution is backed up too (the folder now differs from the conflicted backup).
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'c.txt', status: 'modified' }] });
  });

  it('works in the middle of a rebase stopped at a conflict; --continue still works', async () => {
    const repo = rebaseInConflict('r');
    const gitDir = gitDirState(repo);
    const index = fileState(path.join(repo, '.git', 'index'));
    const work = workTreeState(repo);

    const gb = fx.backup(repo);
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    // HEAD is detached while a rebase runs.
    expect(fx.git(repo, 'rev-parse', 'refs/poshpool/backups/detached').trim()).toBe(r.id);
    expect(fx.git(repo, 'show', `${r.id}:f.txt`)).toContain('>>>>>>>');
    expect(gitDirState(repo)).toEqual(gitDir);
    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(workTreeState(repo)).toEqual(work);

    fx.write(repo, { 'f.txt': 'resolved\n' });
    fx.git(repo, 'add', 'f.txt');
    const cont = fx.tryGit(repo, 'rebase', '--continue');
    expect(cont.status).toBe(0);
    expect(fx.git(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/topic');
    expect(fx.git(repo, 'log', '--format=%s', 'topic').split('\n').slice(0, 3)).toEqual(['topic change', 'main change', 'initial']);
    expect(fx.git(repo, 'show', 'topic:f.txt')).toBe('resolved\n');
  });

  it('works in the middle of a rebase stopped at a conflict; --abort still works', async () => {
    const repo = rebaseInConflict('r');
    const topicBefore = fx.git(repo, 'rev-parse', 'ORIG_HEAD').trim();
    const gitDir = gitDirState(repo);
    const r = await fx.backup(repo).backup();
    expect(r).toMatchObject({ ok: true, kind: 'created' });
    expect(gitDirState(repo)).toEqual(gitDir);
    expect(fx.tryGit(repo, 'rebase', '--abort').status).toBe(0);
    expect(fx.git(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/topic');
    expect(fx.git(repo, 'rev-parse', 'topic').trim()).toBe(topicBefore);
    expect(readFileSync(path.join(repo, 'f.txt'), 'utf8')).toBe('topic\n');
  });

  it("never runs the user's hooks (post-index-change, reference-transaction) for its private index and refs", async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const marker = path.join(fx.root, 'hook-ran.txt');
    for (const hook of ['post-index-change', 'reference-transaction']) {
      const file = path.join(repo, '.git', 'hooks', hook);
      writeFileSync(file, `#!/bin/sh\necho ${hook} >> '${marker}'\n`);
      chmodSync(file, 0o755);
    }
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'b\n' });
    const first = await gb.backup();
    if (!first.ok || first.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(first)}`);
    fx.write(repo, { 'a.txt': 'c\n' });
    expect(await gb.diff(first.id, 'now')).toMatchObject({ ok: true });
    expect(await gb.restore(first.id)).toMatchObject({ ok: true });
    expect(await gb.prune({ keepLast: 1 })).toMatchObject({ ok: true, removed: 1 });
    expect(existsSync(marker)).toBe(false);
    // The hooks are live: the user's own git runs them.
    fx.git(repo, 'add', 'a.txt');
    expect(readFileSync(marker, 'utf8')).toContain('post-index-change');
  });

  it('ignores GIT_DIR, GIT_INDEX_FILE and GIT_WORK_TREE inherited from its own environment (say, from a hook)', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const decoy = fx.repo('decoy', { 'd.txt': 'd\n' });
    fx.write(repo, { 'a.txt': 'changed\n' });
    const decoyIndex = fileState(path.join(decoy, '.git', 'index'));
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_INDEX_FILE: process.env.GIT_INDEX_FILE, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = path.join(decoy, '.git');
    process.env.GIT_INDEX_FILE = path.join(decoy, '.git', 'index');
    process.env.GIT_WORK_TREE = decoy;
    try {
      const r = await fx.backup(repo).backup();
      expect(r).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'a.txt', status: 'modified' }] });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(fx.tryGit(repo, 'rev-parse', '-q', '--verify', 'refs/poshpool/backups/main').status).toBe(0);
    expect(fx.tryGit(decoy, 'for-each-ref', 'refs/poshpool').stdout).toBe('');
    expect(fileState(path.join(decoy, '.git', 'index'))).toEqual(decoyIndex);
  });
});

/**
 * Makes `file` conflict: a new branch changes it one way, then main (checked out afterwards) the other.
 */
function divergeOn(repo: string, file: string, side: { branch: string; text: string }, main: { text: string }): void {
  fx.git(repo, 'switch', '-q', '-c', side.branch);
  fx.write(repo, { [file]: side.text });
  fx.git(repo, 'commit', '-q', '-am', `${side.branch} change`);
  fx.git(repo, 'switch', '-q', 'main');
  fx.write(repo, { [file]: main.text });
  fx.git(repo, 'commit', '-q', '-am', 'main change');
}

/** A repository whose branch `topic` is being rebased onto `main` and stopped at a conflict in f.txt. */
function rebaseInConflict(name: string): string {
  const repo = fx.repo(name, { 'f.txt': 'base\n' });
  divergeOn(repo, 'f.txt', { branch: 'topic', text: 'topic\n' }, { text: 'main\n' });
  fx.git(repo, 'switch', '-q', 'topic');
  const rebase = fx.tryGit(repo, 'rebase', 'main');
  expect(rebase.status).not.toBe(0);
  expect(rebase.stdout + rebase.stderr).toMatch(/CONFLICT/);
  expect(fx.tryGit(repo, 'symbolic-ref', '-q', 'HEAD').status).toBe(1);
  return repo;
}

import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitFixture, useGitFixture } from '../../../test/gitFixture.js';

// GitBackup against real git in temp repositories: what a backup holds, history, diff.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const REF = 'refs/poshpool/backups/main';
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

/** The files of a commit's tree, top-relative. */
function treeFiles(cwd: string, id: string): string[] {
  return fx.git(cwd, 'ls-tree', '-r', '--name-only', id).split('\n').filter((l) => l !== '');
}

describe('GitBackup.backup', () => {
  it('commits tracked and untracked changes on refs/poshpool/backups/<branch> and skips when nothing changed', async () => {
    const repo = fx.repo('r', { 'a.txt': 'one\n', 'sub/b.txt': 'bee\n' });
    const head = fx.git(repo, 'rev-parse', 'HEAD').trim();
    fx.write(repo, { 'a.txt': 'one\ntwo\n', 'new.txt': 'new\n' });
    let clock = T0;
    const gb = fx.backup(repo, () => clock);

    const first = await gb.backup();
    expect(first).toMatchObject({ ok: true, kind: 'created', filesChanged: 2 });
    if (!first.ok || first.kind !== 'created') throw new Error('expected a backup');
    expect(first.files).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'new.txt', status: 'added' },
    ]);
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(first.id);
    expect(fx.git(repo, 'log', '-1', '--format=%P', first.id).trim()).toBe(head);
    expect(fx.git(repo, 'log', '-1', '--format=%B', first.id)).toBe('Auto-backup: 2 files changed\n\nM a.txt\nA new.txt\n\n');
    expect(fx.git(repo, 'log', '-1', '--format=%an <%ae> %ct', first.id).trim()).toBe(`poshpool <backup@poshpool.invalid> ${T0 / 1000}`);
    expect(fx.git(repo, 'show', `${first.id}:a.txt`)).toBe('one\ntwo\n');
    expect(fx.git(repo, 'show', `${first.id}:new.txt`)).toBe('new\n');
    expect(fx.git(repo, 'show', `${first.id}:sub/b.txt`)).toBe('bee\n');

    expect(await gb.backup()).toEqual({ ok: true, kind: 'skipped', id: first.id });
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(first.id);

    clock += 60_000;
    fx.write(repo, { 'sub/b.txt': 'bee\nbuzz\n' });
    const second = await gb.backup();
    if (!second.ok || second.kind !== 'created') throw new Error('expected a second backup');
    expect(second.files).toEqual([{ path: 'sub/b.txt', status: 'modified' }]);
    expect(fx.git(repo, 'log', '-1', '--format=%P %s', second.id).trim()).toBe(`${first.id} Auto-backup: 1 file changed`);
  });

  it('makes a first backup even when the folder equals HEAD, so there is always one to restore', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    const r = await gb.backup();
    expect(r).toMatchObject({ ok: true, kind: 'created', filesChanged: 0, files: [] });
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');
    expect(await gb.backup()).toEqual({ ok: true, kind: 'skipped', id: r.id });
  });

  it('honours .gitignore, .git/info/exclude and keeps ignored files out of the snapshot', async () => {
    const repo = fx.repo('r', { '.gitignore': 'build/\n*.log\n', 'src/main.ts': 'x\n' });
    fx.write(repo, { '.git/info/exclude': 'secret.txt\n', 'build/out.js': 'o\n', 'debug.log': 'd\n', 'src/app.log': 'l\n', 'secret.txt': 's\n', 'src/keep.ts': 'k\n' });
    const r = await fx.backup(repo).backup();
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');
    expect(r.files).toEqual([{ path: 'src/keep.ts', status: 'added' }]);
    expect(treeFiles(repo, r.id)).toEqual(['.gitignore', 'src/keep.ts', 'src/main.ts']);
  });

  it('drops a file from the snapshot once it is ignored, in a repository and outside any', async () => {
    for (const folder of [fx.repo('r', { 'a.txt': 'a\n' }), fx.dir('plain', { 'a.txt': 'a\n' })]) {
      const gb = fx.backup(folder);
      fx.write(folder, { 'secret.env': 'TOKEN=1\n' });
      const first = await gb.backup();
      expect(first.ok && first.kind === 'created' && first.files.map((f) => f.path)).toContain('secret.env');
      fx.write(folder, { '.gitignore': 'secret.env\n' });
      const second = await gb.backup();
      if (!second.ok || second.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(second)}`);
      expect(second.files).toEqual([
        { path: '.gitignore', status: 'added' },
        { path: 'secret.env', status: 'deleted' },
      ]);
      expect(existsSync(path.join(folder, 'secret.env'))).toBe(true);
    }
  });

  it('records binary files, renames and deletions, and history lists them newest first with line counts', async () => {
    const repo = fx.repo('r', { 'notes.md': 'l1\nl2\nl3\n', 'old-name.txt': 'some\ntext\nhere\n', 'gone.txt': 'g1\ng2\n' });
    let clock = T0;
    const gb = fx.backup(repo, () => clock);
    const ids: string[] = [];
    const step = async (change: () => void): Promise<void> => {
      change();
      clock += 1000;
      const r = await gb.backup();
      if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
      ids.push(r.id);
    };

    await step(() => fx.write(repo, { 'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 255]) }));
    await step(() => renameSync(path.join(repo, 'old-name.txt'), path.join(repo, 'new-name.txt')));
    await step(() => rmSync(path.join(repo, 'gone.txt')));
    await step(() => fx.write(repo, { 'notes.md': 'l1\nL2\nl3\nl4\n' }));

    const history = await gb.history();
    expect(history.map((h) => h.id)).toEqual([...ids].reverse());
    expect(history.map((h) => h.time)).toEqual([T0 + 4000, T0 + 3000, T0 + 2000, T0 + 1000]);
    const [edit, deletion, rename, binary] = history;
    expect(edit).toMatchObject({ filesChanged: 1, message: 'Auto-backup: 1 file changed\n\nM notes.md', files: [{ path: 'notes.md', status: 'modified', additions: 2, deletions: 1 }] });
    expect(deletion?.files).toEqual([{ path: 'gone.txt', status: 'deleted', additions: 0, deletions: 2 }]);
    expect(rename?.files).toEqual([{ path: 'new-name.txt', status: 'renamed', oldPath: 'old-name.txt', additions: 0, deletions: 0 }]);
    expect(binary?.files).toEqual([{ path: 'image.png', status: 'added', additions: null, deletions: null }]);

    expect((await gb.history(2)).map((h) => h.id)).toEqual([ids[3], ids[2]]);
    // The walk stops at the user's commit the chain started from.
    expect(await gb.history(100)).toHaveLength(4);
  });

  it('reports a rename in the backup result', async () => {
    const repo = fx.repo('r', { 'docs/a.md': 'alpha\nbeta\ngamma\n' });
    fx.git(repo, 'mv', 'docs/a.md', 'docs/b.md');
    // The user's staged rename is irrelevant: the snapshot reads the working tree.
    const r = await fx.backup(repo).backup();
    expect(r).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'docs/b.md', status: 'renamed', oldPath: 'docs/a.md' }] });
  });

  it('backs up a folder outside any repository into a private bare repository', async () => {
    const folder = fx.dir('plain', { 'a.txt': 'a\n', 'deep/b.bin': Buffer.from([0, 1, 2]) });
    const dataDir = fx.dataDir();
    const { GitBackup } = await import('./GitBackup.js');
    const gb = new GitBackup({ folder, dataDir, env: fx.env, now: () => T0 });
    const first = await gb.backup();
    expect(first).toMatchObject({ ok: true, kind: 'created', filesChanged: 2 });
    if (!first.ok || first.kind !== 'created') throw new Error('expected a backup');
    expect(first.files).toEqual([
      { path: 'a.txt', status: 'added' },
      { path: 'deep/b.bin', status: 'added' },
    ]);
    expect(existsSync(path.join(folder, '.git'))).toBe(false);
    const bare = path.join(dataDir, 'repo.git');
    expect(fx.git(bare, 'rev-parse', REF).trim()).toBe(first.id);
    expect(fx.git(bare, 'log', '--format=%P', first.id).trim()).toBe('');

    writeFileSync(path.join(folder, 'a.txt'), 'a2\n');
    const second = await gb.backup();
    expect(second).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'a.txt', status: 'modified' }] });
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'skipped' });
    const history = await gb.history();
    expect(history).toHaveLength(2);
    expect(history[1]?.files).toEqual([
      { path: 'a.txt', status: 'added', additions: 1, deletions: 0 },
      { path: 'deep/b.bin', status: 'added', additions: null, deletions: null },
    ]);
  });

  it('backs up only its subdirectory of a repository, the rest of the tree staying as HEAD has it', async () => {
    const repo = fx.repo('r', { 'top.txt': 'top\n', 'app/x.txt': 'x\n', 'app/inner/y.txt': 'y\n', 'other/z.txt': 'z\n' });
    fx.write(repo, { 'top.txt': 'top changed\n', 'other/new.txt': 'n\n', 'app/x.txt': 'x changed\n', 'app/inner/new.txt': 'new\n' });
    const gb = fx.backup(path.join(repo, 'app'));
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');
    expect(r.files).toEqual([
      { path: 'inner/new.txt', status: 'added' },
      { path: 'x.txt', status: 'modified' },
    ]);
    expect(fx.git(repo, 'log', '-1', '--format=%B', r.id)).toBe('Auto-backup: 2 files changed\n\nA app/inner/new.txt\nM app/x.txt\n\n');
    expect(treeFiles(repo, r.id)).toEqual(['app/inner/new.txt', 'app/inner/y.txt', 'app/x.txt', 'other/z.txt', 'top.txt']);
    expect(fx.git(repo, 'show', `${r.id}:top.txt`)).toBe('top\n');
    // Changes outside the folder never make a backup of it.
    fx.write(repo, { 'top.txt': 'changed again\n' });
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'skipped' });
    const [only] = await gb.history();
    expect(only?.files.map((f) => f.path)).toEqual(['inner/new.txt', 'x.txt']);
  });

  it('gives two watched folders of one repository a chain each, so neither undoes the other', async () => {
    const repo = fx.repo('r', { 'app/a.txt': 'a\n', 'docs/d.md': 'd\n' });
    fx.write(repo, { 'app/a.txt': 'a changed\n', 'docs/d.md': 'd changed\n' });
    const app = fx.backup(path.join(repo, 'app'));
    const docs = fx.backup(path.join(repo, 'docs'));
    const a1 = await app.backup();
    const d1 = await docs.backup();
    if (!a1.ok || a1.kind !== 'created' || !d1.ok || d1.kind !== 'created') throw new Error('expected two backups');
    const refs = fx.git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/poshpool/').trim().split('\n').sort();
    expect(refs).toHaveLength(2);
    expect(refs).toContain(`${refs.find((r) => r.startsWith('refs/poshpool/backups/main@app-'))!.split(' ')[0]} ${a1.id}`);
    expect(refs.some((r) => /^refs\/poshpool\/backups\/main@docs-[0-9a-f]{8} /.test(r) && r.endsWith(d1.id))).toBe(true);
    // The docs backup did not touch the app chain: nothing changed in app, so nothing to back up.
    expect(await app.backup()).toEqual({ ok: true, kind: 'skipped', id: a1.id });
    expect((await app.history()).map((b) => b.id)).toEqual([a1.id]);
    expect((await docs.history()).map((b) => b.id)).toEqual([d1.id]);
    expect(fx.git(repo, 'show', `${d1.id}:docs/d.md`)).toBe('d changed\n');
  });

  it('is not stopped by an embedded repository without commits; one with commits is recorded as a gitlink', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const empty = path.join(repo, 'empty-nested');
    const full = path.join(repo, 'full-nested');
    for (const dir of [empty, full]) {
      fx.write(dir, { 'x.txt': 'x\n' });
      fx.git(dir, 'init', '-q');
    }
    fx.git(full, 'add', 'x.txt');
    fx.git(full, '-c', 'user.name=n', '-c', 'user.email=n@n', 'commit', '-q', '-m', 'nested');
    fx.write(repo, { 'a.txt': 'changed\n' });
    const r = await fx.backup(repo).backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    expect(r.files).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'full-nested', status: 'added' },
    ]);
    expect(fx.git(repo, 'ls-tree', r.id, 'full-nested').split(' ')[0]).toBe('160000');
  });

  it('keeps a backup ref per branch', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'on main\n' });
    const onMain = await gb.backup();
    fx.git(repo, 'stash', '-q');
    fx.git(repo, 'switch', '-q', '-c', 'feature/x');
    fx.write(repo, { 'a.txt': 'on feature\n' });
    const onFeature = await gb.backup();
    if (!onMain.ok || onMain.kind !== 'created' || !onFeature.ok || onFeature.kind !== 'created') throw new Error('expected backups');
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(onMain.id);
    expect(fx.git(repo, 'rev-parse', 'refs/poshpool/backups/feature/x').trim()).toBe(onFeature.id);
    expect((await gb.history()).map((h) => h.id)).toEqual([onFeature.id]);
  });

  it('works in a repository without any commit yet', async () => {
    const repo = fx.repo('r');
    fx.write(repo, { 'first.txt': '1\n' });
    const r = await fx.backup(repo).backup();
    expect(r).toMatchObject({ ok: true, kind: 'created', files: [{ path: 'first.txt', status: 'added' }] });
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');
    expect(fx.git(repo, 'log', '--format=%P', r.id).trim()).toBe('');
    expect(fx.tryGit(repo, 'rev-parse', '--verify', '-q', 'HEAD').status).toBe(1);
  });

  it('never backs up its own data directory when it lies inside the folder', async () => {
    const folder = fx.dir('plain', { 'a.txt': 'a\n' });
    const { GitBackup } = await import('./GitBackup.js');
    const gb = new GitBackup({ folder, dataDir: path.join(folder, '.poshpool', 'backup'), env: fx.env });
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    expect(r.files).toEqual([{ path: 'a.txt', status: 'added' }]);
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'skipped' });
  });

  it('fails with a reason for a folder that does not exist', async () => {
    const r = await fx.backup(path.join(fx.root, 'missing')).backup();
    expect(r).toMatchObject({ ok: false, retry: false });
    expect(!r.ok && r.reason).toMatch(/cannot be read: ENOENT/);
  });
});

describe('GitBackup.diff', () => {
  it('diffs a backup against its parent and against the folder now, optionally for one path', async () => {
    const repo = fx.repo('r', { 'a.txt': 'alpha\n', 'b.txt': 'bravo\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'alpha\nalpha two\n', 'b.txt': 'bravo!\n' });
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');

    const parent = await gb.diff(r.id, 'parent');
    if (!parent.ok) throw new Error(parent.reason);
    expect(parent.diff).toContain('diff --git a/a.txt b/a.txt');
    expect(parent.diff).toContain('+alpha two');
    expect(parent.diff).toContain('-bravo\n+bravo!');

    const onlyA = await gb.diff(r.id, 'parent', 'a.txt');
    expect(onlyA.ok && onlyA.diff).toContain('+alpha two');
    expect(onlyA.ok && onlyA.diff).not.toContain('b.txt');

    expect(await gb.diff(r.id, 'now')).toEqual({ ok: true, diff: '' });
    fx.write(repo, { 'a.txt': 'alpha\n', 'c.txt': 'charlie\n' });
    const now = await gb.diff(r.id, 'now');
    if (!now.ok) throw new Error(now.reason);
    expect(now.diff).toContain('diff --git a/a.txt b/a.txt');
    expect(now.diff).toContain('-alpha two');
    expect(now.diff).toContain('new file mode 100644');
    expect(now.diff).toContain('+charlie');
    expect(now.diff).not.toContain('b.txt');
  });

  it('diffs the root backup of a standalone folder, and refuses unknown ids and paths outside the folder', async () => {
    const folder = fx.dir('plain', { 'a.txt': 'a\n' });
    const gb = fx.backup(folder);
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error('expected a backup');
    const d = await gb.diff(r.id, 'parent');
    expect(d.ok && d.diff).toContain('+a');
    expect(await gb.diff('0123456789abcdef0123456789abcdef01234567', 'parent')).toMatchObject({ ok: false });
    expect(await gb.diff(r.id, 'parent', '../outside.txt')).toMatchObject({ ok: false, reason: expect.stringMatching(/outside/) });
  });
});

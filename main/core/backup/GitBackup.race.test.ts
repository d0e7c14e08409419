import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openContext } from './context.js';
import { GitBackup } from './GitBackup.js';
import { GitFixture, useGitFixture } from '../../../test/gitFixture.js';
import { prepareBackup, publishBackup } from './snapshot.js';

// The backup ref moves by compare-and-swap: a backup that loses a race says to retry and loses nothing.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const REF = 'refs/poshpool/backups/main';

describe('GitBackup races', () => {
  it("loses a race to a user's commit plus another backup without losing anything on either side, then succeeds on retry", async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const options = { folder: repo, dataDir: fx.dataDir(), env: fx.env };
    const gb = new GitBackup(options);
    const base = await gb.backup();
    if (!base.ok || base.kind !== 'created') throw new Error('expected a first backup');

    // A backup reads its compare-and-swap old value and makes its commit...
    fx.write(repo, { 'a.txt': 'edited by the agent\n' });
    const opened = await openContext(options);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.ctx.last).toBe(base.id);
    const slow = await prepareBackup(opened.ctx);
    if (!slow.ok || slow.prepared.kind !== 'created') throw new Error('expected a prepared backup');

    // ...meanwhile the user commits, and another backup moves the ref.
    fx.write(repo, { 'user.txt': 'the user wrote this\n' });
    fx.git(repo, 'add', 'user.txt');
    fx.git(repo, 'commit', '-q', '-m', 'user commit');
    const userCommit = fx.git(repo, 'rev-parse', 'HEAD').trim();
    const fast = await gb.backup();
    if (!fast.ok || fast.kind !== 'created') throw new Error(`expected the other backup: ${JSON.stringify(fast)}`);

    // The slow backup's compare-and-swap fails: retry, and the ref is not forced.
    const lost = await publishBackup(opened.ctx, slow.prepared);
    expect(lost).toMatchObject({ ok: false, retry: true });
    expect(!lost.ok && lost.reason).toMatch(/moved while the backup was being made/);
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(fast.id);

    // A retry succeeds on top of the other backup and holds everything.
    fx.write(repo, { 'a.txt': 'edited again\n' });
    const retried = await gb.backup();
    if (!retried.ok || retried.kind !== 'created') throw new Error(`expected the retry to succeed: ${JSON.stringify(retried)}`);
    expect(retried.files).toEqual([{ path: 'a.txt', status: 'modified' }]);
    expect(fx.git(repo, 'log', '-1', '--format=%P', retried.id).trim()).toBe(fast.id);
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(retried.id);
    expect(fx.git(repo, 'show', `${retried.id}:user.txt`)).toBe('the user wrote this\n');
    expect(fx.git(repo, 'show', `${retried.id}:a.txt`)).toBe('edited again\n');
    expect((await gb.history()).map((h) => h.id)).toEqual([retried.id, fast.id, base.id]);

    // The user's branch has their commit, untouched.
    expect(fx.git(repo, 'rev-parse', 'refs/heads/main').trim()).toBe(userCommit);
    expect(fx.git(repo, 'log', '--format=%s', 'main')).toBe('user commit\ninitial\n');
    expect(fx.git(repo, 'show', 'HEAD:a.txt')).toBe('a\n');
  });

  it('loses the race for a ref that did not exist yet (expected absent, created meanwhile)', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const options = { folder: repo, dataDir: fx.dataDir(), env: fx.env };
    fx.write(repo, { 'a.txt': 'b\n' });
    const opened = await openContext(options);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.ctx.last).toBeNull();
    const slow = await prepareBackup(opened.ctx);
    if (!slow.ok) throw new Error(slow.reason);
    const other = await new GitBackup(options).backup();
    if (!other.ok || other.kind !== 'created') throw new Error('expected the other backup');
    expect(await publishBackup(opened.ctx, slow.prepared)).toMatchObject({ ok: false, retry: true });
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(other.id);
  });

  it("says to retry while another process holds the backup ref's lock, and leaves that lock alone", async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    const first = await gb.backup();
    if (!first.ok || first.kind !== 'created') throw new Error('expected a backup');
    const lock = path.join(repo, '.git', ...REF.split('/')) + '.lock';
    writeFileSync(lock, 'another process');
    fx.write(repo, { 'a.txt': 'changed\n' });
    const r = await gb.backup();
    expect(r).toMatchObject({ ok: false, retry: true });
    expect(readFileSync(lock, 'utf8')).toBe('another process');
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(first.id);
  });

  it('runs backups of one instance one at a time', async () => {
    const repo = fx.repo('r', { 'a.txt': 'a\n' });
    const gb = fx.backup(repo);
    fx.write(repo, { 'a.txt': 'changed\n' });
    const results = await Promise.all([gb.backup(), gb.backup(), gb.backup()]);
    expect(results.map((r) => r.ok && r.kind)).toEqual(['created', 'skipped', 'skipped']);
  });
});

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileState, GitFixture, useGitFixture } from '../../../test/gitFixture.js';
import { onPosix } from '../../../test/platformGates.js';
import { BACKUP_GIT_CONFIG, gitConfigArgs } from './gitEnv.js';
import type { GitBackup } from './GitBackup.js';

// Git for Windows sets core.autocrlf=true system-wide: without an override a backup stores CRLF files
// as LF and a restore writes CRLF, changing the user's line endings. Real git honours a repository's
// own core.autocrlf=true on Linux too, so the override is tested here for real.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const FILES: Record<string, Buffer> = {
  'lf.txt': Buffer.from('one\ntwo\nthree\n'),
  'crlf.txt': Buffer.from('one\r\ntwo\r\nthree\r\n'),
  'mixed.txt': Buffer.from('one\r\ntwo\nthree\r\nfour\n'),
  'sub/lone-cr.txt': Buffer.from('one\rtwo\r\n'),
  'bin.dat': Buffer.from([0, 13, 10, 10, 13, 0, 255, 13, 10]),
};

async function created(gb: GitBackup): Promise<string> {
  const r = await gb.backup();
  if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
  return r.id;
}

function bytes(dir: string, rel: string): Buffer {
  return readFileSync(path.join(dir, ...rel.split('/')));
}

describe('line endings', () => {
  it('every git call of the backup turns line-ending conversion off and long paths on, above any config file', () => {
    expect(BACKUP_GIT_CONFIG).toEqual(['core.autocrlf=false', 'core.safecrlf=false', 'core.longpaths=true']);
    expect(gitConfigArgs()).toEqual(['-c', 'core.autocrlf=false', '-c', 'core.safecrlf=false', '-c', 'core.longpaths=true']);
    expect(gitConfigArgs('/data/no-hooks').slice(-2)).toEqual(['-c', 'core.hooksPath=/data/no-hooks']);
  });

  it('a backup and a restore never change line endings, even where the repository sets core.autocrlf=true and core.safecrlf=true', async () => {
    const repo = fx.repo('r', { 'readme.txt': 'readme\n' });
    fx.git(repo, 'config', 'core.autocrlf', 'true');
    fx.git(repo, 'config', 'core.safecrlf', 'true');
    fx.write(repo, FILES);
    // (status refreshes the user's index itself, so it runs before the index is recorded.)
    const status = fx.git(repo, 'status', '--porcelain');
    const index = fileState(path.join(repo, '.git', 'index'));
    const head = fx.git(repo, 'rev-parse', 'HEAD');
    const heads = fx.git(repo, 'for-each-ref', 'refs/heads/');

    const gb = fx.backup(repo);
    const id = await created(gb);
    // The backup holds the bytes as they were: CRLF stays CRLF in the blob.
    for (const [rel, content] of Object.entries(FILES)) {
      expect(blob(repo, `${id}:${rel}`).equals(content), rel).toBe(true);
    }

    fx.write(repo, { 'lf.txt': 'changed\r\n', 'crlf.txt': 'changed\n', 'mixed.txt': 'x', 'sub/lone-cr.txt': '\n\n', 'bin.dat': Buffer.from([1]) });
    const whole = await gb.restore(id);
    if (!whole.ok) throw new Error(whole.reason);
    for (const [rel, content] of Object.entries(FILES)) expect(bytes(repo, rel).equals(content), rel).toBe(true);

    fx.write(repo, { 'crlf.txt': 'changed again\n' });
    const one = await gb.restore(id, 'crlf.txt');
    if (!one.ok) throw new Error(one.reason);
    expect(bytes(repo, 'crlf.txt').equals(FILES['crlf.txt']!)).toBe(true);
    expect(await gb.diff(id, 'now')).toEqual({ ok: true, diff: '' });

    // The user's index, HEAD and branches are as they were.
    expect(fileState(path.join(repo, '.git', 'index'))).toEqual(index);
    expect(fx.git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(fx.git(repo, 'for-each-ref', 'refs/heads/')).toBe(heads);
    expect(fx.git(repo, 'status', '--porcelain')).toBe(status);
  });

  it('restores a file whose name git would read as pathspec magic or a glob, and only that file', async () => {
    const names = onPosix ? [':odd.txt', '[ab].txt', 'ab.txt'] : ['[ab].txt', 'ab.txt'];
    const repo = fx.repo('r', Object.fromEntries(names.map((n) => [n, `${n} at backup\n`])));
    const gb = fx.backup(repo);
    const id = await created(gb);
    fx.write(repo, Object.fromEntries(names.map((n) => [n, `${n} later\n`])));
    for (const n of names.filter((x) => x !== 'ab.txt')) {
      const r = await gb.restore(id, n);
      if (!r.ok) throw new Error(r.reason);
      expect(r.restored).toEqual([n]);
      expect(bytes(repo, n).toString()).toBe(`${n} at backup\n`);
    }
    expect(bytes(repo, 'ab.txt').toString()).toBe('ab.txt later\n');
  });

  it.runIf(onPosix)('passes the settings on every git process a backup, history, diff, restore and prune start (POSIX-only: a shell-script git)', async () => {
    const bin = path.join(fx.root, 'bin');
    mkdirSync(bin);
    const log = path.join(fx.root, 'git-calls.log');
    const realGit = fx.git(fx.root, '--exec-path').trim();
    // Logs each call's arguments (one line per call), then runs the real git.
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${realGit}/git' "$@"\n`);
    chmodSync(path.join(bin, 'git'), 0o755);
    const repo = fx.repo('r', { 'a.txt': 'a\r\n' });
    fx.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
    const gb = fx.backup(repo);
    const id = await created(gb);
    fx.write(repo, { 'a.txt': 'b\r\n' });
    await created(gb);
    await gb.history();
    await gb.diff(id, 'now');
    await gb.diff(id, 'parent', 'a.txt');
    const restored = await gb.restore(id, 'a.txt');
    expect(restored.ok).toBe(true);
    expect(await gb.prune({ keepLast: 1 })).toMatchObject({ ok: true });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.length).toBeGreaterThan(10);
    for (const call of calls) expect(call.startsWith(gitConfigArgs().join(' ')), call).toBe(true);
  });
});

/** A blob's exact bytes. */
function blob(cwd: string, spec: string): Buffer {
  return execFileSync('git', ['cat-file', 'blob', spec], { cwd, env: { PATH: process.env.PATH ?? '', ...fx.env } });
}

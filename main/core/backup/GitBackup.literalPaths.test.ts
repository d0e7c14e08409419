import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitFixture, useGitFixture } from '../../../test/gitFixture.js';
import { onPosix } from '../../../test/platformGates.js';
import type { GitBackup } from './GitBackup.js';

// Defect 11 of issue 14: restore_backup with path ":(top)" restored the whole folder (git read the
// pathspec magic). Paths from clients are literal in every git call (restore, diff); a path that is
// not in the backup, or outside the folder, gets a clear error. Real git, both kinds of folder.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const MAGIC = [':(top)', ':/', ':(glob)**', ':!a.txt', ':(exclude)a.txt', '*.txt', 'sub/*', ':(icase)A.TXT'];

async function backedUp(kind: 'repo' | 'plain'): Promise<{ folder: string; gb: GitBackup; id: string }> {
  const files = { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' };
  const folder = kind === 'repo' ? fx.repo('r', files) : fx.dir('plain', files);
  const gb = fx.backup(folder);
  if (kind === 'repo') fx.write(folder, { 'a.txt': 'a, backed up\n' });
  const r = await gb.backup();
  if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
  fx.write(folder, { 'a.txt': 'changed since\n', 'sub/b.txt': 'changed since\n' });
  return { folder, gb, id: r.id };
}

function unchanged(folder: string): void {
  expect(readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('changed since\n');
  expect(readFileSync(path.join(folder, 'sub', 'b.txt'), 'utf8')).toBe('changed since\n');
}

describe.each(['repo', 'plain'] as const)('paths from clients are literal (%s folder)', (kind) => {
  it('restore with pathspec magic or globs restores nothing and says the path is not in the backup', async () => {
    const { folder, gb, id } = await backedUp(kind);
    for (const p of MAGIC) {
      const r = await gb.restore(id, p);
      expect(r, p).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(new RegExp(`is not in backup ${id.slice(0, 12)}\\.$`)) });
    }
    unchanged(folder);
    // The real names still work.
    expect(await gb.restore(id, 'sub/b.txt')).toMatchObject({ ok: true, restored: ['sub/b.txt'] });
    expect(readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('changed since\n');
  });

  it('diff with pathspec magic, or a path in neither the backup nor the folder, is an error, not an empty diff', async () => {
    const { gb, id } = await backedUp(kind);
    for (const p of [':(top)', '*.txt', 'no/such/file.txt']) {
      expect(await gb.diff(id, 'now', p), p).toMatchObject({ ok: false, reason: expect.stringContaining(`${p} is not in backup ${id.slice(0, 12)} nor in the folder now`) });
      expect(await gb.diff(id, 'parent', p), p).toMatchObject({ ok: false, reason: expect.stringContaining(`${p} is not in backup ${id.slice(0, 12)} nor in the backup before it`) });
    }
    const now = await gb.diff(id, 'now', 'a.txt');
    expect(now).toMatchObject({ ok: true, diff: expect.stringContaining('+changed since') });
    // A file that is there and did not change: an empty diff, no error.
    writeFileSync(path.join(fx.root, kind === 'repo' ? 'r' : 'plain', 'new.txt'), 'n\n');
    expect(await gb.diff(id, 'now', 'new.txt')).toMatchObject({ ok: true, diff: expect.stringContaining('+n') });
  });

  it('a path outside the folder is refused before git runs', async () => {
    const { folder, gb, id } = await backedUp(kind);
    for (const p of ['../outside.txt', 'sub/../../x', path.join(fx.root, 'elsewhere.txt')]) {
      expect(await gb.restore(id, p)).toMatchObject({ ok: false, reason: expect.stringContaining('is outside the backed-up folder') });
      expect(await gb.diff(id, 'now', p)).toMatchObject({ ok: false, reason: expect.stringContaining('is outside the backed-up folder') });
    }
    unchanged(folder);
  });

  it('a backup id must be a hex id: refs, revision expressions and options are refused', async () => {
    const { folder, gb, id } = await backedUp(kind);
    for (const bad of ['HEAD', 'main', `${id}~1`, '--output=/tmp/x', 'refs/poshpool/backups/main', `${id.slice(0, 12)}^{tree}`]) {
      expect(await gb.restore(bad), bad).toMatchObject({ ok: false, reason: expect.stringContaining('is not a backup id') });
      expect(await gb.diff(bad, 'parent'), bad).toMatchObject({ ok: false, reason: expect.stringContaining('is not a backup id') });
    }
    unchanged(folder);
  });
});

describe.runIf(onPosix)('a file whose name looks like pathspec magic (POSIX-only: ":" and "*" are valid in names there)', () => {
  it('restores that file alone', async () => {
    const folder = fx.dir('odd', { ':(top)': 'odd\n', '*.txt': 'star\n', 'a.txt': 'a\n' });
    const gb = fx.backup(folder);
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(JSON.stringify(r));
    fx.write(folder, { ':(top)': 'changed\n', '*.txt': 'changed\n', 'a.txt': 'changed\n' });
    expect(await gb.restore(r.id, ':(top)')).toMatchObject({ ok: true, restored: [':(top)'] });
    expect(await gb.restore(r.id, '*.txt')).toMatchObject({ ok: true, restored: ['*.txt'] });
    expect(readFileSync(path.join(folder, ':(top)'), 'utf8')).toBe('odd\n');
    expect(readFileSync(path.join(folder, '*.txt'), 'utf8')).toBe('star\n');
    expect(readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('changed\n');
  });
});

import { describe, expect, it } from 'vitest';
import type { GitBackup } from './GitBackup.js';
import { GitFixture, useGitFixture } from '../../../test/gitFixture.js';

// Prune: rewrites the backup chain to what the policy keeps, moving only the backup refs.

let fx: GitFixture;
useGitFixture((f) => (fx = f));

const REF = 'refs/poshpool/backups/main';
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

/** Makes `count` backups, each changing n.txt, `stepMs` apart; returns their ids oldest first. */
async function makeBackups(repo: string, gb: GitBackup, clock: { t: number }, count: number, stepMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    fx.write(repo, { 'n.txt': `${i}\n`, [`f${i}.txt`]: `file ${i}\n` });
    const r = await gb.backup();
    if (!r.ok || r.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
    ids.push(r.id);
    clock.t += stepMs;
  }
  return ids;
}

describe('GitBackup.prune', () => {
  it('keeps the newest N, with their trees, dates and order, on top of the commit the chain started from', async () => {
    const repo = fx.repo('r', { 'n.txt': '0\n' });
    const head = fx.git(repo, 'rev-parse', 'HEAD').trim();
    const heads = fx.git(repo, 'for-each-ref', 'refs/heads');
    const clock = { t: T0 };
    const gb = fx.backup(repo, () => clock.t);
    const ids = await makeBackups(repo, gb, clock, 5, 60_000);
    const before = await gb.history();

    expect(await gb.prune({ keepLast: 2 })).toEqual({ ok: true, kept: 2, removed: 3, rewritten: 2, refs: 1 });

    const after = await gb.history();
    expect(after).toHaveLength(2);
    const [newest, older] = after;
    const tree = (id: string | undefined): string => fx.git(repo, 'rev-parse', `${id ?? ''}^{tree}`).trim();
    expect(tree(newest?.id)).toBe(tree(ids[4]));
    expect(tree(older?.id)).toBe(tree(ids[3]));
    expect(after.map((h) => h.time)).toEqual([before[0]?.time, before[1]?.time]);
    expect(fx.git(repo, 'log', '-1', '--format=%P', older?.id ?? '').trim()).toBe(head);
    expect(fx.git(repo, 'log', '-1', '--format=%P', newest?.id ?? '').trim()).toBe(older?.id);
    // The message of a backup whose parent changed describes what changed against its new parent.
    expect(older?.message).toBe('Auto-backup: 5 files changed\n\nA f1.txt\nA f2.txt\nA f3.txt\nA f4.txt\nM n.txt');
    expect(older?.files.map((f) => f.path)).toEqual(['f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'n.txt']);
    expect(newest?.message).toBe(before[0]?.message);
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(newest?.id);
    // Nothing but the backup ref moved.
    expect(fx.git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(fx.git(repo, 'for-each-ref', 'refs/heads')).toBe(heads);

    // Backups go on from the pruned chain; an unchanged folder is still skipped.
    expect(await gb.backup()).toMatchObject({ ok: true, kind: 'skipped', id: newest?.id });
    fx.write(repo, { 'n.txt': 'six\n' });
    const next = await gb.backup();
    expect(next.ok && next.kind === 'created' && fx.git(repo, 'log', '-1', '--format=%P', next.id).trim()).toBe(newest?.id);
  });

  it('keeps backups younger than the given days even beyond keepLast, and rewrites nothing when nothing is dropped', async () => {
    const repo = fx.repo('r', { 'n.txt': '0\n' });
    const clock = { t: T0 };
    const gb = fx.backup(repo, () => clock.t);
    // Backups on days 0..5; "now" is day 5 after the loop.
    const ids = await makeBackups(repo, gb, clock, 6, DAY);
    clock.t = T0 + 5 * DAY + 1000;

    expect(await gb.prune({ keepLast: 1, youngerThanDays: 2.5 })).toEqual({ ok: true, kept: 3, removed: 3, rewritten: 3, refs: 1 });
    const kept = await gb.history();
    expect(kept.map((h) => h.time)).toEqual([T0 + 5 * DAY, T0 + 4 * DAY, T0 + 3 * DAY]);

    // Nothing to drop: nothing rewritten, the ref stays.
    const tip = fx.git(repo, 'rev-parse', REF).trim();
    expect(await gb.prune({ youngerThanDays: 30 })).toEqual({ ok: true, kept: 3, removed: 0, rewritten: 0, refs: 1 });
    expect(await gb.prune({})).toEqual({ ok: true, kept: 3, removed: 0, rewritten: 0, refs: 1 });
    expect(fx.git(repo, 'rev-parse', REF).trim()).toBe(tip);
    expect(ids).toHaveLength(6);
  });

  it('keeps the newest backup whatever the policy, and prunes every branch chain of the repository', async () => {
    const repo = fx.repo('r', { 'n.txt': '0\n' });
    const clock = { t: T0 };
    const gb = fx.backup(repo, () => clock.t);
    await makeBackups(repo, gb, clock, 3, DAY);
    fx.git(repo, 'stash', '-q', '-u');
    fx.git(repo, 'switch', '-q', '-c', 'other');
    await makeBackups(repo, gb, clock, 2, DAY);
    clock.t += 100 * DAY;

    expect(await gb.prune({ keepLast: 0, youngerThanDays: 1 })).toEqual({ ok: true, kept: 2, removed: 3, rewritten: 2, refs: 2 });
    expect(await gb.history()).toHaveLength(1);
    expect(fx.git(repo, 'log', '--format=%H', REF, '--not', '--branches').split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('prunes the chain of a folder outside any repository (no commit under the oldest backup)', async () => {
    const folder = fx.dir('plain', { 'n.txt': '0\n' });
    const clock = { t: T0 };
    const gb = fx.backup(folder, () => clock.t);
    await makeBackups(folder, gb, clock, 4, 1000);
    expect(await gb.prune({ keepLast: 2 })).toMatchObject({ ok: true, kept: 2, removed: 2 });
    const left = await gb.history();
    expect(left).toHaveLength(2);
    expect(left[1]?.message).toBe('Auto-backup: 4 files changed\n\nA f1.txt\nA f2.txt\nA f3.txt\nA n.txt');
    const restored = await gb.restore(left[1]?.id ?? '');
    expect(restored.ok).toBe(true);
  });

  it('refuses a nonsensical policy', async () => {
    const repo = fx.repo('r', { 'n.txt': '0\n' });
    const gb = fx.backup(repo);
    expect(await gb.prune({ keepLast: -1 })).toMatchObject({ ok: false, retry: false });
    expect(await gb.prune({ keepLast: 1.5 })).toMatchObject({ ok: false, retry: false });
    expect(await gb.prune({ youngerThanDays: Number.NaN })).toMatchObject({ ok: false, retry: false });
  });
});

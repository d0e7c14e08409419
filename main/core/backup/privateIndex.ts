import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Name of the kept private index in a folder's data directory (its stat data makes the next `git add` fast). */
export const KEPT_INDEX_NAME = 'index';

/**
 * Runs `fn` with a private index file of its own under dataDir: a fresh name each time, so a git
 * process killed mid-way can leave an `index-….lock` behind without blocking any later backup (and
 * no lock file is ever deleted). With `keep`, the kept index is moved in first (a rename, so its
 * timestamps, which git's racy-entry check relies on, are untouched) and moved back afterwards;
 * otherwise the file starts absent and is removed afterwards. Never the user's .git/index.
 */
export async function withPrivateIndex<T>(dataDir: string, keep: boolean, fn: (indexFile: string) => Promise<T>): Promise<T> {
  const kept = path.join(dataDir, KEPT_INDEX_NAME);
  const file = path.join(dataDir, `index-${process.pid}-${randomBytes(6).toString('hex')}`);
  if (keep) {
    try {
      renameSync(kept, file);
    } catch {
      // No kept index yet (first backup), or another process holds it right now: start from nothing.
    }
  }
  try {
    return await fn(file);
  } finally {
    if (keep) {
      try {
        renameSync(file, kept);
      } catch {
        // fn never wrote the file (it failed before git made it): nothing to keep.
      }
    } else {
      rmSync(file, { force: true });
    }
  }
}

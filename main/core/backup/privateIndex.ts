import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * How often removing a temporary index is retried (100 ms apart, growing) when Windows says it is in
 * use (EBUSY, EPERM: an antivirus or indexer scanning the new file; Node's rm retries those with
 * maxRetries, which it honours only with recursive: true).
 */
const REMOVE_RETRIES = 5;

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
    let moved = false;
    if (keep) {
      try {
        renameSync(file, kept);
        moved = true;
      } catch {
        // fn never wrote the file (it failed before git made it), or Windows held it: nothing to keep.
      }
    }
    if (!moved) await removeTemporary(file);
  }
}

/** Removes a temporary index; one that stays in use is left behind (its name is never used again), never a failure. */
async function removeTemporary(file: string): Promise<void> {
  try {
    await rm(file, { force: true, recursive: true, maxRetries: REMOVE_RETRIES, retryDelay: 100 });
  } catch {
    // Still held after the retries: a stray index-… file in poshpool's own data dir harms nothing.
  }
}

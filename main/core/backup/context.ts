import path from 'node:path';
import { currentPlatform } from '../platform/Platform.js';
import { currentHead, locate, resolveCommit, type Location } from './location.js';
import type { FileSecurity } from './privateModes.js';

/** Everything one backup operation works from, read fresh at its start. */
export interface BackupContext {
  loc: Location;
  /** This folder's private data (kept index, temp indexes, the bare repository when standalone). */
  dataDir: string;
  /** Clock in ms since the epoch (commit dates, the prune policy's age). */
  now: () => number;
  /** The backup ref of the current branch. */
  ref: string;
  /** HEAD's commit; null when unborn or standalone. */
  head: string | null;
  /** The newest backup on `ref` (the value a compare-and-swap expects), or null when there is none. */
  last: string | null;
  /** How files are made private on this OS (a restore keeps a file's POSIX mode, see restoreModes). */
  platform: FileSecurity;
}

/** What a backup context is made from (GitBackup's options). */
export interface BackupContextOptions {
  folder: string;
  dataDir: string;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
  /** How files are made private (default: this OS's). */
  platform?: FileSecurity;
}

/** Locates the folder and reads HEAD, the branch and its backup ref (all read-only). */
export async function openContext(options: BackupContextOptions): Promise<{ ok: true; ctx: BackupContext } | { ok: false; reason: string }> {
  const dataDir = path.resolve(options.dataDir);
  const located = await locate({ folder: options.folder, dataDir, env: options.env, platform: options.platform ?? currentPlatform() });
  if (!located.ok) return located;
  const loc = located.location;
  const head = await currentHead(loc);
  if (!head.ok) return head;
  const last = await resolveCommit(loc, head.ref);
  if (!last.ok) return last;
  const platform = options.platform ?? currentPlatform();
  return { ok: true, ctx: { loc, dataDir, now: options.now ?? Date.now, ref: head.ref, head: head.head, last: last.id, platform } };
}

import { realpathSync } from 'node:fs';
import path from 'node:path';
import { openContext, type BackupContext } from './context.js';
import { diffBackup, type DiffResult } from './diff.js';
import { readHistory, type BackupInfo } from './history.js';
import { pruneBackups, type PrunePolicy, type PruneResult } from './prune.js';
import { restoreBackup, type RestoreResult } from './restore.js';
import { previewRestore, type RestorePreview } from './restorePreview.js';
import type { FileSecurity } from './privateModes.js';
import { prepareBackup, publishBackup, type BackupResult } from './snapshot.js';

export type { FileChange, FileStatus } from './changes.js';
export type { DiffResult } from './diff.js';
export type { BackupFileStat, BackupInfo } from './history.js';
export type { PrunePolicy, PruneResult } from './prune.js';
export type { RestoreResult } from './restore.js';
export type { RestorePreview, RestorePreviewFile } from './restorePreview.js';
export type { BackupResult } from './snapshot.js';

/** Settings of one folder's backups. */
export interface GitBackupOptions {
  /** The watched folder (absolute). */
  folder: string;
  /** This folder's private data: its private index, and its bare repository when it is in no repository. */
  dataDir: string;
  /** Clock in ms since the epoch: backup commit dates and the prune policy's age. */
  now?: () => number;
  /** Variables added to every git process's clean environment (tests point HOME at a temp dir). */
  env?: Readonly<Record<string, string | undefined>>;
  /** How what the backup writes is made the user's alone (POSIX modes or the ACL; default: this OS's). */
  platform?: FileSecurity;
}

/**
 * Backs one folder up to git without touching the user's branch: snapshots go through a private
 * index (GIT_INDEX_FILE under dataDir) into commits on refs/poshpool/backups/<branch> (see backupRef; `detached`
 * while HEAD is; `main` in the private bare repository of a folder outside any repository), moved by
 * compare-and-swap. HEAD, .git/index, refs/heads, the stash and lock files are never written; reads
 * run with GIT_OPTIONAL_LOCKS=0. Backups, restores and prunes of one instance run one at a time.
 */
export class GitBackup {
  private readonly options: GitBackupOptions;
  private tail: Promise<unknown> = Promise.resolve();
  /** Where the folder's path led when first opened: a later swap of a link on that path is refused. */
  private realFolder: string | undefined;

  constructor(options: GitBackupOptions) {
    this.options = { ...options, folder: path.resolve(options.folder), dataDir: path.resolve(options.dataDir) };
  }

  /** The backed-up folder. */
  get folder(): string {
    return this.options.folder;
  }

  /** Backs the folder up now: a new backup, `skipped` when nothing changed since the last one, or why not. */
  backup(): Promise<BackupResult> {
    return this.serial(() => this.backupNow());
  }

  /** The backups of the current branch (or the standalone folder), newest first. Throws only when git fails. */
  async history(limit?: number): Promise<BackupInfo[]> {
    const opened = await this.context();
    if (!opened.ok) throw new Error(opened.reason);
    const read = await readHistory(opened.ctx.loc, opened.ctx.ref, limit);
    if (!read.ok) throw new Error(read.reason);
    return read.backups;
  }

  /** A backup's unified diff against its parent, or against the folder now (`a/` backup, `b/` now). */
  async diff(id: string, against: 'parent' | 'now', path?: string): Promise<DiffResult> {
    const opened = await this.context();
    if (!opened.ok) return opened;
    return diffBackup(opened.ctx, id, against, path);
  }

  /** Restores one file (folder-relative) or the whole folder from a backup, after backing up the current state (undoId). */
  restore(id: string, path?: string): Promise<RestoreResult> {
    return this.serial(async () => {
      const opened = await this.context();
      if (!opened.ok) return { ok: false, reason: opened.reason, retry: false };
      return restoreBackup(opened.ctx, id, () => this.backupNow(), path);
    });
  }

  /** What restore(id, path) would write and remove now, writing nothing (for a person to confirm). */
  async previewRestore(id: string, path?: string): Promise<RestorePreview> {
    const opened = await this.context();
    if (!opened.ok) return opened;
    return previewRestore(opened.ctx, id, path);
  }

  /** Drops the backups the policy does not keep (the newest always stays). */
  prune(policy: PrunePolicy): Promise<PruneResult> {
    return this.serial(async () => {
      const opened = await this.context();
      if (!opened.ok) return { ok: false, reason: opened.reason, retry: false };
      return pruneBackups(opened.ctx, policy);
    });
  }

  private async backupNow(): Promise<BackupResult> {
    const opened = await this.context();
    if (!opened.ok) return { ok: false, reason: opened.reason, retry: false };
    const prepared = await prepareBackup(opened.ctx);
    if (!prepared.ok) return { ok: false, reason: prepared.reason, retry: false };
    return publishBackup(opened.ctx, prepared.prepared);
  }

  private context(): Promise<{ ok: true; ctx: BackupContext } | { ok: false; reason: string }> {
    const { folder } = this.options;
    let real: string | undefined;
    try {
      real = realpathSync(folder);
    } catch {
      // Gone or unreadable: openContext says so.
    }
    if (real !== undefined) {
      this.realFolder ??= real;
      if (real !== this.realFolder) {
        // The folder (or a directory on its path) was swapped for a link: backing up would read, and
        // restoring would write, what the link leads to instead of the folder.
        return Promise.resolve({
          ok: false,
          reason: `${folder} now leads to ${real}, not to ${this.realFolder} as when its backups began: a symbolic link was put on its path. Nothing there is backed up or restored, so nothing outside the folder is read or written; put the folder back, or restart poshpool to back up what the path leads to now.`,
        });
      }
    }
    return openContext(this.options);
  }

  /** Runs `fn` after every operation queued before it, whatever their outcome. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

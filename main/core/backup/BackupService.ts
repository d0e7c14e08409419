import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BackupReason } from '../../../common/events.js';
import type { Disposable } from '../events/Emitter.js';
import type { EventBus } from '../events/EventBus.js';
import type { Platform } from '../platform/Platform.js';
import { FolderWatcher, UNKNOWN_CHANGE } from './FolderWatcher.js';
import { GitBackup } from './GitBackup.js';
import { gitIgnoreChecker } from './gitIgnore.js';
import { WatchedFolders } from './watchedFolders.js';

/** Settings of the backup service (the config's fields of the same names). */
export interface BackupSettings {
  watchFolders: string[];
  backupQuietSeconds: number;
  backupMaxDelaySeconds: number;
  backupKeepLast: number;
  backupKeepDays: number;
  backupRetryMs: number;
}

/** Backup counts, for the metrics. */
export interface BackupCounts {
  completed: number;
  skipped: number;
  failed: number;
}

type BackupResult = Awaited<ReturnType<GitBackup['backup']>>;

interface Folder {
  folder: string;
  git: GitBackup;
  watcher: FolderWatcher;
  subs: Disposable[];
  /** The backup under way, so two never run at once for one folder. */
  running: Promise<BackupResult> | undefined;
  /** Another burst came while a backup ran: back up again afterwards. */
  again: BackupReason | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  lastBackupAt: number | null;
}

/** Least time between two prunes of one folder's backups. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Backs up each watched folder after every burst of changes (quiet period, or the maximum delay for a
 * folder that never goes quiet), through GitBackup's shadow refs: the user's branch, index, HEAD and
 * working tree are never touched. Publishes backup completed/skipped/failed events.
 */
export class BackupService {
  private readonly folders: WatchedFolders<Folder>;
  private readonly counts: BackupCounts = { completed: 0, skipped: 0, failed: 0 };
  private readonly lastPrune = new Map<string, number>();
  private disposed = false;

  constructor(
    private readonly deps: {
      settings: BackupSettings;
      dataDir: string;
      bus: EventBus;
      /** How folders are watched and how their names compare (Windows: one recursive watch, names ignore case). */
      platform: Platform;
      now?: () => number;
    },
  ) {
    this.folders = new WatchedFolders(deps.platform);
  }

  /** Starts watching every configured folder; resolves once the initial scans are done. */
  async start(): Promise<void> {
    const { settings } = this.deps;
    const { platform } = this.deps;
    for (const raw of settings.watchFolders) {
      // Two entries naming one folder (`C:\src\App` and `c:\src\app\` on Windows) are watched once.
      if (this.folders.has(raw)) continue;
      const folder = this.folders.resolve(raw);
      // Named by its key, so a change of spelling in the config finds the same private data.
      const id = createHash('sha256').update(this.folders.key(raw)).digest('hex').slice(0, 16);
      const git = new GitBackup({ folder, dataDir: path.join(this.deps.dataDir, 'backups', id), now: this.deps.now, platform });
      const ignored = gitIgnoreChecker(folder);
      const watcher = new FolderWatcher({
        folder,
        quietMs: settings.backupQuietSeconds * 1000,
        maxDelayMs: settings.backupMaxDelaySeconds * 1000,
        isIgnored: ignored,
        platform,
      });
      const entry: Folder = { folder, git, watcher, subs: [], running: undefined, again: undefined, retryTimer: undefined, lastBackupAt: null };
      entry.subs.push(
        watcher.onBurst((b) => {
          // Ignore rules may have changed (or the system did not say what changed): ask git afresh.
          if (b.changedPaths.some((p) => p === UNKNOWN_CHANGE || isGitIgnoreFile(p, platform))) ignored.clear();
          void this.run(entry, b.reason);
        }),
      );
      entry.subs.push(watcher.onError((e) => this.deps.bus.emit({ type: 'backup.failed', folder, reason: 'quiet', error: `watching failed: ${e.message}` })));
      this.folders.add(raw, entry);
      await watcher.ready();
    }
  }

  /** The watched folders. */
  list(): { folder: string; lastBackupAt: number | null; running: boolean }[] {
    return this.folders.values().map((f) => ({ folder: f.folder, lastBackupAt: f.lastBackupAt, running: f.running !== undefined }));
  }

  /** Completed, skipped and failed backups since start. */
  metrics(): BackupCounts {
    return { ...this.counts };
  }

  /** Backs a folder up now (all folders when none is named). */
  async backupNow(folder?: string): Promise<{ ok: true; results: { folder: string; result: BackupResult }[] } | { ok: false; reason: string }> {
    const targets = folder === undefined ? this.folders.values() : [this.find(folder)];
    if (targets.some((t) => t === undefined)) return { ok: false, reason: this.unknown(folder!) };
    const results = [];
    for (const t of targets as Folder[]) results.push({ folder: t.folder, result: await this.run(t, 'requested') });
    return { ok: true, results };
  }

  /** The backups of a watched folder, newest first. */
  async history(folder: string, limit?: number): Promise<{ ok: true; backups: Awaited<ReturnType<GitBackup['history']>> } | { ok: false; reason: string }> {
    const f = this.find(folder);
    if (!f) return { ok: false, reason: this.unknown(folder) };
    return { ok: true, backups: await f.git.history(limit) };
  }

  /** The diff of a backup against its parent or against the folder now. */
  async diff(folder: string, id: string, against: 'parent' | 'now', file?: string): Promise<Awaited<ReturnType<GitBackup['diff']>> | { ok: false; reason: string }> {
    const f = this.find(folder);
    if (!f) return { ok: false, reason: this.unknown(folder) };
    return f.git.diff(id, against, file);
  }

  /** What restoring one file or the whole snapshot would overwrite, create and remove now (nothing is written). */
  async previewRestore(folder: string, id: string, file?: string): Promise<Awaited<ReturnType<GitBackup['previewRestore']>>> {
    const f = this.find(folder);
    if (!f) return { ok: false, reason: this.unknown(folder) };
    return f.git.previewRestore(id, file);
  }

  /** Restores one file or the whole snapshot; the current state is backed up first (undo with undoId). */
  async restore(folder: string, id: string, file?: string): Promise<Awaited<ReturnType<GitBackup['restore']>> | { ok: false; reason: string }> {
    const f = this.find(folder);
    if (!f) return { ok: false, reason: this.unknown(folder) };
    // Wait for a backup under way, so the restore's own safety backup sees a settled state.
    await f.running;
    const restored = await f.git.restore(id, file);
    if (restored.ok) this.counts.completed++;
    return restored;
  }

  /** Stops watching; waits for backups under way. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const f of this.folders.values()) {
      clearTimeout(f.retryTimer);
      for (const s of f.subs) s.dispose();
      await f.watcher.dispose();
      await f.running;
    }
    this.folders.clear();
  }

  private run(f: Folder, reason: BackupReason): Promise<BackupResult> {
    if (f.running) {
      f.again = reason;
      return f.running;
    }
    f.running = (async () => {
      const result = await f.git.backup().catch((e: unknown): BackupResult => ({ ok: false, reason: String(e), retry: false }));
      this.report(f, reason, result);
      // Pruning rewrites the backup chain, so it runs in the same turn as backups, never beside one.
      if (result.ok && result.kind === 'created') await this.pruneIfDue(f);
      return result;
    })();
    void f.running.finally(() => {
      f.running = undefined;
      const again = f.again;
      f.again = undefined;
      if (again && !this.disposed) void this.run(f, again);
    });
    return f.running;
  }

  private report(f: Folder, reason: BackupReason, result: BackupResult): void {
    const { bus, settings } = this.deps;
    if (!result.ok) {
      if (result.retry && !this.disposed) {
        // Lost a race with the user's own git: nothing is lost, the next attempt takes both.
        clearTimeout(f.retryTimer);
        f.retryTimer = setTimeout(() => void this.run(f, 'retry'), settings.backupRetryMs);
        f.retryTimer.unref();
        return;
      }
      this.counts.failed++;
      bus.emit({ type: 'backup.failed', folder: f.folder, reason, error: result.reason });
      return;
    }
    if (result.kind === 'skipped') {
      this.counts.skipped++;
      bus.emit({ type: 'backup.skipped', folder: f.folder, reason });
      return;
    }
    this.counts.completed++;
    f.lastBackupAt = (this.deps.now ?? Date.now)();
    bus.emit({ type: 'backup.completed', folder: f.folder, backupId: result.id, filesChanged: result.filesChanged, reason });
  }

  private async pruneIfDue(f: Folder): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    if (now - (this.lastPrune.get(f.folder) ?? 0) < PRUNE_INTERVAL_MS) return;
    this.lastPrune.set(f.folder, now);
    const { backupKeepLast, backupKeepDays } = this.deps.settings;
    const pruned = await f.git.prune({ keepLast: backupKeepLast, youngerThanDays: backupKeepDays }).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
    if (!pruned.ok) this.deps.bus.emit({ type: 'backup.failed', folder: f.folder, reason: 'requested', error: `pruning old backups failed: ${pruned.reason}` });
  }

  private find(folder: string): Folder | undefined {
    return this.folders.get(folder);
  }

  private unknown(folder: string): string {
    return this.folders.unknownReason(folder);
  }
}

/** Whether a changed path is a .gitignore file (any case where names ignore case). */
function isGitIgnoreFile(rel: string, platform: Platform): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return (platform.caseInsensitivePaths ? name.toLowerCase() : name) === '.gitignore';
}

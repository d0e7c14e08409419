import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Emitter, type Disposable } from '../events/Emitter.js';
import type { Platform } from '../platform/Platform.js';
import { BurstBatcher, type BurstReason } from './folderWatcherBurst.js';
import { describeFolderGone, describeStartError, describeWatchError, errorCode, type FolderWatchError } from './folderWatcherError.js';
import { watchBackendFor, type FolderWatchMode, type WatchBackend, type WatchBackendStart } from './watchBackends.js';

export type { BurstReason } from './folderWatcherBurst.js';
export type { FolderWatchError } from './folderWatcherError.js';
export type { FolderWatchMode } from './watchBackends.js';

/** A changed path of a burst that means "somewhere in the folder": the system dropped the details (its event buffer overflowed). */
export const UNKNOWN_CHANGE = '.';

/** Settings of a folder watcher. */
export interface FolderWatcherOptions {
  /** The folder to watch, recursively. */
  folder: string;
  /**
   * The platform's decisions used here: how to watch (folderWatch: one recursive watch on the root on
   * Windows, one per directory elsewhere) and whether names ignore case (a `.GIT` directory is `.git`).
   * Paths themselves are the running system's (node:path), since they come from its file system.
   */
  platform: Pick<Platform, 'folderWatch' | 'caseInsensitivePaths'>;
  /** A burst ends when no change came for this long (ms). */
  quietMs: number;
  /** A burst ends at the latest this long after its first change, even if changes keep coming (ms). */
  maxDelayMs: number;
  /**
   * Paths to leave out (absolute path in, true to ignore), e.g. gitIgnoreChecker(folder).isIgnored. An
   * ignored directory is not watched at all. `.git` directories are always left out.
   */
  isIgnored?: (absPath: string) => boolean;
  /** Clock in ms. */
  now?: () => number;
  /** Starts the watch instead of the platform's backend (tests drive a watcher by hand with it). */
  startBackend?: WatchBackendStart;
}

/** The end of a burst of changes in a watched folder. */
export interface FolderBurst {
  /** The watched folder (absolute): the id of the watch. */
  folder: string;
  /**
   * Paths that changed (added, modified, deleted, renamed from or to), relative to the folder,
   * '/'-separated, deduplicated, sorted. A deleted or renamed directory may be listed alone, standing
   * for everything inside it; UNKNOWN_CHANGE ('.') when the system did not say where.
   */
  changedPaths: string[];
  /** Why the burst ended: quiet period over, longest wait reached, or flush(). */
  reason: BurstReason;
}

/** starting: initial scan; watching: reporting changes; stopped: gave up (see onError); disposed. */
export type FolderWatcherState = 'starting' | 'watching' | 'stopped' | 'disposed';

/**
 * Watches one folder recursively (through the platform's backend, see watchBackends) and reports each burst of changes once, when the folder has
 * been quiet for quietMs or, for a folder that never goes quiet, maxDelayMs after the burst's first
 * change. Files present at start are not a change. Problems are reported through onError; the watcher
 * keeps going unless the error says `stopped` (the folder is gone, or could not be watched at all).
 */
export class FolderWatcher {
  /** The watched folder (absolute). */
  readonly folder: string;
  /** How the folder is watched. */
  readonly mode: FolderWatchMode;
  private readonly caseInsensitive: boolean;
  private readonly isIgnoredOption: ((absPath: string) => boolean) | undefined;
  private readonly startBackend: WatchBackendStart;
  private readonly burstEmitter = new Emitter<FolderBurst>();
  private readonly errorEmitter = new Emitter<FolderWatchError>();
  private readonly batcher: BurstBatcher;
  private readonly readyPromise: Promise<void>;
  private settleReady: () => void = () => {};
  private backend: WatchBackend | undefined;
  private closing: Promise<void> | undefined;
  private disposing: Promise<void> | undefined;
  private currentState: FolderWatcherState = 'starting';
  private reportedIgnoreFailure = false;

  constructor(options: FolderWatcherOptions) {
    this.folder = path.resolve(options.folder);
    this.mode = options.platform.folderWatch;
    this.caseInsensitive = options.platform.caseInsensitivePaths;
    this.startBackend = options.startBackend ?? watchBackendFor(this.mode);
    this.isIgnoredOption = options.isIgnored;
    this.batcher = new BurstBatcher({
      quietMs: options.quietMs,
      maxDelayMs: options.maxDelayMs,
      now: options.now,
      onBurst: (changedPaths, reason) => this.burstEmitter.fire({ folder: this.folder, changedPaths, reason }),
    });
    this.readyPromise = new Promise<void>((resolve) => {
      this.settleReady = resolve;
    });
    this.start().catch((e: unknown) => this.stop(describeStartError(this.folder, e), errorCode(e)));
  }

  /** Fires once at the end of each burst of changes. */
  onBurst(listener: (burst: FolderBurst) => void): Disposable {
    return this.burstEmitter.event(listener);
  }

  /** Fires when something goes wrong; `stopped` says whether the watcher gave up. */
  onError(listener: (error: FolderWatchError) => void): Disposable {
    return this.errorEmitter.event(listener);
  }

  get state(): FolderWatcherState {
    return this.currentState;
  }

  /** Changed paths waiting for the end of the current burst. */
  get pendingChanges(): number {
    return this.batcher.pending;
  }

  /** Resolves when the initial scan is done, or when the watch could not start (then state is 'stopped'). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Ends the current burst now (reason 'requested'), e.g. for backup_now; false when nothing is pending. */
  flush(): boolean {
    if (this.currentState === 'disposed') return false;
    return this.batcher.flush();
  }

  /** Stops watching and drops the open burst; nothing fires afterwards. */
  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    this.currentState = 'disposed';
    this.batcher.dispose();
    this.burstEmitter.dispose();
    this.errorEmitter.dispose();
    this.settleReady();
    this.disposing = this.closeWatcher();
    return this.disposing;
  }

  private async start(): Promise<void> {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(this.folder)).isDirectory();
    } catch (e) {
      this.stop(describeStartError(this.folder, e), errorCode(e));
      return;
    }
    if (this.currentState !== 'starting') return;
    if (!isDirectory) {
      this.stop(describeStartError(this.folder, { code: 'ENOTDIR' }), 'ENOTDIR');
      return;
    }
    this.backend = this.startBackend(this.folder, (p) => this.isExcluded(p), {
      change: (p) => this.onChange(p),
      error: (e) => this.onWatchError(e),
      ready: () => {
        if (this.currentState === 'starting') this.currentState = 'watching';
        this.settleReady();
      },
    });
  }

  private onChange(absPath: string | undefined): void {
    if (this.currentState === 'disposed' || this.currentState === 'stopped') return;
    if (absPath === undefined) {
      this.batcher.add(UNKNOWN_CHANGE);
      return;
    }
    const rel = this.relative(absPath);
    if (rel === undefined) return;
    if (rel === '') {
      // The folder itself: deleted (chokidar's unlinkDir, Node's recursive watch on Linux) or only touched.
      void this.checkFolderStillThere(undefined);
      return;
    }
    // Checked here for both backends, ancestors first: chokidar asks `ignored` for new entries only,
    // and a recursive watch reports everything, including the insides of ignored directories.
    if (this.isExcluded(absPath)) return;
    this.batcher.add(rel);
  }

  private onWatchError(error: unknown): void {
    if (this.currentState === 'disposed' || this.currentState === 'stopped') return;
    const where = (error as { path?: unknown } | null)?.path;
    const rel = typeof where === 'string' ? this.relative(path.resolve(this.folder, where)) : undefined;
    if (errorCode(error) === 'ENOENT' && rel !== undefined && rel !== '') {
      // A directory deleted while the watch was reading it: that is a change, not a problem.
      if (!this.isExcluded(path.resolve(this.folder, where as string))) this.batcher.add(rel);
      return;
    }
    // On Windows deleting the watched folder shows up as an error (EPERM, Node's fs.watch caveats): look first.
    void this.checkFolderStillThere(error);
  }

  /** Stops when the folder is gone; otherwise reports `error` (if any) and goes on watching. */
  private async checkFolderStillThere(error: unknown): Promise<void> {
    let there = false;
    try {
      there = (await stat(this.folder)).isDirectory();
    } catch {
      // Gone or unreachable: either way there is nothing left to watch.
    }
    if (!there) return this.stop(describeFolderGone(this.folder), 'ENOENT');
    if (error === undefined || this.currentState === 'disposed' || this.currentState === 'stopped') return;
    this.errorEmitter.fire({ folder: this.folder, message: describeWatchError(this.folder, error), code: errorCode(error), stopped: false });
  }

  /** Gives up: drops the open burst, reports why, closes the watch. */
  private stop(message: string, code: string | undefined): void {
    if (this.currentState === 'disposed' || this.currentState === 'stopped') return;
    this.currentState = 'stopped';
    this.batcher.clear();
    this.settleReady();
    this.errorEmitter.fire({ folder: this.folder, message, code, stopped: true });
    void this.closeWatcher();
  }

  private closeWatcher(): Promise<void> {
    if (!this.closing) {
      this.closing = this.backend ? this.backend.close() : Promise.resolve();
    }
    return this.closing;
  }

  /**
   * True for paths under a `.git` directory and for paths that isIgnored says, or says of one of
   * their ancestors, are ignored (checked from the top down, so a path deep inside node_modules costs
   * one answer about node_modules); never for the folder itself or outside it.
   */
  private isExcluded(absPath: string): boolean {
    const rel = this.relative(absPath);
    if (rel === undefined || rel === '') return false;
    const segments = rel.split('/');
    if (segments.some((s) => (this.caseInsensitive ? s.toLowerCase() : s) === '.git')) return true;
    if (!this.isIgnoredOption) return false;
    let ancestor = this.folder;
    for (const segment of segments) {
      ancestor = path.join(ancestor, segment);
      if (this.askIgnored(ancestor)) return true;
    }
    return false;
  }

  private askIgnored(absPath: string): boolean {
    try {
      return this.isIgnoredOption?.(absPath) ?? false;
    } catch (e) {
      if (!this.reportedIgnoreFailure) {
        this.reportedIgnoreFailure = true;
        this.errorEmitter.fire({
          folder: this.folder,
          message: `The ignore check failed for ${absPath}: ${e instanceof Error ? e.message : String(e)}; such paths are watched as not ignored.`,
          stopped: false,
        });
      }
      return false;
    }
  }

  /** '/'-separated path inside the folder; '' for the folder itself; undefined outside it. */
  private relative(absPath: string): string | undefined {
    const rel = path.relative(this.folder, absPath);
    if (rel === '') return '';
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }
}

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { Emitter, type Disposable } from '../events/Emitter.js';
import { BurstBatcher, type BurstReason } from './folderWatcherBurst.js';
import { describeFolderGone, describeStartError, describeWatchError, errorCode, type FolderWatchError } from './folderWatcherError.js';

export type { BurstReason } from './folderWatcherBurst.js';
export type { FolderWatchError } from './folderWatcherError.js';

/** Settings of a folder watcher. */
export interface FolderWatcherOptions {
  /** The folder to watch, recursively. */
  folder: string;
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
}

/** The end of a burst of changes in a watched folder. */
export interface FolderBurst {
  /** The watched folder (absolute): the id of the watch. */
  folder: string;
  /** Paths that changed (added, modified, deleted, renamed from or to), relative to the folder, '/'-separated, deduplicated, sorted. */
  changedPaths: string[];
  /** Why the burst ended: quiet period over, longest wait reached, or flush(). */
  reason: BurstReason;
}

/** starting: initial scan; watching: reporting changes; stopped: gave up (see onError); disposed. */
export type FolderWatcherState = 'starting' | 'watching' | 'stopped' | 'disposed';

/**
 * Watches one folder recursively (chokidar) and reports each burst of changes once, when the folder has
 * been quiet for quietMs or, for a folder that never goes quiet, maxDelayMs after the burst's first
 * change. Files present at start are not a change. Problems are reported through onError; the watcher
 * keeps going unless the error says `stopped` (the folder is gone, or could not be watched at all).
 */
export class FolderWatcher {
  /** The watched folder (absolute). */
  readonly folder: string;
  private readonly isIgnoredOption: ((absPath: string) => boolean) | undefined;
  private readonly burstEmitter = new Emitter<FolderBurst>();
  private readonly errorEmitter = new Emitter<FolderWatchError>();
  private readonly batcher: BurstBatcher;
  private readonly readyPromise: Promise<void>;
  private settleReady: () => void = () => {};
  private watcher: FSWatcher | undefined;
  private closing: Promise<void> | undefined;
  private disposing: Promise<void> | undefined;
  private currentState: FolderWatcherState = 'starting';
  private reportedIgnoreFailure = false;

  constructor(options: FolderWatcherOptions) {
    this.folder = path.resolve(options.folder);
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
    const watcher = watch(this.folder, {
      ignoreInitial: true,
      // Symlinks are reported as entries, never followed out of the folder.
      followSymlinks: false,
      // Report unlinks at once and never drop editor temp names; the quiet period does the batching.
      atomic: false,
      ignorePermissionErrors: false,
      ignored: (p: string) => this.isExcluded(p),
    });
    this.watcher = watcher;
    watcher.on('all', (event, p) => this.onChange(event, p));
    watcher.on('error', (e) => this.onWatchError(e));
    watcher.once('ready', () => {
      if (this.currentState === 'starting') this.currentState = 'watching';
      this.settleReady();
    });
  }

  private onChange(event: string, absPath: string): void {
    if (this.currentState === 'disposed' || this.currentState === 'stopped') return;
    const rel = this.relative(absPath);
    if (rel === undefined) return;
    if (rel === '') {
      if (event === 'unlinkDir') this.stop(describeFolderGone(this.folder), 'ENOENT');
      return;
    }
    // chokidar checks `ignored` for new entries only; checking again drops changes to files the rules
    // came to ignore after they were first seen.
    if (this.isExcluded(absPath)) return;
    this.batcher.add(rel);
  }

  private onWatchError(error: unknown): void {
    if (this.currentState === 'disposed' || this.currentState === 'stopped') return;
    this.errorEmitter.fire({ folder: this.folder, message: describeWatchError(this.folder, error), code: errorCode(error), stopped: false });
    void this.checkFolderStillThere();
  }

  private async checkFolderStillThere(): Promise<void> {
    try {
      if ((await stat(this.folder)).isDirectory()) return;
    } catch {
      // Gone or unreachable: either way there is nothing left to watch.
    }
    this.stop(describeFolderGone(this.folder), 'ENOENT');
  }

  /** Gives up: drops the open burst, reports why, closes chokidar. */
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
      const watcher = this.watcher;
      // A failing close leaves nothing we could still release; the watcher is unusable either way.
      this.closing = watcher ? watcher.close().catch(() => undefined) : Promise.resolve();
    }
    return this.closing;
  }

  /** True for paths under a `.git` directory and for what isIgnored says; never for the folder itself or outside it. */
  private isExcluded(absPath: string): boolean {
    const rel = this.relative(absPath);
    if (rel === undefined || rel === '') return false;
    if (rel.split('/').includes('.git')) return true;
    if (!this.isIgnoredOption) return false;
    try {
      return this.isIgnoredOption(absPath);
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

/** Why a burst ended: the folder went quiet, it never went quiet for the longest allowed wait, or flush(). */
export type BurstReason = 'quiet' | 'maxDelay' | 'requested';

/** Settings of a burst batcher. */
export interface BurstBatcherOptions {
  /** A burst ends when no change came for this long (ms). */
  quietMs: number;
  /** A burst ends at the latest this long after its first change, even if changes keep coming (ms). */
  maxDelayMs: number;
  /** Called once per burst with the changed paths (deduplicated, sorted) and why the burst ended. */
  onBurst: (paths: string[], reason: BurstReason) => void;
  /** Clock in ms. */
  now?: () => number;
}

/**
 * Collects changed paths into bursts: one timer, re-armed on each change, due at the end of the quiet
 * period or at the burst's deadline (first change + maxDelayMs), whichever comes first.
 */
export class BurstBatcher {
  private readonly quietMs: number;
  private readonly maxDelayMs: number;
  private readonly onBurst: (paths: string[], reason: BurstReason) => void;
  private readonly now: () => number;
  private readonly paths = new Set<string>();
  private firstChangeAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(options: BurstBatcherOptions) {
    if (!(options.quietMs > 0) || !Number.isFinite(options.quietMs)) throw new RangeError(`quietMs must be a positive number of ms, got ${options.quietMs}`);
    if (!(options.maxDelayMs > 0) || !Number.isFinite(options.maxDelayMs)) throw new RangeError(`maxDelayMs must be a positive number of ms, got ${options.maxDelayMs}`);
    this.quietMs = options.quietMs;
    this.maxDelayMs = options.maxDelayMs;
    this.onBurst = options.onBurst;
    this.now = options.now ?? Date.now;
  }

  /** Paths waiting for the end of the current burst. */
  get pending(): number {
    return this.paths.size;
  }

  /** Records a change; starts a burst when none is open. */
  add(path: string): void {
    if (this.disposed) return;
    const t = this.now();
    if (this.paths.size === 0) this.firstChangeAt = t;
    this.paths.add(path);
    const untilDeadline = this.firstChangeAt + this.maxDelayMs - t;
    if (untilDeadline < this.quietMs) this.arm(Math.max(0, untilDeadline), 'maxDelay');
    else this.arm(this.quietMs, 'quiet');
  }

  /** Ends the open burst now (reason 'requested'); false when no change is pending. */
  flush(): boolean {
    if (this.paths.size === 0) return false;
    this.fire('requested');
    return true;
  }

  /** Drops the open burst without reporting it. */
  clear(): void {
    this.cancelTimer();
    this.paths.clear();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private arm(ms: number, reason: BurstReason): void {
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire(reason);
    }, ms);
  }

  private fire(reason: BurstReason): void {
    this.cancelTimer();
    const paths = [...this.paths].sort();
    this.paths.clear();
    // Changes made by a listener (or arriving while it runs) open the next burst.
    this.onBurst(paths, reason);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

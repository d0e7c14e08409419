/** The pool's settings that decide when failed starts make it degraded and how long it waits to retry. */
export interface PoolHealthSettings {
  spawnBackoffInitialMs: number;
  spawnBackoffMaxMs: number;
  /** Failures within the window that make the pool degraded. */
  degradedFailureCount: number;
  degradedWindowSeconds: number;
}

/** What a failed start means for the pool. */
export interface FailureVerdict {
  /** This failure made a pool that was not degraded degraded. */
  degradedNow: boolean;
  /** Failures within the window, this one included. */
  failures: number;
  /** Wait before the next start (exponential in the failures in a row, capped). */
  retryInMs: number;
}

/**
 * How the pool's session starts are faring: failures in a row (the backoff), failures within the
 * window (degraded or not), the latest reason, and the words a degraded pool's callers are told.
 */
export class PoolHealth {
  private failureTimes: number[] = [];
  private consecutive = 0;
  private latest = '';
  private since = 0;
  private degraded = false;
  private _restarts = 0;

  constructor(
    private readonly settings: PoolHealthSettings,
    private readonly now: () => number,
    /** The host whose sessions the pool starts, when not this machine. */
    private readonly host: string | undefined,
  ) {}

  /** Sessions started to replace ones that failed or died. */
  get restarts(): number {
    return this._restarts;
  }

  /** The latest failure's reason. */
  get lastFailure(): string {
    return this.latest;
  }

  /** Counts a failed start (or a warm session lost); says whether the pool is degraded now and when to retry. */
  failure(reason: string): FailureVerdict {
    const now = this.now();
    this.latest = reason;
    this.consecutive++;
    this._restarts++;
    const windowMs = this.settings.degradedWindowSeconds * 1000;
    this.failureTimes = [...this.failureTimes.filter((t) => now - t < windowMs), now];
    const degradedNow = !this.degraded && this.failureTimes.length >= this.settings.degradedFailureCount;
    if (degradedNow) {
      this.degraded = true;
      this.since = now;
    }
    const retryInMs = Math.min(this.settings.spawnBackoffMaxMs, this.settings.spawnBackoffInitialMs * 2 ** (this.consecutive - 1));
    return { degradedNow, failures: this.failureTimes.length, retryInMs };
  }

  /** Counts a started session; when the pool was degraded, how long it was down (ms). */
  success(): { recoveredAfterMs?: number } {
    this.consecutive = 0;
    if (!this.degraded) return {};
    this.degraded = false;
    return { recoveredAfterMs: this.now() - this.since };
  }

  /** What a caller is told while the pool is degraded. */
  degradedMessage(): string {
    if (this.host !== undefined) {
      return `Sessions on host "${this.host}" cannot be started: ${this.latest} poshpool retries with a growing delay (up to ${Math.round(this.settings.spawnBackoffMaxMs / 1000)} s) and lends sessions there again once the host answers; sessions on other hosts are not affected.`;
    }
    return `PowerShell sessions cannot be started: ${this.latest} (${this.failureTimes.length} failures in ${this.settings.degradedWindowSeconds} s). poshpool keeps retrying and recovers by itself once pwsh starts; check the pwsh path ("shell.path") and the logs.`;
  }
}

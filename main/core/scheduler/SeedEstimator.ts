/** Settings of the seed's ETA estimator. */
export interface SeedEstimatorOptions {
  /** Average wait assumed until the first wait is recorded (ms, >= 0). */
  initialWaitMs: number;
}

/**
 * The seed's ETA design, kept ONLY as the baseline the ETA benchmark and simulation compare against;
 * the scheduler uses EtaEstimator. It averages the past waits of served requests and estimates the
 * wait of position p as that average × p, ignoring the number of slots and how long the lent sessions
 * have been held.
 */
export class SeedEstimator {
  private total = 0;
  private count = 0;

  constructor(private readonly options: SeedEstimatorOptions) {
    if (!(Number.isFinite(options.initialWaitMs) && options.initialWaitMs >= 0)) {
      throw new RangeError(`initialWaitMs must be a finite number >= 0, not ${options.initialWaitMs}`);
    }
  }

  /** Records how long a served request waited. Non-finite values are ignored; negative ones count as 0. */
  recordWait(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.total += Math.max(0, ms);
    this.count++;
  }

  /** The average recorded wait (ms); initialWaitMs while none is recorded. */
  get averageWaitMs(): number {
    return this.count === 0 ? this.options.initialWaitMs : this.total / this.count;
  }

  /** Estimated wait (ms, rounded) of the request at a 1-based queue position: average wait × position. */
  estimate(position: number): number {
    if (!Number.isInteger(position) || position < 1) throw new RangeError(`position must be an integer >= 1, not ${position}`);
    return Math.round(this.averageWaitMs * position);
  }
}

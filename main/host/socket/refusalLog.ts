/** Shortest time between two notes about refused connections: the rest are counted into a summary. */
export const REFUSAL_SUMMARY_MS = 60_000;

/**
 * Notes about refused socket connections, throttled: the first refusal is written at once; those
 * that follow within {@link REFUSAL_SUMMARY_MS} are only counted, and one summary line ("refused N
 * more ...") is written when that time is up, then at most once per period while refusals go on.
 * A peer that retries with a wrong token in a loop thus costs one line a minute, not one per try.
 */
export class RefusalLog {
  private timer: NodeJS.Timeout | undefined;
  private suppressed = 0;
  private lastReason = '';

  constructor(
    private readonly where: string,
    private readonly log: (line: string) => void,
    private readonly everyMs: number = REFUSAL_SUMMARY_MS,
  ) {}

  /** A connection was refused for `reason` (which never holds a secret). */
  refused(reason: string): void {
    if (this.timer === undefined) {
      this.log(`poshpool: refused a connection on ${this.where}: ${reason}`);
      this.startPeriod();
      return;
    }
    this.suppressed++;
    this.lastReason = reason;
  }

  /** Writes the summary still owed, if any, and stops the timer. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.summarize();
  }

  private startPeriod(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Refusals went on during the period: say how many, and keep counting for another one.
      if (this.summarize()) this.startPeriod();
    }, this.everyMs);
    this.timer.unref();
  }

  private summarize(): boolean {
    if (this.suppressed === 0) return false;
    const n = this.suppressed;
    this.suppressed = 0;
    this.log(
      `poshpool: refused ${n} more connection${n === 1 ? '' : 's'} on ${this.where} in the last ${Math.round(this.everyMs / 1000)} s ` +
        `(the last: ${this.lastReason}); refusals are noted at most once every ${Math.round(this.everyMs / 1000)} s.`,
    );
    return true;
  }
}

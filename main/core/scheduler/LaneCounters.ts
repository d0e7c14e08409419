import type { Priority } from '../../../common/events.js';
import type { SchedulerMetrics } from '../../../common/scheduler.js';
import { DurationWindow } from './DurationWindow.js';

/** Command durations the p50/p95 metrics are computed over. */
const DURATION_WINDOW = 1000;

/** The counted part of a lane's metrics (the rest is the pool's and the queue's state now). */
export type CountedMetrics = Pick<
  SchedulerMetrics,
  'peakSessions' | 'peakQueueDepth' | 'averageWaitMs' | 'commandsRun' | 'commandsFailed' | 'commandDurationMs' | 'requestsRejected'
>;

/**
 * What a lane has done since start: commands run and failed with their recent durations, requests
 * refused, waits per class, and the peaks of lent sessions and of the queue.
 */
export class LaneCounters {
  private readonly durations = new DurationWindow(DURATION_WINDOW);
  private readonly waitTotals = { sync: { ms: 0, n: 0 }, async: { ms: 0, n: 0 } };
  private readonly counts = { commandsRun: 0, commandsFailed: 0, requestsRejected: 0, peakSessions: 0, peakQueueDepth: 0 };

  /** A command on a lent session has its result. */
  commandFinished(result: { success: boolean; durationMs: number }): void {
    this.counts.commandsRun++;
    if (!result.success) this.counts.commandsFailed++;
    this.durations.add(result.durationMs);
  }

  /** A request was refused (queue full, pool degraded, shutting down). */
  rejected(): void {
    this.counts.requestsRejected++;
  }

  /** A session was lent after `waitedMs`; `lentNow` sessions are lent in all. */
  lent(priority: Priority, waitedMs: number, lentNow: number): void {
    this.counts.peakSessions = Math.max(this.counts.peakSessions, lentNow);
    this.waitTotals[priority].ms += waitedMs;
    this.waitTotals[priority].n++;
  }

  /** A request was queued; `depth` wait in all. */
  queued(depth: number): void {
    this.counts.peakQueueDepth = Math.max(this.counts.peakQueueDepth, depth);
  }

  /** The figures so far. */
  figures(): CountedMetrics {
    const avg = (t: { ms: number; n: number }): number | null => (t.n === 0 ? null : Math.round(t.ms / t.n));
    return {
      peakSessions: this.counts.peakSessions,
      peakQueueDepth: this.counts.peakQueueDepth,
      averageWaitMs: { sync: avg(this.waitTotals.sync), async: avg(this.waitTotals.async) },
      commandsRun: this.counts.commandsRun,
      commandsFailed: this.counts.commandsFailed,
      commandDurationMs: { p50: this.durations.percentile(50), p95: this.durations.percentile(95) },
      requestsRejected: this.counts.requestsRejected,
    };
  }
}

import { describe, expect, it } from 'vitest';
import { LaneCounters } from './LaneCounters.js';

describe('LaneCounters', () => {
  it('counts commands, failures, refusals, average waits per class and the peaks', () => {
    const c = new LaneCounters();
    expect(c.figures()).toEqual({
      peakSessions: 0,
      peakQueueDepth: 0,
      averageWaitMs: { sync: null, async: null },
      commandsRun: 0,
      commandsFailed: 0,
      commandDurationMs: { p50: null, p95: null },
      requestsRejected: 0,
    });
    c.commandFinished({ success: true, durationMs: 10 });
    c.commandFinished({ success: false, durationMs: 30 });
    c.rejected();
    c.lent('sync', 100, 1);
    c.lent('sync', 201, 3);
    c.lent('async', 50, 2);
    c.queued(4);
    c.queued(2);
    expect(c.figures()).toEqual({
      peakSessions: 3,
      peakQueueDepth: 4,
      averageWaitMs: { sync: 151, async: 50 },
      commandsRun: 2,
      commandsFailed: 1,
      commandDurationMs: { p50: 10, p95: 30 },
      requestsRejected: 1,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_HOLD_WINDOW, DEFAULT_OVERDUE_FLOOR, EtaEstimator, type EtaEstimatorOptions } from './EtaEstimator.js';

/** A settable fake clock. */
function fakeClock(start = 10_000): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

function makeEstimator(options: Partial<EtaEstimatorOptions> = {}): EtaEstimator {
  return new EtaEstimator({ alpha: 0.2, initialHoldMs: 100, now: () => 10_000, ...options });
}

describe('EtaEstimator mean hold', () => {
  it('starts at initialHoldMs', () => {
    const e = makeEstimator({ initialHoldMs: 750 });
    expect(e.meanHoldMs).toBe(750);
    expect(e.holdsRecorded).toBe(0);
    expect(e.medianHoldMs).toBe(750);
  });

  it('replaces initialHoldMs with the first hold, averages the first 1/alpha holds, then moves with weight alpha', () => {
    const e = makeEstimator({ alpha: 0.25, initialHoldMs: 5_000 });
    e.recordHold(100);
    expect(e.meanHoldMs).toBe(100);
    e.recordHold(200);
    expect(e.meanHoldMs).toBe(150); // plain average of 2
    e.recordHold(300);
    expect(e.meanHoldMs).toBeCloseTo(200, 10); // plain average of 3
    e.recordHold(400);
    expect(e.meanHoldMs).toBeCloseTo(250, 10); // 1/4 = alpha: both rules agree
    e.recordHold(0);
    expect(e.meanHoldMs).toBeCloseTo(187.5, 10); // 0.25 × 0 + 0.75 × 250
    e.recordHold(1_000);
    expect(e.meanHoldMs).toBeCloseTo(390.625, 10); // 0.25 × 1000 + 0.75 × 187.5
    expect(e.holdsRecorded).toBe(6);
  });

  it('with alpha 1 follows the newest hold', () => {
    const e = makeEstimator({ alpha: 1 });
    e.recordHold(40);
    e.recordHold(90);
    expect(e.meanHoldMs).toBe(90);
  });

  it('ignores non-finite holds and counts negative ones as 0', () => {
    const e = makeEstimator();
    e.recordHold(Number.NaN);
    e.recordHold(Number.POSITIVE_INFINITY);
    expect(e.holdsRecorded).toBe(0);
    expect(e.meanHoldMs).toBe(100);
    e.recordHold(-30);
    expect(e.holdsRecorded).toBe(1);
    expect(e.meanHoldMs).toBe(0);
    expect(e.recentHolds()).toEqual([0]);
  });

  it('keeps the most recent holds in a window, oldest first, with their median', () => {
    const e = makeEstimator({ window: 3 });
    e.recordHold(10);
    e.recordHold(30);
    expect(e.recentHolds()).toEqual([10, 30]);
    expect(e.medianHoldMs).toBe(20);
    e.recordHold(20);
    e.recordHold(50);
    e.recordHold(40);
    expect(e.recentHolds()).toEqual([20, 50, 40]);
    expect(e.medianHoldMs).toBe(40);
    e.recordHold(1);
    expect(e.recentHolds()).toEqual([50, 40, 1]);
  });

  it('keeps DEFAULT_HOLD_WINDOW holds by default', () => {
    const e = makeEstimator();
    for (let i = 0; i < DEFAULT_HOLD_WINDOW + 5; i++) e.recordHold(i);
    const recent = e.recentHolds();
    expect(recent).toHaveLength(DEFAULT_HOLD_WINDOW);
    expect(recent[0]).toBe(5);
    expect(recent[recent.length - 1]).toBe(DEFAULT_HOLD_WINDOW + 4);
  });
});

describe('EtaEstimator.estimate', () => {
  it('gives 0 while a slot is free, then one mean per round of slots', () => {
    const e = makeEstimator({ initialHoldMs: 100 });
    const slots = { total: 3, runningSince: [] };
    expect(e.estimateAll(7, slots)).toEqual([0, 0, 0, 100, 100, 100, 200]);
    expect(e.estimate(1, slots)).toBe(0);
    expect(e.estimate(4, slots)).toBe(100);
    expect(e.estimate(7, slots)).toBe(200);
  });

  it('counts a session lent just now as busy for a whole mean', () => {
    const clock = fakeClock(1_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    expect(e.estimateAll(5, { total: 2, runningSince: [1_000, 1_000] })).toEqual([100, 100, 200, 200, 300]);
  });

  it('subtracts the time a session has already been held', () => {
    const clock = fakeClock(1_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    // One slot free, one held for 40 ms (frees in 60), one just lent (frees in 100).
    const slots = { total: 3, runningSince: [960, 1_000] };
    expect(e.estimateAll(7, slots)).toEqual([0, 60, 100, 100, 160, 200, 200]);
  });

  it('follows the clock: the same slots later give shorter waits', () => {
    const clock = fakeClock(1_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    const slots = { total: 1, runningSince: [1_000] };
    expect(e.estimate(2, slots)).toBe(200);
    clock.set(1_030);
    expect(e.estimate(2, slots)).toBe(170);
  });

  it('expects a session past the mean to need overdueFloor × mean more, never less', () => {
    const clock = fakeClock(10_000);
    const slots = { total: 1, runningSince: [10_000 - 500] }; // held 5× the mean
    const byDefault = makeEstimator({ initialHoldMs: 100, now: clock.now });
    expect(DEFAULT_OVERDUE_FLOOR).toBe(0.2);
    expect(byDefault.estimateAll(3, slots)).toEqual([20, 120, 220]);
    const half = makeEstimator({ initialHoldMs: 100, now: clock.now, overdueFloor: 0.5 });
    expect(half.estimateAll(2, slots)).toEqual([50, 150]);
    const none = makeEstimator({ initialHoldMs: 100, now: clock.now, overdueFloor: 0 });
    expect(none.estimateAll(2, slots)).toEqual([0, 100]);
    // Just under the floor: 100 − 85 = 15 < 20, so the floor applies; 100 − 70 = 30 stays.
    expect(byDefault.estimate(1, { total: 1, runningSince: [10_000 - 85] })).toBe(20);
    expect(byDefault.estimate(1, { total: 1, runningSince: [10_000 - 70] })).toBe(30);
  });

  it('frees a slot whose release is scheduled at that time, not after the mean (a quiet client is not "overdue")', () => {
    const clock = fakeClock(10_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    // One slot held by a session running a command for 40 ms, one by a session reclaim ends in 5 s.
    const slots = { total: 2, runningSince: [10_000 - 40], scheduledFreeIn: [5_000] };
    expect(e.estimateAll(3, slots)).toEqual([60, 160, 260]);
    // Both slots held by quiet sessions: the first waiter gets the earlier scheduled slot.
    expect(e.estimateAll(2, { total: 2, runningSince: [], scheduledFreeIn: [9_000, 3_000] })).toEqual([3_000, 3_100]);
    // A release already due counts as free now, and scheduled slots are not counted free again.
    expect(e.estimateAll(2, { total: 2, runningSince: [10_000], scheduledFreeIn: [-5] })).toEqual([0, 100]);
  });

  it('a slot whose command waits for approval frees a mean hold after the wait can end, and is not counted free', () => {
    const e = makeEstimator();
    // Mean hold 100 ms; one slot waits up to 2 s for a person, the other runs since 40 ms.
    expect(e.estimateAll(2, { total: 2, runningSince: [10_000 - 40], startsWithin: [2_000] })).toEqual([60, 160]);
    expect(e.estimateAll(2, { total: 1, runningSince: [], startsWithin: [2_000] })).toEqual([2_100, 2_200]);
  });

  it('treats a start time in the future (clock skew) as just lent', () => {
    const clock = fakeClock(1_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    expect(e.estimate(1, { total: 1, runningSince: [1_050] })).toBe(100);
  });

  it('with more sessions held than slots (maxSessions lowered), counts no free slot', () => {
    const clock = fakeClock(1_000);
    const e = makeEstimator({ initialHoldMs: 100, now: clock.now });
    expect(e.estimateAll(4, { total: 1, runningSince: [1_000, 950] })).toEqual([50, 100, 150, 200]);
  });

  it('uses the learned mean', () => {
    const clock = fakeClock(0);
    const e = makeEstimator({ initialHoldMs: 1_000, now: clock.now });
    e.recordHold(300);
    expect(e.estimateAll(3, { total: 1, runningSince: [0] })).toEqual([300, 600, 900]);
  });

  it('rounds to whole milliseconds', () => {
    const e = makeEstimator({ initialHoldMs: 100 / 3 });
    expect(e.estimateAll(4, { total: 1, runningSince: [] })).toEqual([0, 33, 67, 100]);
  });

  it('estimateAll matches estimate position by position', () => {
    const clock = fakeClock(5_000);
    const e = makeEstimator({ initialHoldMs: 237, now: clock.now });
    const slots = { total: 5, runningSince: [4_990, 4_700, 5_000, 3_000] };
    const all = e.estimateAll(40, slots);
    expect(all).toHaveLength(40);
    all.forEach((eta, i) => expect(e.estimate(i + 1, slots)).toBe(eta));
    // Non-decreasing: a later position never waits less.
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThanOrEqual(all[i - 1]!);
    expect(e.estimateAll(0, slots)).toEqual([]);
  });
});

describe('EtaEstimator validation (programming errors throw)', () => {
  it('refuses alpha outside (0, 1]', () => {
    expect(() => makeEstimator({ alpha: 0 })).toThrow(RangeError);
    expect(() => makeEstimator({ alpha: 1.5 })).toThrow(RangeError);
    expect(() => makeEstimator({ alpha: Number.NaN })).toThrow(RangeError);
    expect(() => makeEstimator({ alpha: 1 })).not.toThrow();
  });

  it('refuses a negative initialHoldMs, an overdueFloor outside [0, 1] and a window below 1', () => {
    expect(() => makeEstimator({ initialHoldMs: -1 })).toThrow(RangeError);
    expect(() => makeEstimator({ overdueFloor: 1.1 })).toThrow(RangeError);
    expect(() => makeEstimator({ window: 0 })).toThrow(RangeError);
  });

  it('refuses a position below 1 or not an integer, a negative count and fewer than 1 slot', () => {
    const e = makeEstimator();
    const slots = { total: 2, runningSince: [] };
    expect(() => e.estimate(0, slots)).toThrow(RangeError);
    expect(() => e.estimate(1.5, slots)).toThrow(RangeError);
    expect(() => e.estimateAll(-1, slots)).toThrow(RangeError);
    expect(() => e.estimate(1, { total: 0, runningSince: [] })).toThrow(RangeError);
  });
});

describe('EtaEstimator service rate', () => {
  it('bounds estimates by the observed drain rate when it is slower than the holds say', () => {
    let now = 0;
    const eta = new EtaEstimator({ alpha: 0.5, initialHoldMs: 100, now: () => now });
    const slots = { total: 2, runningSince: [0, 0] };
    // Holds alone: two slots, 100 ms each, so position 4 waits about 200 ms.
    expect(eta.estimate(4, slots)).toBe(200);
    // Requests were served from a backlog only every 1000 ms (sessions had to start first).
    eta.recordService(1000);
    eta.recordService(2000);
    eta.recordService(3000);
    expect(eta.serviceIntervalMs).toBe(1000);
    now = 3000;
    const at = { total: 2, runningSince: [3000, 3000] };
    expect(eta.estimate(1, at)).toBe(1000);
    expect(eta.estimate(4, at)).toBe(4000);
    // Time since the last service counts.
    now = 3400;
    expect(eta.estimate(1, at)).toBe(600);
  });

  it('does not take idle time between backlogs for service time', () => {
    const eta = new EtaEstimator({ alpha: 0.5, initialHoldMs: 100, now: () => 0 });
    eta.recordService(0);
    eta.recordService(100);
    eta.breakBacklog();
    eta.recordService(60_000);
    eta.recordService(60_100);
    expect(eta.serviceIntervalMs).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import { SeedEstimator } from './SeedEstimator.js';

describe('SeedEstimator (the old design, kept as the benchmark baseline)', () => {
  it('uses initialWaitMs until a wait is recorded', () => {
    const s = new SeedEstimator({ initialWaitMs: 40 });
    expect(s.averageWaitMs).toBe(40);
    expect(s.estimate(3)).toBe(120);
  });

  it('estimates average past wait × position', () => {
    const s = new SeedEstimator({ initialWaitMs: 0 });
    s.recordWait(100);
    s.recordWait(300);
    s.recordWait(50);
    expect(s.averageWaitMs).toBe(150);
    expect(s.estimate(1)).toBe(150);
    expect(s.estimate(4)).toBe(600);
  });

  it('rounds to whole milliseconds', () => {
    const s = new SeedEstimator({ initialWaitMs: 0 });
    s.recordWait(10);
    s.recordWait(11);
    expect(s.estimate(3)).toBe(32); // 10.5 × 3 = 31.5
  });

  it('ignores non-finite waits and counts negative ones as 0', () => {
    const s = new SeedEstimator({ initialWaitMs: 99 });
    s.recordWait(Number.NaN);
    expect(s.averageWaitMs).toBe(99);
    s.recordWait(-5);
    s.recordWait(10);
    expect(s.averageWaitMs).toBe(5);
  });

  it('refuses a bad initialWaitMs or position', () => {
    expect(() => new SeedEstimator({ initialWaitMs: -1 })).toThrow(RangeError);
    const s = new SeedEstimator({ initialWaitMs: 1 });
    expect(() => s.estimate(0)).toThrow(RangeError);
    expect(() => s.estimate(2.5)).toThrow(RangeError);
  });
});

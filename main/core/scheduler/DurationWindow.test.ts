import { describe, expect, it } from 'vitest';
import { DurationWindow } from './DurationWindow.js';

describe('DurationWindow', () => {
  it('gives nearest-rank percentiles of the most recent values', () => {
    const w = new DurationWindow(5);
    expect(w.percentile(50)).toBeNull();
    for (const v of [10, 20, 30, 40, 50]) w.add(v);
    expect(w.percentile(50)).toBe(30);
    expect(w.percentile(95)).toBe(50);
    expect(w.percentile(0)).toBe(10);
    w.add(1000); // replaces 10
    w.add(2000); // replaces 20
    expect(w.count).toBe(5);
    expect(w.percentile(50)).toBe(50);
    expect(w.percentile(100)).toBe(2000);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new DurationWindow(0)).toThrow(RangeError);
  });
});

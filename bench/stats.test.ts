import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable, median, percentile, percentileOfSorted, round, roundSummary, summarize } from './stats.js';

describe('percentile', () => {
  it('interpolates linearly between the closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(percentile([10, 20, 30, 40, 50], 25)).toBe(20);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48, 10);
    expect(percentile([0, 100], 95)).toBeCloseTo(95, 10);
  });

  it('returns the extremes at 0 and 100 and sorts its input without changing it', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(samples, 100)).toBe(5);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('gives the only sample for every p of a single sample', () => {
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 95)).toBe(7);
  });

  it('p95 of 1..100 is 95.05', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 95)).toBeCloseTo(95.05, 10);
    expect(percentileOfSorted(samples, 50)).toBe(50.5);
  });

  it('rejects empty input, NaN and an out-of-range p', () => {
    expect(() => percentile([], 50)).toThrow('no samples');
    expect(() => percentile([1, Number.NaN], 50)).toThrow('finite');
    expect(() => percentile([1, 2], 101)).toThrow('out of range');
    expect(() => percentile([1, 2], -1)).toThrow('out of range');
  });
});

describe('median', () => {
  it('is the middle sample, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('summarize', () => {
  it('reports n, min, p50, p95, max and mean', () => {
    expect(summarize([4, 8, 15, 16, 23, 42])).toEqual({
      n: 6,
      min: 4,
      p50: 15.5,
      p95: 37.25,
      max: 42,
      mean: 18,
    });
  });

  it('handles one sample', () => {
    expect(summarize([2.5])).toEqual({ n: 1, min: 2.5, p50: 2.5, p95: 2.5, max: 2.5, mean: 2.5 });
  });

  it('rejects no samples', () => {
    expect(() => summarize([])).toThrow('no samples');
  });
});

describe('round and roundSummary', () => {
  it('round to the given decimals', () => {
    expect(round(1.23456)).toBe(1.235);
    expect(round(1.23456, 1)).toBe(1.2);
    expect(roundSummary({ n: 3, min: 0.12345, p50: 1.00049, p95: 2.9996, max: 3, mean: 1.33333 })).toEqual({
      n: 3,
      min: 0.123,
      p50: 1,
      p95: 3,
      max: 3,
      mean: 1.333,
    });
  });
});

describe('formatNumber', () => {
  it('keeps integers, 2 decimals under 100 and 1 decimal from 100', () => {
    expect(formatNumber(5)).toBe('5');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(412.345)).toBe('412.3');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});

describe('formatTable', () => {
  it('pads text columns left-aligned and number columns right-aligned', () => {
    const table = formatTable(
      ['metric', 'p50', 'note'],
      [
        ['round trip', 3.14159, 'ok'],
        ['spawn', 412.345, ''],
      ],
    );
    expect(table).toBe(
      [
        'metric        p50  note', //
        '----------  -----  ----',
        'round trip   3.14  ok',
        'spawn       412.3',
      ].join('\n'),
    );
  });
});

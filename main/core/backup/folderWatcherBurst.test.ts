import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BurstBatcher, type BurstReason } from './folderWatcherBurst.js';

// The burst timing alone, on fake timers (Date.now is faked too, so the default clock follows them).

let bursts: { paths: string[]; reason: BurstReason }[];
let batcher: BurstBatcher;

beforeEach(() => {
  vi.useFakeTimers();
  bursts = [];
  batcher = new BurstBatcher({ quietMs: 200, maxDelayMs: 800, onBurst: (paths, reason) => bursts.push({ paths, reason }) });
});
afterEach(() => {
  batcher.dispose();
  vi.useRealTimers();
});

describe('BurstBatcher', () => {
  it('ends a burst after the quiet period, once, with the paths deduplicated and sorted', () => {
    batcher.add('b.txt');
    vi.advanceTimersByTime(100);
    batcher.add('a.txt');
    batcher.add('b.txt');
    vi.advanceTimersByTime(199);
    expect(bursts).toEqual([]);
    expect(batcher.pending).toBe(2);
    vi.advanceTimersByTime(1);
    expect(bursts).toEqual([{ paths: ['a.txt', 'b.txt'], reason: 'quiet' }]);
    expect(batcher.pending).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(bursts).toHaveLength(1);
  });

  it('ends a burst that never goes quiet at the max delay after its first change, then starts the next', () => {
    for (let t = 0; t < 2_000; t += 30) {
      batcher.add(`f${t}`);
      vi.advanceTimersByTime(30);
    }
    expect(bursts.map((b) => b.reason)).toEqual(['maxDelay', 'maxDelay']);
    // The first burst holds the changes of its first 800 ms: t = 0, 30, …, 780.
    expect(bursts[0]!.paths).toHaveLength(27);
    expect(bursts[0]!.paths).toContain('f0');
    expect(bursts[0]!.paths).toContain('f780');
    expect(bursts[1]!.paths).toContain('f810');
    expect(bursts[1]!.paths).not.toContain('f780');
  });

  it('fires a quiet burst when the quiet period ends before the deadline, even late in the burst', () => {
    batcher.add('a');
    vi.advanceTimersByTime(150);
    batcher.add('b');
    vi.advanceTimersByTime(150);
    batcher.add('c');
    vi.advanceTimersByTime(150);
    batcher.add('d'); // at 450: quiet would end at 650, the deadline is 800
    vi.advanceTimersByTime(199);
    expect(bursts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(bursts).toEqual([{ paths: ['a', 'b', 'c', 'd'], reason: 'quiet' }]);
  });

  it('uses the deadline when the quiet period would end after it', () => {
    batcher.add('a');
    vi.advanceTimersByTime(150);
    batcher.add('b');
    vi.advanceTimersByTime(150);
    batcher.add('c');
    vi.advanceTimersByTime(150);
    batcher.add('d');
    vi.advanceTimersByTime(150);
    batcher.add('e'); // at 600: quiet would end at 800 = deadline
    vi.advanceTimersByTime(100);
    batcher.add('f'); // at 700: quiet would end at 900, past the deadline
    vi.advanceTimersByTime(99);
    expect(bursts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(bursts).toEqual([{ paths: ['a', 'b', 'c', 'd', 'e', 'f'], reason: 'maxDelay' }]);
  });

  it('flush fires the pending burst at once with reason requested, and reports whether there was one', () => {
    expect(batcher.flush()).toBe(false);
    batcher.add('x');
    expect(batcher.flush()).toBe(true);
    expect(bursts).toEqual([{ paths: ['x'], reason: 'requested' }]);
    vi.advanceTimersByTime(5_000);
    expect(bursts).toHaveLength(1);
    expect(batcher.flush()).toBe(false);
  });

  it('a change made by a burst listener opens the next burst', () => {
    const chained = new BurstBatcher({
      quietMs: 200,
      maxDelayMs: 800,
      onBurst: (paths, reason) => {
        bursts.push({ paths, reason });
        if (bursts.length === 1) chained.add('from-listener');
      },
    });
    chained.add('first');
    vi.advanceTimersByTime(200);
    vi.advanceTimersByTime(200);
    expect(bursts).toEqual([
      { paths: ['first'], reason: 'quiet' },
      { paths: ['from-listener'], reason: 'quiet' },
    ]);
    chained.dispose();
  });

  it('clear drops the open burst; after dispose nothing is recorded or fired', () => {
    batcher.add('dropped');
    batcher.clear();
    vi.advanceTimersByTime(5_000);
    expect(bursts).toEqual([]);
    batcher.add('pending');
    batcher.dispose();
    batcher.add('late');
    vi.advanceTimersByTime(5_000);
    expect(bursts).toEqual([]);
    expect(batcher.flush()).toBe(false);
  });

  it('follows the injected clock for the deadline', () => {
    let now = 1_000;
    const clocked = new BurstBatcher({ quietMs: 200, maxDelayMs: 800, now: () => now, onBurst: (paths, reason) => bursts.push({ paths, reason }) });
    clocked.add('a');
    now += 750; // the clock says the deadline is 50 ms away, though no timer time has passed
    clocked.add('b');
    vi.advanceTimersByTime(50);
    expect(bursts).toEqual([{ paths: ['a', 'b'], reason: 'maxDelay' }]);
    clocked.dispose();
  });

  it('rejects a quiet period or max delay that is not a positive number', () => {
    const onBurst = (): void => {};
    expect(() => new BurstBatcher({ quietMs: 0, maxDelayMs: 800, onBurst })).toThrow(RangeError);
    expect(() => new BurstBatcher({ quietMs: 200, maxDelayMs: Number.NaN, onBurst })).toThrow(/maxDelayMs/);
    expect(() => new BurstBatcher({ quietMs: Number.POSITIVE_INFINITY, maxDelayMs: 800, onBurst })).toThrow(/quietMs/);
  });
});

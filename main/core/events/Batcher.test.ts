import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './Batcher.js';

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the items pushed within one interval as one batch, in order', () => {
    const batches: number[][] = [];
    const b = new Batcher<number>({ intervalMs: 50, maxItems: 100, flush: (items) => batches.push(items) });
    b.push(1);
    b.push(2);
    vi.advanceTimersByTime(49);
    expect(batches).toEqual([]);
    b.push(3);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2, 3]]);
    b.push(4);
    vi.advanceTimersByTime(50);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    b.dispose();
  });

  it('sends a full batch at once and never an empty one', () => {
    const batches: number[][] = [];
    const b = new Batcher<number>({ intervalMs: 1000, maxItems: 3, flush: (items) => batches.push(items) });
    for (let i = 0; i < 7; i++) b.push(i);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5]]);
    b.flushNow();
    b.flushNow();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    vi.advanceTimersByTime(5000);
    expect(batches).toHaveLength(3);
    b.dispose();
  });

  it('flushes what is pending on dispose and passes later items straight through', () => {
    const batches: string[][] = [];
    const b = new Batcher<string>({ intervalMs: 1000, maxItems: 10, flush: (items) => batches.push(items) });
    b.push('a');
    b.dispose();
    expect(batches).toEqual([['a']]);
    b.push('late');
    expect(batches).toEqual([['a'], ['late']]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

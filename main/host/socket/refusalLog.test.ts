import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFUSAL_SUMMARY_MS, RefusalLog } from './refusalLog.js';

describe('RefusalLog (throttled notes about refused socket connections)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the first refusal at once and counts the rest into one summary a minute', () => {
    const lines: string[] = [];
    const log = new RefusalLog('/run/host.sock', (l) => lines.push(l));
    for (let i = 0; i < 500; i++) log.refused(i === 499 ? 'wrong token' : 'no hello line within 5000 ms');
    expect(lines).toEqual(['poshpool: refused a connection on /run/host.sock: no hello line within 5000 ms']);
    vi.advanceTimersByTime(REFUSAL_SUMMARY_MS);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('poshpool: refused 499 more connections on /run/host.sock in the last 60 s (the last: wrong token); refusals are noted at most once every 60 s.');
    // Still refusing: counted again, summarized a minute later, never more often.
    for (let i = 0; i < 30; i++) log.refused('wrong token');
    vi.advanceTimersByTime(REFUSAL_SUMMARY_MS - 1);
    expect(lines).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(lines[2]).toContain('refused 30 more connections');
    log.dispose();
  });

  it('after a quiet period the next refusal is written at once again', () => {
    const lines: string[] = [];
    const log = new RefusalLog('p', (l) => lines.push(l));
    log.refused('a');
    vi.advanceTimersByTime(REFUSAL_SUMMARY_MS);
    // Nothing to summarize: no line, and the period is over.
    expect(lines).toEqual(['poshpool: refused a connection on p: a']);
    log.refused('b');
    expect(lines).toEqual(['poshpool: refused a connection on p: a', 'poshpool: refused a connection on p: b']);
    log.dispose();
  });

  it('dispose() writes the summary still owed and leaves no timer', () => {
    const lines: string[] = [];
    const log = new RefusalLog('p', (l) => lines.push(l));
    log.refused('a');
    log.refused('b');
    log.dispose();
    expect(lines[1]).toContain('refused 1 more connection on p');
    expect(vi.getTimerCount()).toBe(0);
  });
});

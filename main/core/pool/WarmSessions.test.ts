import { describe, expect, it } from 'vitest';
import { WarmSessions } from './WarmSessions.js';

describe('WarmSessions', () => {
  it('lends the most recently returned session first', () => {
    const w = new WarmSessions<string>();
    w.add('a', 0);
    w.add('b', 10);
    w.add('c', 20);
    expect([w.takeNewest(), w.takeNewest(), w.size]).toEqual(['c', 'b', 1]);
  });

  it('ends spares oldest first, only past the window, and keeps the floor', () => {
    const w = new WarmSessions<string>();
    w.add('old', 0);
    w.add('mid', 500);
    w.add('new', 900);
    expect(w.takeExpired(1, 600, 1000)).toEqual(['old']); // mid has been idle 500 ms < 600
    expect(w.takeExpired(1, 600, 1200)).toEqual(['mid']); // new is the floor
    expect(w.takeExpired(1, 0, 5000)).toEqual([]);
    expect(w.takeAll()).toEqual(['new']);
  });

  it('takes out a session that ended while warm, and says when it was not warm', () => {
    const w = new WarmSessions<string>();
    w.add('a', 0);
    w.add('b', 0);
    expect(w.remove('a')).toBe(true);
    expect(w.remove('a')).toBe(false);
    expect(w.takeAll()).toEqual(['b']);
    expect(w.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { NewSessionsPause } from './NewSessionsPause.js';

describe('NewSessionsPause', () => {
  it('says who paused and, on resume, for how long; a repeated pause or resume changes nothing', () => {
    const p = new NewSessionsPause();
    expect(p.set(false, 'tray', 0)).toBeUndefined();
    expect(p.set(true, 'tray', 1000)).toEqual({ type: 'pool.paused', by: 'tray' });
    expect([p.active, p.by]).toEqual([true, 'tray']);
    expect(p.set(true, 'dashboard', 1500)).toBeUndefined();
    expect(p.by).toBe('tray');
    expect(p.set(false, 'dashboard', 4000)).toEqual({ type: 'pool.resumed', by: 'dashboard', pausedMs: 3000 });
    expect([p.active, p.by]).toEqual([false, null]);
  });
});

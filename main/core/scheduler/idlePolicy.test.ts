import { describe, expect, it } from 'vitest';
import { defaultsToYield, idleActions, slotStateOf, type IdleSettings } from './idlePolicy.js';
import { newLent, type Lent } from './lent.js';

const settings: IdleSettings = { idleLimitSeconds: 120, reclaimAfterSeconds: 600, defaultSessionIdleSeconds: 600, defaultSessionYieldSeconds: 5 };

function lent(id: string, kind: 'session' | 'default' | 'call', lastActivity: number, extra: Partial<Lent<object>> = {}): Lent<object> {
  return { ...newLent({}, { sessionId: id, clientId: 'c', requestId: `r-${id}`, kind }, 0, null), lastActivity, ...extra };
}

describe('the idle policy', () => {
  it('reports a session abandoned once after idleLimitSeconds, and reclaims it reclaimAfterSeconds later', () => {
    const s = lent('a', 'session', 0);
    expect(idleActions([s], settings, 119_000)).toEqual([]);
    expect(idleActions([s], settings, 120_000)).toEqual([{ lent: s, idleMs: 120_000, action: 'abandoned' }]);
    s.abandoned = true;
    expect(idleActions([s], settings, 500_000)).toEqual([]);
    expect(idleActions([s], settings, 720_000)).toEqual([{ lent: s, idleMs: 720_000, action: 'reclaim', detail: 'idle for 720 s' }]);
    expect(idleActions([s], { ...settings, reclaimAfterSeconds: 0 }, 10_000_000)).toEqual([]);
  });

  it('never calls a default session abandoned; ends it after defaultSessionIdleSeconds unused', () => {
    const d = lent('d', 'default', 0);
    expect(idleActions([d], settings, 599_000)).toEqual([]);
    expect(idleActions([d], settings, 600_000)).toEqual([{ lent: d, idleMs: 600_000, action: 'reclaim', detail: 'default session unused for 600 s' }]);
  });

  it('leaves alone sessions running a command or ending', () => {
    expect(idleActions([lent('r', 'session', 0, { currentCommand: 'x' }), lent('e', 'session', 0, { ending: true })], settings, 10_000_000)).toEqual([]);
  });

  it('lets the longest-unused default sessions give way, one per waiting request', () => {
    const older = lent('o', 'default', 0);
    const newer = lent('n', 'default', 2_000);
    const busy = lent('b', 'default', 0, { currentCommand: 'x' });
    const fresh = lent('f', 'default', 9_000);
    expect(defaultsToYield([newer, busy, fresh, older], 1, settings, 10_000)).toEqual([older]);
    expect(defaultsToYield([newer, busy, fresh, older], 5, settings, 10_000)).toEqual([older, newer]);
    expect(defaultsToYield([older], 0, settings, 10_000)).toEqual([]);
  });

  it('models the slots for the ETA: running, scheduled to free (default yield, reclaim), starting after an approval', () => {
    const running = lent('r', 'session', 0, { currentCommand: 'x', lentAt: 5 });
    const idleDefault = lent('d', 'default', 8_000);
    const abandoned = lent('a', 'session', 0, { abandoned: true });
    const approving = lent('p', 'session', 0, { approvalAbort: new AbortController(), currentCommand: 'y' });
    const state = slotStateOf([running, idleDefault, abandoned, approving], 5, settings, 10_000, (l) => (l === approving ? 70_000 : null));
    expect(state).toEqual({ total: 5, runningSince: [5], scheduledFreeIn: [3_000, 710_000], startsWithin: [60_000] });
  });
});

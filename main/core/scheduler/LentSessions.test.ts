import { describe, expect, it } from 'vitest';
import { newLent, newSessionId } from './lent.js';
import { LentSessions } from './LentSessions.js';

function lent(sessionId: string, clientId: string, requestId: string, kind: 'session' | 'default' | 'call' = 'session') {
  return newLent({}, { sessionId, clientId, requestId, kind }, 0, null);
}

describe('LentSessions', () => {
  it('finds a session by id and by the request that got it, and refuses it to another client', () => {
    const l = new LentSessions<object>();
    const a = lent('s1', 'alice', 'r1');
    l.add(a);
    expect(l.get('s1')).toBe(a);
    expect(l.ofRequest('r1')).toBe(a);
    expect(l.owned('alice', 's1')).toEqual({ ok: true, lent: a });
    expect(l.owned('bob', 's1')).toMatchObject({ ok: false, reason: expect.stringContaining('No session "s1" belongs to this client') });
    l.remove(a);
    expect([l.get('s1'), l.ofRequest('r1'), l.size]).toEqual([undefined, undefined, 0]);
  });

  it("makes a default session its client's default, clears the pending request that made it, and forgets it when it ends", () => {
    const l = new LentSessions<object>();
    l.setPendingDefault('alice', 'r1');
    expect(l.pendingDefaultOf('alice')).toBe('r1');
    const d = lent('s1', 'alice', 'r1', 'default');
    l.add(d);
    expect(l.defaultOf('alice')).toBe(d);
    expect(l.pendingDefaultOf('alice')).toBeUndefined();
    l.add(lent('s2', 'alice', 'r2', 'call'));
    expect(l.defaultOf('alice')).toBe(d);
    l.remove(d);
    expect(l.defaultOf('alice')).toBeUndefined();
    expect([...l.values()].map((x) => x.sessionId)).toEqual(['s2']);
  });

  it('gives each lease a new session id', () => {
    expect(newSessionId()).not.toBe(newSessionId());
  });
});

import { describe, expect, it } from 'vitest';
import { countOf, describeEvent, formatCount, formatRelative, idsOf, shortId, SHORT_ID_CHARS } from './format.js';

describe('shortId', () => {
  it('keeps the first 8 characters of a long id and shows a short one whole', () => {
    expect(SHORT_ID_CHARS).toBe(8);
    expect(shortId('3f2a9c1e-77b0-4c1d-9a55-0d7e5b2f4e11')).toBe('3f2a9c1e');
    expect(shortId('s-1')).toBe('s-1');
    expect(shortId('12345678')).toBe('12345678');
  });
});

describe('formatRelative', () => {
  const now = 1_000_000_000;
  it('says how long ago in seconds, minutes, hours and days, rounded down', () => {
    expect(formatRelative(now - 400, now)).toBe('just now');
    expect(formatRelative(now - 12_900, now)).toBe('12 s ago');
    expect(formatRelative(now - 59_999, now)).toBe('59 s ago');
    expect(formatRelative(now - 60_000, now)).toBe('1 min ago');
    expect(formatRelative(now - 3_599_000, now)).toBe('59 min ago');
    expect(formatRelative(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(formatRelative(now - 3 * 86_400_000, now)).toBe('3 d ago');
  });
  it('says "in" for a time ahead (a clock a little ahead of this one)', () => {
    expect(formatRelative(now + 5_000, now)).toBe('in 5 s');
  });
});

describe('counts', () => {
  it('groups thousands and picks singular or plural', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(countOf(1, 'request')).toBe('1 request');
    expect(countOf(2_048, 'command')).toBe('2,048 commands');
    expect(countOf(0, 'entry', 'entries')).toBe('0 entries');
  });
});

describe('event descriptions', () => {
  it('name sessions, requests and jobs by their short ids and give the whole ids for hovering', () => {
    const sessionId = 'a1b2c3d4-0000-4000-8000-000000000001';
    const requestId = 'f0e1d2c3-0000-4000-8000-000000000002';
    const e = { type: 'request.allocated', time: 0, requestId, clientId: 'c', sessionId, waitedMs: 2_000 } as const;
    expect(describeEvent(e)).toBe('Request f0e1d2c3 got session a1b2c3d4 after 2s');
    expect(idsOf(e)).toBe(`session ${sessionId}, request ${requestId}`);
    expect(idsOf({ type: 'pool.recovered', time: 0, downMs: 1 })).toBe('');
  });

  it('name the remote host a session, request or pool event is about, and say nothing of this machine', () => {
    expect(describeEvent({ type: 'session.started', time: 0, sessionId: 'ssh-1', clientId: 'codex', pid: null, kind: 'session', host: 'buildbox' })).toBe('Session ssh-1 lent to codex on buildbox');
    expect(describeEvent({ type: 'session.started', time: 0, sessionId: 'pwsh-1', clientId: 'codex', pid: 1, kind: 'session', host: 'local' })).toBe('Session pwsh-1 lent to codex');
    expect(describeEvent({ type: 'request.queued', time: 0, requestId: 'r-1', clientId: 'codex', priority: 'sync', position: 2, etaMs: 3_000, host: 'buildbox' })).toBe('Request r-1 (codex, sync) queued at 2 for buildbox, ETA 3s');
    expect(describeEvent({ type: 'pool.degraded', time: 0, reason: '127.0.0.1:2222 refused the connection', failures: 3, host: 'buildbox' })).toBe('Host buildbox degraded after 3 failures: 127.0.0.1:2222 refused the connection');
    expect(describeEvent({ type: 'pool.recovered', time: 0, downMs: 61_000, host: 'buildbox' })).toBe('Host buildbox recovered after 1m 01s');
    expect(describeEvent({ type: 'pool.degraded', time: 0, reason: 'pwsh not found', failures: 3 })).toBe('Pool degraded after 3 failures: pwsh not found');
  });
});

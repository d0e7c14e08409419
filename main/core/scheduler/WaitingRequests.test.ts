import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { EventBus } from '../events/EventBus.js';
import { newRequestId, unknownRequest, WaitingRequests, type Allocation } from './WaitingRequests.js';

// The waiting side of a lane with a fake clock; SessionManager.test.ts drives it through the manager.
function setup(maxWaiting = 3): { requests: WaitingRequests; events: PoshpoolEvent[]; clock: { t: number } } {
  const clock = { t: 1000 };
  const bus = new EventBus(() => clock.t);
  const events: PoshpoolEvent[] = [];
  bus.onEvent((e) => events.push(e));
  const requests = new WaitingRequests({ bus, maxWaiting, etaAlpha: 0.3, now: () => clock.t, host: 'buildbox', slotState: () => ({ total: 1, runningSince: [clock.t] }) });
  return { requests, events, clock };
}

function enqueued(r: WaitingRequests, id: string, client: string, priority: 'sync' | 'async' = 'sync', acquireTimeoutMs?: number): Promise<Allocation> {
  const q = r.enqueue(id, client, { priority, kind: 'session', acquireTimeoutMs });
  if (!q.ok) throw new Error(q.reason);
  r.announce(id, client, priority, q.position);
  return q.allocation;
}

describe('WaitingRequests', () => {
  it("announces a queued request with its host and ETA, and tells only its own client where it stands", () => {
    const { requests, events } = setup();
    void enqueued(requests, 'r1', 'alice');
    expect(events.at(-1)).toMatchObject({ type: 'request.queued', requestId: 'r1', clientId: 'alice', position: 1, host: 'buildbox' });
    expect(requests.position('alice', 'r1')).toMatchObject({ status: 'queued', position: 1, priority: 'sync' });
    expect(requests.position('bob', 'r1')).toBeUndefined();
    expect(requests.owner('r1')).toBe('alice');
    expect(requests.list()).toEqual([expect.objectContaining({ requestId: 'r1', host: 'buildbox', position: 1 })]);
    expect(requests.list('bob')).toEqual([]);
  });

  it('refuses a request beyond maxWaiting with the queue\'s reason', () => {
    const { requests } = setup(1);
    void enqueued(requests, 'r1', 'a');
    const refused = requests.enqueue('r2', 'a', { priority: 'sync', kind: 'session' });
    expect(refused.ok).toBe(false);
    expect(requests.size).toBe(1);
  });

  it('moves a request to the other class and publishes its new place once and that of every request it passed', () => {
    const { requests, events } = setup();
    void enqueued(requests, 'r1', 'a', 'sync');
    void enqueued(requests, 'r2', 'b', 'async');
    events.length = 0;
    expect(requests.changePriority('b', 'r2', 'sync')).toMatchObject({ ok: true, position: 2 });
    expect(requests.changePriority('a', 'r2', 'sync')).toBeUndefined();
    expect(requests.changePriority('a', 'r1', 'async')).toMatchObject({ ok: true, position: 2 });
    expect(events.filter((e) => e.type === 'request.position').map((e) => [e.type === 'request.position' && e.requestId, e.type === 'request.position' && e.position])).toEqual([
      ['r2', 2],
      ['r1', 2],
      ['r2', 1],
    ]);
  });

  it('cancels a waiting request (its caller hears "cancelled") and one being handed over (it is marked), only for its client', async () => {
    const { requests, events } = setup();
    const first = enqueued(requests, 'r1', 'a');
    void enqueued(requests, 'r2', 'b');
    expect(requests.cancel('b', 'r1')).toBe(false);
    const handOver = requests.next()!;
    expect(handOver.entry.id).toBe('r1');
    expect(requests.position('a', 'r1')).toEqual({ status: 'preparing' });
    expect(requests.isLive('r1')).toBe(true);
    expect(requests.cancel('a', 'r1')).toBe(true);
    expect(handOver.state.cancelled).toBe(true);
    requests.handedOver('r1');
    expect(requests.isLive('r1')).toBe(false);
    expect(requests.cancel('b', 'r2')).toBe(true);
    expect(requests.size).toBe(0);
    expect(events.filter((e) => e.type === 'request.cancelled').map((e) => e.type === 'request.cancelled' && e.reason)).toEqual([
      'cancelled while its session was being prepared',
      'cancelled while queued',
    ]);
    handOver.entry.data.resolve({ ok: true, requestId: 'r1', sessionId: 's', waitedMs: 0 });
    expect(await first).toMatchObject({ ok: true });
  });

  it('refuses requests past their acquire timeout, and all of them at shutdown', async () => {
    const { requests, clock } = setup();
    const soon = enqueued(requests, 'r1', 'a', 'sync', 500);
    const later = enqueued(requests, 'r2', 'a', 'sync');
    expect(requests.nextDeadline()).toBe(1500);
    clock.t = 1500;
    requests.expire();
    expect(await soon).toMatchObject({ ok: false, code: 'timedOut' });
    requests.refuseAll();
    expect(await later).toMatchObject({ ok: false, code: 'disposed', reason: 'poshpool is shutting down.' });
    expect(requests.empty).toBe(true);
  });

  it('makes request ids of their own shape and says plainly when a client holds nothing under one', () => {
    expect(newRequestId()).toMatch(/^req-[A-Za-z0-9_-]{12}$/);
    expect(newRequestId()).not.toBe(newRequestId());
    expect(unknownRequest('req-x')).toContain('No request "req-x" of this client');
  });
});

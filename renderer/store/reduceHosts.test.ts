import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../common/events.js';
import type { HostSummary } from '../../common/scheduler.js';
import { createDashboardStore } from './createDashboardStore.js';
import { metrics, session, snapshot } from './fixtures.test-support.js';
import { hasRemoteHosts, totalQueueDepth } from './reduceHosts.js';

const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';

function host(name: string, patch: Partial<HostSummary> = {}): HostSummary {
  return {
    name,
    kind: name === 'local' ? 'local' : 'ssh',
    destination: name === 'local' ? null : `${name}.lan`,
    labels: [],
    state: 'healthy',
    degradedReason: '',
    activeSessions: 0,
    maxSessions: name === 'local' ? 4 : 2,
    freeSlots: name === 'local' ? 4 : 2,
    warmSessions: 1,
    startingSessions: 0,
    queueDepth: 0,
    estimatedWaitMs: 0,
    commandsRun: 0,
    commandsFailed: 0,
    restarts: 0,
    ...patch,
  };
}

/** A store loaded with this machine, a healthy buildbox and a gpu host still starting. */
function loaded() {
  const store = createDashboardStore({ now: () => 10_000 });
  store.getState().applySnapshot(
    snapshot({
      metrics: metrics({ hosts: [host('local'), host('buildbox', { labels: ['build'] }), host('gpu', { state: 'starting', warmSessions: 0 })] }),
      sessions: [session('s1'), session('b1', { host: 'buildbox' })],
    }),
  );
  const apply = (...events: PoshpoolEvent[]) => store.getState().applyEvents(events);
  const hostsOf = () => Object.fromEntries((store.getState().metrics?.hosts ?? []).map((h) => [h.name, h]));
  return { store, apply, hostsOf };
}

describe('hosts in the dashboard store', () => {
  it('a remote host going down changes that host only: this machine stays healthy', () => {
    const { store, apply, hostsOf } = loaded();
    apply({ type: 'pool.degraded', reason: refused, failures: 3, time: 2_000, host: 'buildbox' });
    expect(store.getState().metrics).toMatchObject({ poolState: 'healthy', poolDegradedReason: '' });
    expect(hostsOf().buildbox).toMatchObject({ state: 'degraded', degradedReason: refused });
    expect(hostsOf().local).toMatchObject({ state: 'healthy', degradedReason: '' });
    apply({ type: 'pool.recovered', downMs: 5_000, time: 7_000, host: 'buildbox' });
    expect(hostsOf().buildbox).toMatchObject({ state: 'healthy', degradedReason: '' });
  });

  it("this machine's pool events (with host local, or none) change the top-level state and the local host", () => {
    const { store, apply, hostsOf } = loaded();
    apply({ type: 'pool.degraded', reason: 'pwsh missing', failures: 3, time: 2_000 });
    expect(store.getState().metrics).toMatchObject({ poolState: 'degraded', poolDegradedReason: 'pwsh missing' });
    expect(hostsOf().local).toMatchObject({ state: 'degraded', degradedReason: 'pwsh missing' });
    expect(hostsOf().buildbox!.state).toBe('healthy');
    apply({ type: 'pool.recovered', downMs: 1, time: 3_000, host: 'local' });
    expect(store.getState().metrics?.poolState).toBe('healthy');
    expect(hostsOf().local!.state).toBe('healthy');
  });

  it('counts sessions per host: the top-level figures stay this machine’s', () => {
    const { store, apply, hostsOf } = loaded();
    expect(store.getState().sessions.b1?.host).toBe('buildbox');
    apply(
      { type: 'session.started', sessionId: 'b2', clientId: 'c1', pid: null, kind: 'session', host: 'buildbox', time: 2_000 },
      { type: 'session.started', sessionId: 's2', clientId: 'c1', pid: 7, kind: 'session', time: 2_001 },
    );
    expect(store.getState().sessions.b2?.host).toBe('buildbox');
    expect(store.getState().sessions.s2?.host).toBeUndefined();
    expect(store.getState().metrics).toMatchObject({ activeSessions: 2, freeSlots: 2 });
    expect(hostsOf().buildbox).toMatchObject({ activeSessions: 2, freeSlots: 0 });
    expect(hostsOf().local).toMatchObject({ activeSessions: 2, freeSlots: 2 });
    apply({ type: 'session.ended', sessionId: 'b1', clientId: 'c1', reason: 'ended', detail: '', time: 3_000 });
    expect(hostsOf().buildbox).toMatchObject({ activeSessions: 1, freeSlots: 1 });
  });

  it('a host still starting is healthy once it lends a session', () => {
    const { apply, hostsOf } = loaded();
    apply({ type: 'session.started', sessionId: 'g1', clientId: 'c1', pid: null, kind: 'call', host: 'gpu', time: 2_000 });
    expect(hostsOf().gpu).toMatchObject({ state: 'healthy', activeSessions: 1 });
  });

  it('keeps the host of a waiting request through its position changes and counts each host’s queue; the chart counts every host', () => {
    const { store, apply, hostsOf } = loaded();
    apply(
      { type: 'request.queued', requestId: 'r1', clientId: 'c1', priority: 'sync', position: 1, etaMs: 9_000, host: 'buildbox', time: 2_000 },
      { type: 'request.queued', requestId: 'r2', clientId: 'c1', priority: 'async', position: 1, etaMs: 3_000, time: 2_001 },
      { type: 'request.position', requestId: 'r1', clientId: 'c1', priority: 'sync', position: 1, etaMs: 4_000, time: 2_500 },
    );
    const queue = store.getState().queue;
    expect(queue.find((q) => q.requestId === 'r1')).toMatchObject({ host: 'buildbox', etaMs: 4_000 });
    expect(queue.find((q) => q.requestId === 'r2')?.host).toBeUndefined();
    expect(hostsOf().buildbox!.queueDepth).toBe(1);
    expect(store.getState().metrics).toMatchObject({ queueDepth: 1, queueDepthSync: 0, queueDepthAsync: 1 });
    expect(store.getState().queueDepthHistory.at(-1)?.depth).toBe(2);
    apply({ type: 'request.cancelled', requestId: 'r1', clientId: 'c1', reason: 'gone', time: 3_000 });
    expect(hostsOf().buildbox!.queueDepth).toBe(0);
  });

  it('without hosts in the figures (a host from before them) everything counts as this machine', () => {
    const store = createDashboardStore({ now: () => 10_000 });
    store.getState().applySnapshot(snapshot({ sessions: [session('s1')] }));
    store.getState().applyEvents([{ type: 'pool.degraded', reason: 'x', failures: 1, time: 2_000 }, { type: 'session.started', sessionId: 's2', clientId: 'c', pid: 1, kind: 'call', time: 2_001 }]);
    expect(store.getState().metrics).toMatchObject({ poolState: 'degraded', activeSessions: 2 });
    expect(store.getState().metrics?.hosts).toBeUndefined();
    expect(hasRemoteHosts(store.getState().metrics)).toBe(false);
  });

  it('hasRemoteHosts and totalQueueDepth', () => {
    expect(hasRemoteHosts(null)).toBe(false);
    expect(hasRemoteHosts(metrics({ hosts: [host('local')] }))).toBe(false);
    expect(hasRemoteHosts(metrics({ hosts: [host('local'), host('buildbox')] }))).toBe(true);
    expect(totalQueueDepth(null, 3)).toBe(3);
    expect(totalQueueDepth(metrics({ queueDepth: 2 }), 5)).toBe(2);
    expect(totalQueueDepth(metrics({ queueDepth: 2, hosts: [host('local', { queueDepth: 2 }), host('buildbox', { queueDepth: 4 })] }), 0)).toBe(6);
  });

  it('does not edit the previous state’s hosts', () => {
    const { store, apply } = loaded();
    const before = store.getState().metrics!.hosts!;
    const buildboxBefore = before[1]!;
    apply({ type: 'pool.degraded', reason: refused, failures: 3, time: 2_000, host: 'buildbox' }, { type: 'session.ended', sessionId: 'b1', clientId: 'c1', reason: 'ended', detail: '', time: 2_001 });
    expect(buildboxBefore).toMatchObject({ state: 'healthy', activeSessions: 0 });
    expect(store.getState().metrics!.hosts).not.toBe(before);
  });
});

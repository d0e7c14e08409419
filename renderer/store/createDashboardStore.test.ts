import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../common/events.js';
import { createDashboardStore, DEFAULT_EVENT_LOG_SIZE } from './createDashboardStore.js';
import { approval, job as jobSummary, metrics, session, snapshot, tick } from './fixtures.test-support.js';

function storeWith(now = 10_000) {
  let clock = now;
  const store = createDashboardStore({ now: () => clock });
  return { store, setNow: (t: number) => (clock = t) };
}

const job = jobSummary('j1');

describe('createDashboardStore', () => {
  it('starts empty and connecting', () => {
    const s = createDashboardStore().getState();
    expect(s.sessions).toEqual({});
    expect(s.queue).toEqual([]);
    expect(s.jobs).toEqual({});
    expect(s.backups).toEqual({ folders: {}, history: {} });
    expect(s.metrics).toBeNull();
    expect(s.connection).toEqual({ state: 'connecting', lastError: null });
    expect(s.eventLog).toEqual([]);
    expect(s.queueDepthHistory).toEqual([]);
    expect(s.approvals).toEqual([]);
  });

  it('makes independent stores', () => {
    const a = createDashboardStore();
    const b = createDashboardStore();
    a.getState().applySnapshot(snapshot({ sessions: [session('s1')] }));
    expect(Object.keys(a.getState().sessions)).toEqual(['s1']);
    expect(b.getState().sessions).toEqual({});
  });

  it('rejects an event log size below 1', () => {
    expect(() => createDashboardStore({ eventLogSize: 0 })).toThrow(RangeError);
  });

  it('applySnapshot replaces every slice and drops history caches', () => {
    const { store } = storeWith();
    store.getState().applySnapshot(snapshot({ sessions: [session('old')], folders: [{ folder: 'F0', lastBackupAt: null, running: true }] }));
    store.getState().setBackupHistory('F0', []);
    store.getState().applySnapshot(
      snapshot({
        metrics: metrics({ time: 2_000, queueDepth: 2 }),
        sessions: [session('s1'), session('s2')],
        queue: [
          { requestId: 'r2', clientId: 'c2', priority: 'async', position: 2, etaMs: 9_000, enqueuedAt: 1_500 },
          { requestId: 'r1', clientId: 'c1', priority: 'sync', position: 1, etaMs: 3_000, enqueuedAt: 1_600 },
        ],
        jobs: [job],
        folders: [{ folder: 'F1', lastBackupAt: 1_000, running: true }],
      }),
    );
    const s = store.getState();
    expect(Object.keys(s.sessions).sort()).toEqual(['s1', 's2']);
    expect(s.queue.map((q) => q.requestId)).toEqual(['r1', 'r2']);
    expect(s.queue[0]!.etaGivenAt).toBe(2_000);
    expect(s.jobs).toEqual({ j1: job });
    expect(s.backups).toEqual({ folders: { F1: { folder: 'F1', lastBackupAt: 1_000, running: true } }, history: {} });
    expect(s.metrics?.time).toBe(2_000);
    // r2 has waited since 1_500.
    expect(s.queueDepthHistory).toEqual([{ time: 10_000, depth: 2, waitMs: 8_500 }]);
  });

  describe('events', () => {
    function loaded() {
      const { store, setNow } = storeWith();
      store.getState().applySnapshot(snapshot({ sessions: [session('s1', { commandCount: 2 })], jobs: [job], folders: [{ folder: 'F1', lastBackupAt: null, running: true }] }));
      return { store, setNow, apply: (...events: PoshpoolEvent[]) => store.getState().applyEvents(events) };
    }

    it('session.started adds a starting session; session.state changes it; session.ended removes it', () => {
      const { store, apply } = loaded();
      apply({ type: 'session.started', sessionId: 's2', clientId: 'c2', pid: 7, kind: 'default', time: 3_000 });
      expect(store.getState().sessions.s2).toEqual({
        sessionId: 's2',
        kind: 'default',
        clientId: 'c2',
        state: 'starting',
        currentCommand: null,
        commandStartedAt: null,
        cwd: null,
        commandCount: 0,
        lastActivity: 3_000,
        lentAt: 3_000,
        abandoned: false,
        pid: 7,
      });
      expect(store.getState().metrics?.activeSessions).toBe(2);
      apply({ type: 'session.state', sessionId: 's2', clientId: 'c2', state: 'idle', time: 3_100 });
      expect(store.getState().sessions.s2?.state).toBe('idle');
      apply({ type: 'session.ended', sessionId: 's2', clientId: 'c2', reason: 'ended', detail: '', time: 3_200 });
      expect(store.getState().sessions.s2).toBeUndefined();
      expect(store.getState().metrics?.activeSessions).toBe(1);
    });

    it('a snapshot brings the commands waiting for approval, oldest first, and the sessions that wait', () => {
      const { store } = storeWith();
      store.getState().applySnapshot(
        snapshot({
          sessions: [session('s1', { awaitingApproval: true }), session('s2')],
          approvals: [approval('apr_b', { requestedAt: 2_000 }), approval('apr_a', { requestedAt: 1_000 })],
        }),
      );
      expect(store.getState().approvals.map((a) => a.approvalId)).toEqual(['apr_a', 'apr_b']);
      expect(store.getState().sessions.s1?.awaitingApproval).toBe(true);
      // A host from before approval rules sends no approvals at all.
      const old = snapshot();
      delete (old as Partial<typeof old>).approvals;
      store.getState().applySnapshot(old);
      expect(store.getState().approvals).toEqual([]);
    });

    it('approval.requested adds the request (once) and marks its session; approval.decided removes it and clears the mark', () => {
      const { store, apply } = loaded();
      const request = approval('apr_1', { sessionId: 's1' });
      apply({ type: 'approval.requested', request, time: 3_000 });
      expect(store.getState().approvals).toEqual([request]);
      expect(store.getState().sessions.s1?.awaitingApproval).toBe(true);
      // The same request again (a snapshot and its event overlapping) is not shown twice.
      apply({ type: 'approval.requested', request, time: 3_000 });
      expect(store.getState().approvals).toHaveLength(1);
      apply({ type: 'approval.decided', request, decision: 'approved', by: 'dashboard', time: 3_500 });
      expect(store.getState().approvals).toEqual([]);
      expect(store.getState().sessions.s1).not.toHaveProperty('awaitingApproval');
      expect(store.getState().eventLog.map((l) => l.event.type)).toEqual(['approval.requested', 'approval.requested', 'approval.decided']);
    });

    it('approval.decided for another session leaves a waiting session marked; a remembered decision (never asked) changes nothing', () => {
      const { store, apply } = loaded();
      const mine = approval('apr_1', { sessionId: 's1', requestedAt: 3_000 });
      const other = approval('apr_2', { sessionId: 's9', requestedAt: 2_000 });
      apply({ type: 'approval.requested', request: mine, time: 3_000 }, { type: 'approval.requested', request: other, time: 3_000 });
      expect(store.getState().approvals.map((a) => a.approvalId)).toEqual(['apr_2', 'apr_1']);
      apply({ type: 'approval.decided', request: other, decision: 'denied', by: 'timeout', time: 4_000 });
      expect(store.getState().approvals).toEqual([mine]);
      expect(store.getState().sessions.s1?.awaitingApproval).toBe(true);
      apply({ type: 'approval.decided', request: approval('apr_3', { sessionId: 's1' }), decision: 'approvedForSession', by: 'remembered', time: 4_100 });
      expect(store.getState().approvals).toEqual([mine]);
      expect(store.getState().sessions.s1?.awaitingApproval).toBe(true);
    });

    it('session.state for an unknown session changes nothing', () => {
      const { store, apply } = loaded();
      apply({ type: 'session.state', sessionId: 'nope', clientId: 'c1', state: 'idle', time: 3_000 });
      expect(Object.keys(store.getState().sessions)).toEqual(['s1']);
    });

    it('session.abandoned flags the session; session.reclaimed removes it', () => {
      const { store, apply } = loaded();
      apply({ type: 'session.abandoned', sessionId: 's1', clientId: 'c1', idleMs: 60_000, time: 3_000 });
      expect(store.getState().sessions.s1?.abandoned).toBe(true);
      apply({ type: 'session.reclaimed', sessionId: 's1', clientId: 'c1', idleMs: 90_000, time: 4_000 });
      expect(store.getState().sessions.s1).toBeUndefined();
    });

    it('request.queued and request.position keep the queue ordered with the time the eta was given', () => {
      const { store, apply } = loaded();
      apply(
        { type: 'request.queued', requestId: 'r1', clientId: 'c1', priority: 'async', position: 1, etaMs: 5_000, time: 3_000 },
        { type: 'request.queued', requestId: 'r2', clientId: 'c2', priority: 'sync', position: 1, etaMs: 2_000, time: 3_100 },
        { type: 'request.position', requestId: 'r1', clientId: 'c1', priority: 'async', position: 2, etaMs: 6_000, time: 3_100 },
      );
      const { queue, metrics: m } = store.getState();
      expect(queue).toEqual([
        { requestId: 'r2', clientId: 'c2', priority: 'sync', position: 1, etaMs: 2_000, enqueuedAt: 3_100, etaGivenAt: 3_100 },
        { requestId: 'r1', clientId: 'c1', priority: 'async', position: 2, etaMs: 6_000, enqueuedAt: 3_000, etaGivenAt: 3_100 },
      ]);
      expect(m?.queueDepth).toBe(2);
      expect(m?.queueDepthSync).toBe(1);
      expect(m?.queueDepthAsync).toBe(1);
      expect(m?.peakQueueDepth).toBe(2);
    });

    it.each(['request.allocated', 'request.cancelled', 'request.rejected'] as const)('%s removes the request', (type) => {
      const { store, apply } = loaded();
      apply(
        { type: 'request.queued', requestId: 'r1', clientId: 'c1', priority: 'sync', position: 1, etaMs: 1_000, time: 3_000 },
        { type: 'request.queued', requestId: 'r2', clientId: 'c1', priority: 'sync', position: 2, etaMs: 2_000, time: 3_000 },
      );
      const event: PoshpoolEvent =
        type === 'request.allocated'
          ? { type, requestId: 'r1', clientId: 'c1', sessionId: 's9', waitedMs: 10, time: 3_500 }
          : { type, requestId: 'r1', clientId: 'c1', reason: 'why', time: 3_500 };
      apply(event);
      expect(store.getState().queue.map((q) => q.requestId)).toEqual(['r2']);
      expect(store.getState().metrics?.queueDepth).toBe(1);
    });

    it('command.started and command.finished update the session', () => {
      const { store, apply } = loaded();
      const long = 'x'.repeat(600);
      apply({ type: 'command.started', sessionId: 's1', clientId: 'c1', seq: 3, command: long, commandChars: 600, jobId: null, time: 4_000 });
      let s1 = store.getState().sessions.s1!;
      expect(s1.currentCommand).toBe('x'.repeat(500));
      expect(s1.commandStartedAt).toBe(4_000);
      expect(s1.commandCount).toBe(3);
      expect(s1.lastActivity).toBe(4_000);
      apply({
        type: 'command.finished', sessionId: 's1', clientId: 'c1', seq: 3, status: 'completed', exitCode: 1, success: false,
        durationMs: 250, outputBytes: 10, jobId: null, time: 4_250,
      });
      s1 = store.getState().sessions.s1!;
      expect(s1.currentCommand).toBeNull();
      expect(s1.commandStartedAt).toBeNull();
      expect(s1.commandCount).toBe(3);
      expect(s1.lastActivity).toBe(4_250);
      expect(store.getState().metrics?.commandsRun).toBe(1);
      expect(store.getState().metrics?.commandsFailed).toBe(1);
    });

    it('keeps the directory a session is in: from its start, a command\'s start and a command\'s end; an event without one keeps the last', () => {
      const { store, apply } = loaded();
      apply({ type: 'session.started', sessionId: 's9', clientId: 'c1', pid: 7, kind: 'session', time: 3_000, cwd: '/home/me' });
      expect(store.getState().sessions.s9!.cwd).toBe('/home/me');
      apply({ type: 'command.started', sessionId: 's9', clientId: 'c1', seq: 1, command: 'cd /tmp', commandChars: 7, jobId: null, time: 4_000, cwd: '/work' });
      expect(store.getState().sessions.s9!.cwd).toBe('/work');
      apply({
        type: 'command.finished', sessionId: 's9', clientId: 'c1', seq: 1, status: 'completed', exitCode: 0, success: true,
        durationMs: 5, outputBytes: 0, jobId: null, time: 4_005, cwd: '/tmp',
      });
      expect(store.getState().sessions.s9!.cwd).toBe('/tmp');
      apply({ type: 'command.started', sessionId: 's9', clientId: 'c1', seq: 2, command: 'ls', commandChars: 2, jobId: null, time: 5_000 });
      expect(store.getState().sessions.s9!.cwd).toBe('/tmp');
      apply({ type: 'session.started', sessionId: 's10', clientId: 'c1', pid: 8, kind: 'session', time: 6_000 });
      expect(store.getState().sessions.s10!.cwd).toBeNull();
    });

    it('command.started with a job id adds a running job; job.finished and job.failed end jobs', () => {
      const { store, apply } = loaded();
      apply({ type: 'command.started', sessionId: 's1', clientId: 'c1', seq: 3, command: 'npm test', commandChars: 8, jobId: 'j2', time: 4_000 });
      expect(store.getState().jobs.j2).toMatchObject({ jobId: 'j2', sessionId: 's1', command: 'npm test', status: 'running', startedAt: 4_000, endedAt: null });
      apply({ type: 'job.finished', jobId: 'j2', clientId: 'c1', sessionId: 's1', status: 'succeeded', exitCode: 0, time: 5_000 });
      expect(store.getState().jobs.j2).toMatchObject({ status: 'succeeded', endedAt: 5_000 });
      apply({ type: 'job.failed', jobId: 'j1', clientId: 'c1', sessionId: 's1', reason: 'session died', time: 6_000 });
      expect(store.getState().jobs.j1).toMatchObject({ status: 'failed', endedAt: 6_000, message: 'session died' });
    });

    it('backup.completed marks the folder and drops only its history cache', () => {
      const { store, apply } = loaded();
      store.getState().setBackupHistory('F1', [{ id: 'b1', time: 1, message: 'm', filesChanged: 1, files: [] }]);
      store.getState().setBackupHistory('F2', []);
      expect(Object.keys(store.getState().backups.history).sort()).toEqual(['F1', 'F2']);
      apply({ type: 'backup.completed', folder: 'F1', backupId: 'b2', filesChanged: 3, reason: 'quiet', time: 7_000 });
      const { backups, metrics: m } = store.getState();
      expect(backups.folders.F1).toEqual({ folder: 'F1', lastBackupAt: 7_000, running: true });
      expect(Object.keys(backups.history)).toEqual(['F2']);
      expect(m?.backups.completed).toBe(1);
    });

    it('backup.skipped and backup.failed count in the metrics', () => {
      const { store, apply } = loaded();
      apply(
        { type: 'backup.skipped', folder: 'F1', reason: 'quiet', time: 1 },
        { type: 'backup.failed', folder: 'F1', reason: 'quiet', error: 'locked', time: 2 },
      );
      expect(store.getState().metrics?.backups).toEqual({ completed: 0, skipped: 1, failed: 1 });
    });

    it('pool.degraded and pool.recovered set the pool state', () => {
      const { store, apply } = loaded();
      apply({ type: 'pool.degraded', reason: 'pwsh missing', failures: 3, time: 8_000 });
      expect(store.getState().metrics).toMatchObject({ poolState: 'degraded', poolDegradedReason: 'pwsh missing' });
      apply({ type: 'pool.recovered', downMs: 500, time: 8_500 });
      expect(store.getState().metrics).toMatchObject({ poolState: 'healthy', poolDegradedReason: '' });
    });

    it('does not mutate the previous state', () => {
      const { store, apply } = loaded();
      const before = store.getState();
      const s1Before = before.sessions.s1;
      apply({ type: 'session.state', sessionId: 's1', clientId: 'c1', state: 'running', time: 3_000 }, tick(3_001));
      expect(s1Before?.state).toBe('idle');
      expect(before.eventLog).toEqual([]);
      expect(store.getState().sessions.s1?.state).toBe('running');
    });
  });

  describe('batching', () => {
    it('makes one store update per applyEvents call, however many events', () => {
      const { store } = storeWith();
      store.getState().applySnapshot(snapshot());
      let updates = 0;
      const off = store.subscribe(() => updates++);
      const burst: PoshpoolEvent[] = Array.from({ length: 500 }, (_, i) => ({
        type: 'request.queued', requestId: `r${i}`, clientId: 'c1', priority: 'async', position: i + 1, etaMs: 1_000, time: 3_000 + i,
      }));
      store.getState().applyEvents(burst);
      expect(updates).toBe(1);
      expect(store.getState().queue).toHaveLength(500);
      store.getState().applyEvents([tick(5_000), tick(5_001)]);
      expect(updates).toBe(2);
      store.getState().applyEvents([]);
      expect(updates).toBe(2);
      off();
    });
  });

  describe('event log', () => {
    it('keeps the last 500 events by default, oldest first, with increasing seq', () => {
      const { store } = storeWith();
      expect(DEFAULT_EVENT_LOG_SIZE).toBe(500);
      store.getState().applyEvents(Array.from({ length: 300 }, (_, i) => tick(i)));
      store.getState().applyEvents(Array.from({ length: 300 }, (_, i) => tick(300 + i)));
      const log = store.getState().eventLog;
      expect(log).toHaveLength(500);
      expect(log[0]).toEqual({ seq: 100, event: tick(100) });
      expect(log[499]).toEqual({ seq: 599, event: tick(599) });
    });

    it('honours a configured size, also within one batch', () => {
      const store = createDashboardStore({ eventLogSize: 3 });
      store.getState().applyEvents([tick(1), tick(2), tick(3), tick(4), tick(5)]);
      expect(store.getState().eventLog.map((l) => l.event.time)).toEqual([3, 4, 5]);
      store.getState().applyEvents([tick(6)]);
      expect(store.getState().eventLog.map((l) => l.seq)).toEqual([3, 4, 5]);
    });
  });

  describe('queue depth history', () => {
    const queued = (i: number, time: number): PoshpoolEvent => ({
      type: 'request.queued', requestId: `r${i}`, clientId: 'c1', priority: 'sync', position: i, etaMs: 1_000, time,
    });

    it('keeps one sample per 10 s bucket (its highest depth and longest wait) and forgets samples older than an hour', () => {
      const { store, setNow } = storeWith(0);
      store.getState().applySnapshot(snapshot());
      expect(store.getState().queueDepthHistory).toEqual([{ time: 0, depth: 0, waitMs: 0 }]);
      setNow(500);
      store.getState().applyEvents([queued(1, 500), queued(2, 500)]);
      setNow(1_500);
      store.getState().applyEvents([{ type: 'request.allocated', requestId: 'r1', clientId: 'c1', sessionId: 's', waitedMs: 1_000, time: 1_500 }]);
      expect(store.getState().queueDepthHistory).toEqual([{ time: 0, depth: 2, waitMs: 1_000 }]);
      setNow(10_500);
      store.getState().sampleQueueDepth();
      // r2 still waits, since 500.
      expect(store.getState().queueDepthHistory).toEqual([{ time: 0, depth: 2, waitMs: 1_000 }, { time: 10_000, depth: 1, waitMs: 10_000 }]);
      for (let t = 20_000; t <= 3_600_000; t += 10_000) {
        setNow(t);
        store.getState().sampleQueueDepth();
      }
      const history = store.getState().queueDepthHistory;
      expect(history).toHaveLength(360);
      expect(history[0]).toEqual({ time: 10_000, depth: 1, waitMs: 10_000 });
      expect(history[359]).toEqual({ time: 3_600_000, depth: 1, waitMs: 3_599_500 });
      setNow(3_700_000);
      store.getState().sampleQueueDepth();
      expect(store.getState().queueDepthHistory[0]!.time).toBe(110_000);
    });

    it('samples the queue length before any snapshot gave metrics', () => {
      const { store } = storeWith(4_000);
      store.getState().applyEvents([queued(1, 4_000)]);
      expect(store.getState().metrics).toBeNull();
      expect(store.getState().queueDepthHistory).toEqual([{ time: 0, depth: 1, waitMs: 0 }]);
    });
  });

  it('knows clients by id from the snapshot and from client.connected', () => {
    const { store } = storeWith();
    store.getState().applySnapshot(snapshot({ clients: [{ clientId: 'c1', name: 'Cursor', version: '1', connectedAt: 5 }] }));
    expect(store.getState().clients).toEqual({ c1: { clientId: 'c1', name: 'Cursor', version: '1', connectedAt: 5 } });
    store.getState().applyEvents([{ type: 'client.connected', clientId: 'c2', name: 'claude-code', version: '2.0', time: 7 }]);
    expect(store.getState().clients.c2).toEqual({ clientId: 'c2', name: 'claude-code', version: '2.0', connectedAt: 7 });
    expect(store.getState().clients.c1?.name).toBe('Cursor');
  });

  it('setConnection keeps the last error until a new one', () => {
    const store = createDashboardStore();
    store.getState().setConnection('disconnected', 'network down');
    store.getState().setConnection('connected');
    expect(store.getState().connection).toEqual({ state: 'connected', lastError: 'network down' });
    store.getState().setConnection('signedOut', 'signed out');
    expect(store.getState().connection).toEqual({ state: 'signedOut', lastError: 'signed out' });
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import type { CommandResult, SessionState } from '../../../common/shell.js';
import { defaultConfig } from '../config/schema.js';
import { Emitter } from '../events/Emitter.js';
import { EventBus } from '../events/EventBus.js';
import { ShellPool } from '../pool/ShellPool.js';
import type { InputResult } from '../shell/PwshSession.js';
import { SessionManager, type ManagedShell, type Ticket } from './SessionManager.js';

// Unit tests of the scheduler's bookkeeping with fake sessions and a fake clock: queue events,
// positions, ETAs, class changes, cancellation in each state. SessionManager.integration.test.ts
// proves the scheduler with real pwsh.

let nextId = 1;
class FakeShell implements ManagedShell {
  readonly id = `s${nextId++}`;
  state: SessionState = 'idle';
  readonly pid = 4242;
  readonly stopping = false;
  private readonly exit = new Emitter<{ reason: string }>();
  private readonly states = new Emitter<SessionState>();
  readonly onExit = this.exit.event;
  readonly onStateChange = this.states.event;
  async run(command: string): Promise<CommandResult> {
    return { seq: 1, status: 'completed', output: command, errors: [], errorCount: 0, exitCode: 0, success: true, cwd: '/', durationMs: 1, truncated: false, outputBytes: command.length, outputRef: null, sessionAlive: true };
  }
  cancel(): boolean {
    return false;
  }
  sendInput(): InputResult {
    return { ok: true };
  }
  outputSoFar() {
    return undefined;
  }
  async dispose(): Promise<void> {
    this.state = 'ended';
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('SessionManager (unit)', () => {
  let bus: EventBus;
  let events: PoshpoolEvent[];
  let pool: ShellPool<FakeShell>;
  let manager: SessionManager<FakeShell>;

  beforeEach(async () => {
    vi.useFakeTimers();
    bus = new EventBus(() => Date.now());
    events = [];
    bus.onEvent((e) => events.push(e));
    const config = defaultConfig({ warmSessions: 2, maxSessions: 2, maxWaiting: 3, idleLimitSeconds: 600 });
    pool = new ShellPool<FakeShell>({ ...config, bus, isAlive: () => true, start: async () => ({ ok: true, session: new FakeShell() }) });
    manager = new SessionManager({ pool, bus, config });
    await flush();
  });
  afterEach(async () => {
    await manager.dispose();
    await pool.dispose();
    vi.useRealTimers();
  });

  async function fill(): Promise<string[]> {
    const a = await manager.requestSession('x');
    const b = await manager.requestSession('x');
    if (a.status !== 'allocated' || b.status !== 'allocated') throw new Error('expected two allocations');
    return [a.sessionId, b.sessionId];
  }

  it('serves sync before async and reports positions and their changes', async () => {
    const [s1] = await fill();
    const async1 = await manager.requestSession('c1', { priority: 'async' });
    const sync1 = await manager.requestSession('c2', { priority: 'sync' });
    expect(async1).toMatchObject({ status: 'queued', position: 1 });
    expect(sync1).toMatchObject({ status: 'queued', position: 1 });
    // The sync request went ahead of the async one: its position changed to 2, with an event.
    const moved = events.filter((e) => e.type === 'request.position' && e.requestId === async1.requestId);
    expect(moved.map((e) => (e.type === 'request.position' ? e.position : 0))).toEqual([2]);
    expect(manager.queuePosition('c1', async1.requestId)).toMatchObject({ ok: true, position: 2 });
    await manager.endSession('x', s1!);
    await flush();
    const allocated = events.filter((e) => e.type === 'request.allocated').map((e) => (e.type === 'request.allocated' ? e.requestId : ''));
    expect(allocated.slice(-1)).toEqual([sync1.requestId]);
    expect(manager.queuePosition('c1', async1.requestId)).toMatchObject({ ok: true, position: 1 });
  });

  it('refuses a request at once when the queue is full, saying so', async () => {
    await fill();
    for (let i = 0; i < 3; i++) expect((await manager.requestSession(`q${i}`)).status).toBe('queued');
    const refused = await manager.requestSession('late');
    expect(refused.status).toBe('rejected');
    expect(refused.status === 'rejected' && refused.reason).toMatch(/full/);
    expect(events.some((e) => e.type === 'request.rejected' && e.clientId === 'late')).toBe(true);
    expect(manager.metrics()).toMatchObject({ queueDepth: 3, requestsRejected: 1, peakQueueDepth: 3 });
  });

  it('changes a request’s class keeping its arrival order', async () => {
    await fill();
    const a = await manager.requestSession('a', { priority: 'async' });
    const b = await manager.requestSession('b', { priority: 'sync' });
    const c = await manager.requestSession('c', { priority: 'async' });
    // Order: b (sync), a, c.
    expect(manager.listQueue().map((q) => q.requestId)).toEqual([b.requestId, a.requestId, c.requestId]);
    const up = manager.changePriority('c', c.requestId, 'sync');
    expect(up).toMatchObject({ ok: true, position: 2 });
    expect(manager.listQueue().map((q) => q.requestId)).toEqual([b.requestId, c.requestId, a.requestId]);
    expect(manager.changePriority('a', c.requestId, 'async').ok).toBe(false);
  });

  it('ETAs grow with the position and follow the hold times that were seen', async () => {
    const [s1, s2] = await fill();
    vi.advanceTimersByTime(2000);
    await manager.endSession('x', s1!);
    await flush();
    vi.advanceTimersByTime(2000);
    await manager.endSession('x', s2!);
    await flush();
    // Two holds: 2 s and 4 s were recorded; both slots are lent again (to nobody waiting: fill anew).
    await fill();
    const q1 = (await manager.requestSession('a')) as Extract<Ticket, { status: 'queued' }>;
    const q2 = (await manager.requestSession('b')) as Extract<Ticket, { status: 'queued' }>;
    const q3 = (await manager.requestSession('c')) as Extract<Ticket, { status: 'queued' }>;
    expect(q1.etaMs).toBeGreaterThan(0);
    expect(q2.etaMs).toBeGreaterThanOrEqual(q1.etaMs);
    expect(q3.etaMs).toBeGreaterThan(q1.etaMs);
    const before = manager.queuePosition('a', q1.requestId);
    vi.advanceTimersByTime(1500);
    const after = manager.queuePosition('a', q1.requestId);
    // Time held so far counts: the same position is expected sooner.
    expect(before.ok && after.ok && before.status === 'queued' && after.status === 'queued' && after.etaMs < before.etaMs).toBe(true);
  });

  it('gives the ETA of a slot held by an abandoned session as the time until reclaim ends it, then serves the request', async () => {
    await fill();
    // Both sessions quiet past idleLimitSeconds (600 s): reported abandoned, reclaimed 600 s later (the default).
    vi.advanceTimersByTime(601_000);
    expect(events.filter((e) => e.type === 'session.abandoned')).toHaveLength(2);
    const q = (await manager.requestSession('waiter')) as Extract<Ticket, { status: 'queued' }>;
    // Before: "overdue" slots, an ETA of a fifth of the mean hold for slots nobody was going to free.
    expect(q.etaMs).toBeGreaterThanOrEqual(598_000);
    expect(q.etaMs).toBeLessThanOrEqual(600_000);
    vi.advanceTimersByTime(300_000);
    const pos = manager.queuePosition('waiter', q.requestId);
    expect(pos.ok && pos.status === 'queued' && pos.etaMs).toBeLessThanOrEqual(300_000);
    vi.advanceTimersByTime(301_000);
    await flush();
    expect(await q.allocation).toMatchObject({ ok: true });
    expect(events.filter((e) => e.type === 'session.reclaimed')).toHaveLength(2);
  });

  it('cancels in each state: queued, allocated idle, allocated after its command', async () => {
    const [s1] = await fill();
    const q = (await manager.requestSession('c')) as Extract<Ticket, { status: 'queued' }>;
    expect(await manager.cancelRequest('other', q.requestId)).toMatchObject({ ok: false });
    expect(await manager.cancelRequest('c', q.requestId)).toEqual({ ok: true, was: 'queued' });
    expect(await q.allocation).toMatchObject({ ok: false, code: 'cancelled' });
    expect(await manager.cancelRequest('c', q.requestId)).toMatchObject({ ok: false });
    const tickets = events.filter((e) => e.type === 'request.allocated' && e.sessionId === s1);
    const requestId = tickets[0]!.type === 'request.allocated' ? tickets[0]!.requestId : '';
    expect(await manager.cancelRequest('x', requestId, 'afterCommand')).toEqual({ ok: true, was: 'allocated' });
    // Idle: "after its command" ends it at once.
    expect(manager.listSessions('x').map((s) => s.sessionId)).not.toContain(s1);
    expect(events.some((e) => e.type === 'session.ended' && e.sessionId === s1 && e.reason === 'cancelled')).toBe(true);
  });

  it('counts waits per class and commands in its metrics', async () => {
    const [s1] = await fill();
    const q = (await manager.requestSession('c', { priority: 'async' })) as Extract<Ticket, { status: 'queued' }>;
    vi.advanceTimersByTime(3000);
    await manager.endSession('x', s1!);
    await flush();
    const a = await q.allocation;
    expect(a).toMatchObject({ ok: true, waitedMs: 3000 });
    if (!a.ok) return;
    const ran = await manager.run('c', a.sessionId, 'hello');
    expect(ran.ok && ran.result.output).toBe('hello');
    const m = manager.metrics();
    expect(m.averageWaitMs.async).toBe(3000);
    expect(m.averageWaitMs.sync).toBe(0);
    expect(m).toMatchObject({ commandsRun: 1, commandsFailed: 0, activeSessions: 2, freeSlots: 0, poolState: 'healthy' });
    expect(m.commandDurationMs).toEqual({ p50: 1, p95: 1 });
  });

  it('knows the directory a session is in from the moment it is lent (startDir), and says it in session and command events', async () => {
    const config = defaultConfig({ warmSessions: 1, maxSessions: 1 });
    const withDir = new SessionManager({ pool, bus, config, startDir: '/home/me' });
    try {
      const t = await withDir.requestSession('d');
      if (t.status !== 'allocated') throw new Error('expected an allocation');
      expect(withDir.listSessions('d')[0]?.cwd).toBe('/home/me');
      expect(events).toContainEqual(expect.objectContaining({ type: 'session.started', sessionId: t.sessionId, cwd: '/home/me' }));
      await withDir.run('d', t.sessionId, 'Set-Location /');
      expect(events).toContainEqual(expect.objectContaining({ type: 'command.started', sessionId: t.sessionId, cwd: '/home/me' }));
      // FakeShell reports '/' as the directory after every command.
      expect(events).toContainEqual(expect.objectContaining({ type: 'command.finished', sessionId: t.sessionId, cwd: '/' }));
      expect(withDir.listSessions('d')[0]?.cwd).toBe('/');
    } finally {
      await withDir.dispose();
    }
  });

  it('queues new requests while paused, keeps lent sessions working, and serves the queue on resume', async () => {
    const first = await manager.requestSession('x');
    expect(first.status).toBe('allocated');
    expect(manager.setPaused(true, 'tray')).toEqual({ changed: true });
    expect(manager.setPaused(true, 'tray')).toEqual({ changed: false });
    expect(manager.pausedBy).toBe('tray');
    expect(manager.metrics()).toMatchObject({ paused: true, freeSlots: 1 });
    // A slot is free, but nobody gets it while paused: the request waits at position 1.
    const q = await manager.requestSession('c');
    expect(q).toMatchObject({ status: 'queued', position: 1 });
    // The session lent before the pause still runs commands.
    const ran = await manager.run('x', (first as Extract<Ticket, { status: 'allocated' }>).sessionId, 'still works');
    expect(ran.ok && ran.result.output).toBe('still works');
    await flush();
    expect(manager.listQueue().map((e) => e.requestId)).toEqual([q.requestId]);
    vi.advanceTimersByTime(2000);
    expect(manager.setPaused(false, 'tray')).toEqual({ changed: true });
    await flush();
    expect(await (q as Extract<Ticket, { status: 'queued' }>).allocation).toMatchObject({ ok: true });
    expect(manager.metrics().paused).toBe(false);
    expect(events.filter((e) => e.type === 'pool.paused' || e.type === 'pool.resumed')).toEqual([
      expect.objectContaining({ type: 'pool.paused', by: 'tray' }),
      expect.objectContaining({ type: 'pool.resumed', by: 'tray', pausedMs: 2000 }),
    ]);
  });

  it('reports a request whose session is being readied as preparing, not unknown', async () => {
    const config = defaultConfig({ warmSessions: 0, maxSessions: 1, maxWaiting: 3, idleLimitSeconds: 600 });
    const starts: ((s: FakeShell) => void)[] = [];
    const slowPool = new ShellPool<FakeShell>({
      ...config,
      bus,
      isAlive: () => true,
      start: () => new Promise((resolve) => starts.push((session) => resolve({ ok: true, session }))),
    });
    const slow = new SessionManager({ pool: slowPool, bus, config });
    try {
      const first = slow.requestSession('a');
      await flush();
      starts.shift()!(new FakeShell());
      const a = await first;
      expect(a.status).toBe('allocated');
      const q = (await slow.requestSession('b')) as Extract<Ticket, { status: 'queued' }>;
      expect(slow.queuePosition('b', q.requestId)).toMatchObject({ ok: true, status: 'queued', position: 1 });
      await slow.endSession('a', (a as Extract<Ticket, { status: 'allocated' }>).sessionId);
      await flush();
      // Off the queue, waiting for a fresh session to start: neither queued nor unknown.
      expect(slow.queuePosition('b', q.requestId)).toEqual({ ok: true, status: 'preparing' });
      expect(slow.queuePosition('other', q.requestId)).toMatchObject({ ok: false });
      starts.shift()!(new FakeShell());
      expect(await q.allocation).toMatchObject({ ok: true });
      expect(slow.queuePosition('b', q.requestId)).toMatchObject({ ok: true, status: 'allocated' });
    } finally {
      // A spare started ahead of the queue may still be starting: let it finish so the pool can end it.
      for (const finish of starts.splice(0)) finish(new FakeShell());
      await slow.dispose();
      await slowPool.dispose();
    }
  });
});


import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import type { SessionState } from '../../../common/shell.js';
import { Emitter } from '../events/Emitter.js';
import { EventBus } from '../events/EventBus.js';
import { ShellPool, type PoolSession, type ShellPoolSettings } from './ShellPool.js';

// Unit tests with fake sessions and fake timers: the pool's bookkeeping, backoff and degraded state.
// ShellPool.integration.test.ts proves the same pool with real pwsh.

class FakeSession implements PoolSession {
  static next = 1;
  readonly id = `s${FakeSession.next++}`;
  state: SessionState = 'idle';
  pid: number | undefined = 1000 + FakeSession.next;
  disposed = false;
  private readonly exit = new Emitter<{ reason: string }>();
  readonly onExit = this.exit.event;
  die(reason: string): void {
    this.state = 'ended';
    this.exit.fire({ reason });
  }
  async dispose(): Promise<void> {
    this.disposed = true;
    this.state = 'ended';
  }
}

const settings: ShellPoolSettings = {
  warmSessions: 2,
  maxSessions: 3,
  spawnBackoffInitialMs: 100,
  spawnBackoffMaxMs: 1000,
  degradedFailureCount: 3,
  degradedWindowSeconds: 60,
  warmDemandWindowSeconds: 600,
  maxParallelStarts: 8,
  refillDelayMs: 0,
  reuseSessions: true,
  sessionReuseLimit: 100,
};

/** A start function whose outcomes the test decides one by one. */
function controllableStart() {
  const pending: { resolve(ok: boolean, reason?: string): void }[] = [];
  const made: FakeSession[] = [];
  let autoSucceed = false;
  const start = () =>
    new Promise<{ ok: true; session: FakeSession } | { ok: false; reason: string }>((resolve) => {
      const finish = (ok: boolean, reason = 'pwsh not found') => {
        if (ok) {
          const s = new FakeSession();
          made.push(s);
          resolve({ ok: true, session: s });
        } else resolve({ ok: false, reason });
      };
      if (autoSucceed) finish(true);
      else pending.push({ resolve: finish });
    });
  return {
    start,
    made,
    pending,
    succeedAll() {
      for (const p of pending.splice(0)) p.resolve(true);
    },
    failAll(reason?: string) {
      for (const p of pending.splice(0)) p.resolve(false, reason);
    },
    auto() {
      autoSucceed = true;
      this.succeedAll();
    },
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('ShellPool', () => {
  let bus: EventBus;
  let events: PoshpoolEvent[];
  beforeEach(() => {
    vi.useFakeTimers();
    bus = new EventBus(() => Date.now());
    events = [];
    bus.onEvent((e) => events.push(e));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts warmSessions at once and lends a warm session without starting one', async () => {
    const c = controllableStart();
    const pool = new ShellPool({ ...settings, start: c.start, bus, isAlive: () => true });
    expect(c.pending).toHaveLength(2);
    c.succeedAll();
    await flush();
    expect(pool.warmCount).toBe(2);
    expect(pool.state).toBe('healthy');
    const got = await pool.acquire();
    expect(got.ok).toBe(true);
    expect(pool.lentCount).toBe(1);
    expect(pool.freeSlots).toBe(2);
    // The lent one is replaced right after the caller got it, so two are warm again.
    expect(c.pending).toHaveLength(0);
    vi.runOnlyPendingTimers();
    expect(c.pending).toHaveLength(1);
    c.auto();
    await pool.dispose();
  });

  it('never lends more than maxSessions and never the same session twice, and stays warm', async () => {
    const c = controllableStart();
    c.auto();
    const pool = new ShellPool({ ...settings, start: c.start, bus, isAlive: () => true });
    await flush();
    const a = await pool.acquire();
    const b = await pool.acquire();
    const d = await pool.acquire();
    const ids = [a, b, d].map((r) => (r.ok ? r.session.id : 'none'));
    expect(new Set(ids).size).toBe(3);
    const full = await pool.acquire();
    expect(full).toMatchObject({ ok: false, code: 'full' });
    // Warm sessions stay ready even while every slot is lent, for the next request after a release.
    await flush();
    expect(pool.warmCount).toBe(2);
    if (!a.ok) throw new Error('expected a session');
    await pool.release(a.session);
    expect(a.session.disposed).toBe(true);
    const again = await pool.acquire();
    expect(again.ok && again.session.id).not.toBe(a.session.id);
    await pool.dispose();
  });

  it('announces a freed slot on release', async () => {
    const c = controllableStart();
    c.auto();
    const pool = new ShellPool({ ...settings, start: c.start, bus, isAlive: () => true });
    await flush();
    let freed = 0;
    pool.onSlotFreed(() => freed++);
    const a = await pool.acquire();
    if (!a.ok) throw new Error('expected a session');
    await pool.release(a.session);
    await pool.release(a.session);
    expect(freed).toBe(1);
    await pool.dispose();
  });

  it('waits for a starting session when none is warm', async () => {
    const c = controllableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 0, start: c.start, bus, isAlive: () => true });
    expect(c.pending).toHaveLength(0);
    const p = pool.acquire();
    expect(pool.lentCount).toBe(1);
    expect(c.pending).toHaveLength(1);
    c.succeedAll();
    const got = await p;
    expect(got.ok).toBe(true);
    c.auto();
    await pool.dispose();
  });

  it('does not lend a warm session that died or fails its check; it replaces it', async () => {
    const c = controllableStart();
    c.auto();
    let alive = true;
    const pool = new ShellPool({ ...settings, start: c.start, bus, isAlive: () => alive });
    await flush();
    const [first, second] = c.made;
    first!.die('killed');
    await flush();
    expect(pool.warmCount).toBe(1);
    alive = false;
    const p = pool.acquire();
    alive = true;
    await vi.advanceTimersByTimeAsync(1000);
    const got = await p;
    expect(got.ok).toBe(true);
    expect(got.ok && [first!.id, second!.id]).not.toContain(got.ok && got.session.id);
    expect(second!.disposed).toBe(true);
    expect(pool.restarts).toBe(2);
    await pool.dispose();
  });

  it('retries failed starts with exponential backoff', async () => {
    const c = controllableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 1, degradedFailureCount: 10, start: c.start, bus, isAlive: () => true });
    c.failAll();
    await flush();
    expect(c.pending).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(99);
    expect(c.pending).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.pending).toHaveLength(1);
    c.failAll();
    await flush();
    await vi.advanceTimersByTimeAsync(199);
    expect(c.pending).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.pending).toHaveLength(1);
    c.failAll();
    await flush();
    await vi.advanceTimersByTimeAsync(400);
    expect(c.pending).toHaveLength(1);
    c.succeedAll();
    await flush();
    expect(pool.warmCount).toBe(1);
    expect(pool.state).toBe('healthy');
    c.auto();
    await pool.dispose();
  });

  it('becomes degraded after too many failures, tells callers why, and recovers by itself', async () => {
    const c = controllableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 1, start: c.start, bus, isAlive: () => true });
    const waiting = pool.acquire();
    // The first attempt serves both the warm target and the waiter; fail three rounds.
    for (let i = 0; i < 3; i++) {
      c.failAll('pwsh: No such file or directory');
      await flush();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(pool.state).toBe('degraded');
    const failed = await waiting;
    expect(failed).toMatchObject({ ok: false, code: 'degraded' });
    expect(!failed.ok && failed.reason).toContain('pwsh: No such file or directory');
    expect(events.filter((e) => e.type === 'pool.degraded')).toHaveLength(1);
    const refused = await pool.acquire();
    expect(refused).toMatchObject({ ok: false, code: 'degraded' });
    expect(pool.lentCount).toBe(0);
    // It keeps retrying on its own; one success recovers it.
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.pending.length).toBeGreaterThan(0);
    c.succeedAll();
    await flush();
    expect(pool.state).toBe('healthy');
    expect(events.map((e) => e.type)).toContain('pool.recovered');
    expect((await pool.acquire()).ok).toBe(true);
    c.auto();
    await pool.dispose();
  });

  it('dispose ends idle and lent sessions and fails waiters', async () => {
    const c = controllableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 1, start: c.start, bus, isAlive: () => true });
    c.succeedAll();
    await flush();
    const lent = await pool.acquire();
    const waiting = pool.acquire();
    const disposing = pool.dispose();
    c.succeedAll();
    await disposing;
    expect(await waiting).toMatchObject({ ok: false, code: 'disposed' });
    expect(c.made.every((s) => s.disposed)).toBe(true);
    expect(lent.ok).toBe(true);
    expect(await pool.acquire()).toMatchObject({ ok: false, code: 'disposed' });
  });
});

/** A fake session whose reset the test decides: clean, dirty, or throwing. */
class ResettableSession extends FakeSession {
  resets = 0;
  verdict: { ok: true } | { ok: false; reason: string } = { ok: true };
  async reset(): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.resets++;
    return this.verdict;
  }
}

function resettableStart() {
  const made: ResettableSession[] = [];
  const pending: (() => void)[] = [];
  let auto = true;
  const start = () =>
    new Promise<{ ok: true; session: ResettableSession }>((resolve) => {
      const finish = (): void => {
        const s = new ResettableSession();
        made.push(s);
        resolve({ ok: true, session: s });
      };
      if (auto) finish();
      else pending.push(finish);
    });
  return {
    start,
    made,
    pending,
    hold() {
      auto = false;
    },
  };
}

describe('ShellPool: reuse and demand', () => {
  let bus: EventBus;
  let events: PoshpoolEvent[];
  beforeEach(() => {
    vi.useFakeTimers();
    bus = new EventBus(() => Date.now());
    events = [];
    bus.onEvent((e) => events.push(e));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resets a returned idle session and lends it again without starting a new one', async () => {
    const c = resettableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 0, start: c.start, bus, isAlive: () => true });
    const a = await pool.acquire();
    if (!a.ok) throw new Error('expected a session');
    await pool.release(a.session);
    expect(a.session.resets).toBe(1);
    expect(a.session.disposed).toBe(false);
    expect(pool.warmCount).toBe(1);
    const b = await pool.acquire();
    expect(b.ok && b.session).toBe(a.session);
    expect(c.made).toHaveLength(1);
    expect(pool.reuseCounts).toMatchObject({ reused: 1, discarded: 0 });
    await pool.dispose();
  });

  it('hands a reset session straight to a caller waiting for a slot', async () => {
    const c = resettableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 0, maxSessions: 1, start: c.start, bus, isAlive: () => true });
    const a = await pool.acquire();
    if (!a.ok) throw new Error('expected a session');
    c.hold();
    // The slot is lent: a second caller would be queued by the scheduler; here it waits for the release.
    const released = pool.release(a.session);
    const next = pool.acquire();
    await released;
    const b = await next;
    expect(b.ok && b.session).toBe(a.session);
    for (const finish of c.pending.splice(0)) finish();
    await pool.dispose();
  });

  it('ends a session whose reset finds it dirty, says why, and replaces it', async () => {
    const c = resettableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 1, start: c.start, bus, isAlive: () => true });
    await flush();
    const a = await pool.acquire();
    if (!a.ok) throw new Error('expected a session');
    (a.session as ResettableSession).verdict = { ok: false, reason: 'code was loaded into the process: X' };
    await pool.release(a.session);
    expect(a.session.disposed).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'pool.sessionDiscarded', reason: 'code was loaded into the process: X' }));
    expect(pool.reuseCounts).toMatchObject({ reused: 0, discarded: 1, lastDiscardReason: 'code was loaded into the process: X' });
    await pool.dispose();
  });

  it('ends rather than resets a session still running a command, or one that served sessionReuseLimit leases', async () => {
    const c = resettableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 0, sessionReuseLimit: 2, start: c.start, bus, isAlive: () => true });
    const busy = await pool.acquire();
    if (!busy.ok) throw new Error('expected a session');
    busy.session.state = 'running';
    await pool.release(busy.session);
    expect((busy.session as ResettableSession).resets).toBe(0);
    expect(busy.session.disposed).toBe(true);
    const a = await pool.acquire();
    if (!a.ok) throw new Error('expected a session');
    await pool.release(a.session);
    const again = await pool.acquire();
    expect(again.ok && again.session).toBe(a.session);
    await pool.release(a.session);
    expect(a.session.disposed).toBe(true);
    expect((a.session as ResettableSession).resets).toBe(1);
    await pool.dispose();
  });

  it('starts at most maxParallelStarts sessions at once, and the first caller gets the first one', async () => {
    const c = resettableStart();
    c.hold();
    const pool = new ShellPool({ ...settings, warmSessions: 0, maxSessions: 3, maxParallelStarts: 1, start: c.start, bus, isAlive: () => true });
    const first = pool.acquire();
    const second = pool.acquire();
    await flush();
    expect(c.pending).toHaveLength(1);
    c.pending.shift()!();
    const got = await first;
    expect(got.ok && got.session).toBe(c.made[0]);
    await flush();
    expect(c.pending).toHaveLength(1);
    c.pending.shift()!();
    expect((await second).ok).toBe(true);
    await pool.dispose();
  });

  it('starts spares ahead of a queue, up to the parallel limit, and ends spares unused for the demand window', async () => {
    const c = resettableStart();
    const pool = new ShellPool({ ...settings, warmSessions: 1, maxSessions: 5, maxParallelStarts: 2, warmDemandWindowSeconds: 60, start: c.start, bus, isAlive: () => true });
    await flush();
    expect(pool.warmCount).toBe(1);
    pool.setQueued(10);
    await flush();
    expect(pool.warmCount).toBe(2);
    pool.setQueued(0);
    vi.advanceTimersByTime(30_000);
    expect(pool.warmCount).toBe(2);
    vi.advanceTimersByTime(60_000);
    await flush();
    // Back to the floor: the spare nobody used is ended.
    expect(pool.warmCount).toBe(1);
    expect(c.made.filter((s) => s.disposed)).toHaveLength(1);
    await pool.dispose();
  });
});

import os from 'node:os';
import type { PoolState } from '../../../common/events.js';
import { Emitter, type Disposable } from '../events/Emitter.js';
import type { EventBus } from '../events/EventBus.js';
import type { AcquireResult, PoolSession, ReuseCounts, ShellPoolSettings, StartSession } from './poolContract.js';
import { PoolHealth } from './PoolHealth.js';
import { WarmSessions } from './WarmSessions.js';

export type { AcquireResult, PoolSession, ReuseCounts, ShellPoolSettings, StartSession } from './poolContract.js';

export interface ShellPoolOptions<S> extends ShellPoolSettings {
  start: StartSession<S>;
  bus: EventBus;
  now?: () => number;
  /** True while the process lives (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /** Cores to start sessions on when maxParallelStarts is 0 (default: os.availableParallelism()). */
  cores?: number;
  /** The host whose sessions this pool starts, when not this machine: named in its events and in what degraded callers are told. */
  host?: string;
}

interface Waiter<S> {
  resolve(result: AcquireResult<S>): void;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Warm pwsh sessions. Lends at most `maxSessions` at once. A returned session is reset (variables,
 * functions, modules, environment, location, jobs, history: see reset.ps1) and, when the reset finds
 * it clean, lent again, so a lease does not wait for a pwsh start; a session that is not clean, or
 * has served `sessionReuseLimit` leases, is ended and replaced. Warm capacity follows demand: the
 * floor is `warmSessions`; waiting callers and a queue (see {@link setQueued}) start more, at most
 * `maxParallelStarts` at a time, first caller first; spare sessions unused for
 * `warmDemandWindowSeconds` are ended. Failed starts are retried with exponential backoff; too many
 * failures in a window make the pool degraded (an event, and callers are told why) until a start
 * succeeds again.
 */
export class ShellPool<S extends PoolSession> {
  private readonly idle = new WarmSessions<S>();
  private readonly uses = new Map<S, number>();
  private readonly recycling = new Set<S>();
  private queued = 0;
  private trimTimer: NodeJS.Timeout | undefined;
  private readonly reuse: ReuseCounts = { reused: 0, discarded: 0, lastDiscardReason: '' };
  private readonly lent = new Set<S>();
  private readonly waiters: Waiter<S>[] = [];
  private readonly exitSubs = new Map<S, Disposable>();
  private readonly starts = new Set<Promise<void>>();
  private reserved = 0;
  private readonly health: PoolHealth;
  private retryTimer: NodeJS.Timeout | undefined;
  private _state: PoolState = 'starting';
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly slotEmitter = new Emitter<void>();
  private readonly stateEmitter = new Emitter<PoolState>();

  /** Fires when a lent session comes back (a slot is free for the queue). */
  readonly onSlotFreed = this.slotEmitter.event;
  /** Fires when the pool's state changes. */
  readonly onStateChange = this.stateEmitter.event;

  constructor(private readonly options: ShellPoolOptions<S>) {
    this.now = options.now ?? Date.now;
    this.isAlive = options.isAlive ?? defaultIsAlive;
    this.health = new PoolHealth(options, this.now, options.host);
    this.refill();
  }

  get state(): PoolState {
    return this._state;
  }

  /** Sessions lent out now (including ones being handed over). */
  get lentCount(): number {
    return this.lent.size + this.reserved;
  }

  /** Slots that can be lent now. */
  get freeSlots(): number {
    return Math.max(0, this.options.maxSessions - this.lentCount);
  }

  get capacity(): number {
    return this.options.maxSessions;
  }

  /** Warm sessions ready to lend. */
  get warmCount(): number {
    return this.idle.size;
  }

  /** Sessions being started now. */
  get startingCount(): number {
    return this.starts.size;
  }

  /** How returned sessions fared: reset and lent again, or ended. */
  get reuseCounts(): ReuseCounts {
    return { ...this.reuse };
  }

  /**
   * Tells the pool how many requests wait in the scheduler's queue: while some wait, spare sessions
   * are started ahead of them (up to maxParallelStarts), so a slot that frees is served at once.
   */
  setQueued(count: number): void {
    if (count === this.queued) return;
    this.queued = count;
    if (count > 0) this.refill();
  }

  /** Sessions started to replace ones that failed or died. */
  get restarts(): number {
    return this.health.restarts;
  }

  /** Why the pool is degraded (empty when it is not). */
  get degradedReason(): string {
    return this._state === 'degraded' ? this.health.lastFailure : '';
  }

  /**
   * Lends a session: a warm one when there is one, else the next that finishes starting. Fails at
   * once when every slot is lent (`full`: queue the caller instead) or the pool is degraded.
   */
  acquire(): Promise<AcquireResult<S>> {
    if (this._state === 'disposed') return Promise.resolve({ ok: false, code: 'disposed', reason: 'poshpool is shutting down.' });
    if (this.freeSlots <= 0) {
      return Promise.resolve({ ok: false, code: 'full', reason: `All ${this.options.maxSessions} sessions are lent (maxSessions).` });
    }
    const warm = this.takeIdle();
    if (warm) {
      this.lend(warm);
      // Start the replacement a little later: a pwsh start takes a core, and the caller's first command should not share it.
      setTimeout(() => this.refill(), this.options.refillDelayMs).unref();
      return Promise.resolve({ ok: true, session: warm });
    }
    if (this._state === 'degraded') return Promise.resolve(this.degradedResult());
    this.reserved++;
    return new Promise((resolve) => {
      this.waiters.push({
        resolve: (result) => {
          this.reserved--;
          if (result.ok) this.lend(result.session);
          resolve(result);
        },
      });
      this.refill();
    });
  }

  /**
   * Takes a session back. An idle one is reset and, when clean, lent again (to the first waiting
   * caller, else kept warm); any other (a command still running, ended, dirty, used up) is disposed,
   * `why` told to a command it cuts short, and replaced. Resolves once the session is warm again or gone.
   */
  async release(session: S, why?: string, options: { reuse?: boolean } = {}): Promise<void> {
    if (!this.lent.delete(session)) return;
    const reusable = options.reuse !== false && this.options.reuseSessions && session.reset !== undefined && session.state === 'idle' && (this.uses.get(session) ?? 0) < this.options.sessionReuseLimit;
    if (!reusable) {
      this.forget(session);
      this.refill();
      this.slotEmitter.fire();
      await session.dispose(why);
      return;
    }
    this.recycling.add(session);
    this.slotEmitter.fire();
    let outcome: { ok: true } | { ok: false; reason: string };
    try {
      outcome = await session.reset!();
    } catch (e) {
      outcome = { ok: false, reason: `the reset threw: ${String(e)}` };
    }
    this.recycling.delete(session);
    if (!outcome.ok || this._state === 'disposed' || session.state !== 'idle') {
      if (!outcome.ok) {
        this.reuse.discarded++;
        this.reuse.lastDiscardReason = outcome.reason;
        this.options.bus.emit({ type: 'pool.sessionDiscarded', reason: outcome.reason });
      }
      this.forget(session);
      this.refill();
      await session.dispose(why);
      return;
    }
    this.reuse.reused++;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ ok: true, session });
    else this.makeIdle(session);
    this.refill();
  }

  /** Ends every session, lent or not, and stops starting new ones. */
  async dispose(): Promise<void> {
    if (this._state === 'disposed') return;
    this.setState('disposed');
    clearTimeout(this.retryTimer);
    for (const w of this.waiters.splice(0)) w.resolve({ ok: false, code: 'disposed', reason: 'poshpool is shutting down.' });
    clearTimeout(this.trimTimer);
    await Promise.all([...this.starts]);
    const all = [...this.idle.takeAll(), ...this.lent];
    this.lent.clear();
    for (const sub of this.exitSubs.values()) sub.dispose();
    this.exitSubs.clear();
    await Promise.all(all.map((s) => s.dispose()));
    this.slotEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private takeIdle(): S | undefined {
    for (let s = this.idle.takeNewest(); s !== undefined; s = this.idle.takeNewest()) {
      // Validate before lending: a session that died or is not at its prompt is never handed out.
      if (s.state === 'idle' && s.pid !== undefined && this.isAlive(s.pid)) return s;
      this.forget(s);
      void s.dispose();
      this.recordFailure(`a warm session failed its check before lending (state ${s.state})`);
    }
    return undefined;
  }

  private lend(session: S): void {
    this.lent.add(session);
    this.uses.set(session, (this.uses.get(session) ?? 0) + 1);
  }

  private makeIdle(session: S): void {
    this.idle.add(session, this.now());
    this.scheduleTrim();
  }

  private forget(session: S): void {
    this.exitSubs.get(session)?.dispose();
    this.exitSubs.delete(session);
    this.uses.delete(session);
  }

  /** Sessions started at once at most. */
  private get parallelStarts(): number {
    // A pwsh start keeps about 1.2 cores busy for its wall time (bench/startup.ts: ~1.1 s CPU per ~0.9 s),
    // so two at once on two cores delay the first-ready session by ~40 % (bench/coldStart.ts).
    return this.options.maxParallelStarts > 0 ? this.options.maxParallelStarts : Math.max(1, Math.floor((this.options.cores ?? os.availableParallelism()) / 2));
  }

  /** Warm sessions wanted now: the floor, or more while requests wait in the queue. */
  private get warmTarget(): number {
    const ahead = Math.min(this.queued, this.parallelStarts);
    return Math.max(this.options.warmSessions, ahead);
  }

  /**
   * Starts what the waiters and the warm target need, at most maxParallelStarts at a time, unless a
   * retry is pending. Sessions being reset count as coming. Warm sessions are kept even while every
   * slot is lent, so the next request served after a release gets one at once.
   */
  private refill(): void {
    if (this._state === 'disposed' || this.retryTimer) return;
    const wanted = this.waiters.length + this.warmTarget;
    const missing = wanted - this.idle.size - this.starts.size - this.recycling.size;
    const room = this.parallelStarts - this.starts.size;
    for (let i = 0; i < Math.min(missing, room); i++) this.startOne();
  }

  /** Ends warm sessions beyond the target once they have been unused for the demand window. */
  private scheduleTrim(): void {
    if (this.trimTimer || this._state === 'disposed') return;
    const windowMs = this.options.warmDemandWindowSeconds * 1000;
    this.trimTimer = setTimeout(
      () => {
        this.trimTimer = undefined;
        this.trim();
      },
      Math.max(windowMs / 4, 10),
    );
    this.trimTimer.unref();
  }

  private trim(): void {
    if (this._state === 'disposed') return;
    for (const spare of this.idle.takeExpired(this.warmTarget, this.options.warmDemandWindowSeconds * 1000, this.now())) {
      this.forget(spare);
      void spare.dispose('it was a spare warm session nobody used');
    }
    if (this.idle.size > this.warmTarget) this.scheduleTrim();
  }

  private startOne(): void {
    const run = (async () => {
      const started = await this.options.start().catch((e: unknown) => ({ ok: false as const, reason: `starting a session threw: ${String(e)}` }));
      if (!started.ok) {
        this.recordFailure(started.reason);
        return;
      }
      const session = started.session;
      if (this._state === 'disposed') {
        await session.dispose();
        return;
      }
      const { recoveredAfterMs } = this.health.success();
      if (recoveredAfterMs !== undefined) this.options.bus.emit({ type: 'pool.recovered', downMs: recoveredAfterMs, ...this.hostField() });
      this.setState('healthy');
      this.exitSubs.set(
        session,
        session.onExit((exit) => this.onSessionExit(session, exit.reason)),
      );
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve({ ok: true, session });
      else this.makeIdle(session);
    })();
    this.starts.add(run);
    void run.finally(() => {
      this.starts.delete(run);
      this.refill();
    });
  }

  private onSessionExit(session: S, reason: string): void {
    const wasWarm = this.idle.remove(session);
    this.forget(session);
    if (wasWarm) {
      // A warm session died on its own: replace it, and count it (pwsh that cannot stay up is a failure).
      void session.dispose();
      this.recordFailure(`a warm session ended: ${reason}`);
      this.refill();
    }
    // A lent session's end is its borrower's business: the borrower releases it and the pool replaces it.
  }

  private recordFailure(reason: string): void {
    if (this._state === 'disposed') return;
    const verdict = this.health.failure(reason);
    if (verdict.degradedNow) {
      this.setState('degraded');
      this.options.bus.emit({ type: 'pool.degraded', reason, failures: verdict.failures, ...this.hostField() });
      for (const w of this.waiters.splice(0)) w.resolve(this.degradedResult());
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Degraded with nobody waiting: still try one start, so the pool recovers by itself.
      if (this._state === 'degraded' && this.idle.size + this.starts.size === 0) this.startOne();
      else this.refill();
    }, verdict.retryInMs);
    this.retryTimer.unref();
  }

  private hostField(): { host?: string } {
    return this.options.host === undefined ? {} : { host: this.options.host };
  }

  private degradedResult(): AcquireResult<S> {
    return { ok: false, code: 'degraded', reason: this.health.degradedMessage() };
  }

  private setState(state: PoolState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }
}

import os from 'node:os';
import type { PoolState } from '../../../common/events.js';
import type { SessionState } from '../../../common/shell.js';
import { Emitter, type Disposable } from '../events/Emitter.js';
import type { EventBus } from '../events/EventBus.js';

/** What the pool needs of a session (PwshSession has it all). */
export interface PoolSession {
  readonly id: string;
  readonly state: SessionState;
  readonly pid: number | undefined;
  onExit(listener: (exit: { reason: string }) => void): Disposable;
  /** Ends the session; `why` (e.g. "poshpool is shutting down") is told to a command it cuts short. */
  dispose(why?: string): Promise<void>;
  /** Puts an idle session back as it was at start-up and says whether it is clean (fit for another client). */
  reset?(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** Starts one session. */
export type StartSession<S> = () => Promise<{ ok: true; session: S } | { ok: false; reason: string }>;

/** Settings of the pool (the config's fields of the same names). */
export interface ShellPoolSettings {
  /** Warm sessions kept at all times (the floor); more follow demand. */
  warmSessions: number;
  maxSessions: number;
  /** Warm sessions beyond the floor are ended after this long unused (0 = at once). */
  warmDemandWindowSeconds: number;
  /** Sessions started at once at most (0 = one per two cores, at least one). */
  maxParallelStarts: number;
  /** Delay before a lent warm session's replacement starts (ms). */
  refillDelayMs: number;
  /** Whether a returned session is reset and lent again instead of ended. */
  reuseSessions: boolean;
  /** Leases a session serves before it is ended rather than reset again. */
  sessionReuseLimit: number;
  spawnBackoffInitialMs: number;
  spawnBackoffMaxMs: number;
  degradedFailureCount: number;
  degradedWindowSeconds: number;
}

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

export type AcquireResult<S> =
  | { ok: true; session: S }
  | { ok: false; code: 'full' | 'degraded' | 'disposed'; reason: string };

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

/** Why and how often returned sessions were ended instead of lent again. */
export interface ReuseCounts {
  /** Sessions reset and lent again. */
  reused: number;
  /** Returned sessions ended because their reset failed or found them dirty. */
  discarded: number;
  /** Why the latest one was discarded. */
  lastDiscardReason: string;
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
  /** Warm sessions, oldest-returned first, each with the time it became idle. */
  private readonly idle: S[] = [];
  private readonly idleSince = new Map<S, number>();
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
  private failureTimes: number[] = [];
  private consecutiveFailures = 0;
  private lastFailure = '';
  private retryTimer: NodeJS.Timeout | undefined;
  private _state: PoolState = 'starting';
  private degradedSince = 0;
  private _restarts = 0;
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
    return this.idle.length;
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
    return this._restarts;
  }

  /** Why the pool is degraded (empty when it is not). */
  get degradedReason(): string {
    return this._state === 'degraded' ? this.lastFailure : '';
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
    const all = [...this.idle.splice(0), ...this.lent];
    this.lent.clear();
    for (const sub of this.exitSubs.values()) sub.dispose();
    this.exitSubs.clear();
    await Promise.all(all.map((s) => s.dispose()));
    this.slotEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private takeIdle(): S | undefined {
    while (this.idle.length > 0) {
      // The most recently returned first: the others age towards the end of their demand window.
      const s = this.idle.pop()!;
      this.idleSince.delete(s);
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
    this.idle.push(session);
    this.idleSince.set(session, this.now());
    this.scheduleTrim();
  }

  private forget(session: S): void {
    this.exitSubs.get(session)?.dispose();
    this.exitSubs.delete(session);
    this.uses.delete(session);
    this.idleSince.delete(session);
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
    const missing = wanted - this.idle.length - this.starts.size - this.recycling.size;
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
    const windowMs = this.options.warmDemandWindowSeconds * 1000;
    const now = this.now();
    // Oldest-returned first: the front of the idle list.
    while (this.idle.length > this.warmTarget) {
      const oldest = this.idle[0]!;
      if (now - (this.idleSince.get(oldest) ?? now) < windowMs) break;
      this.idle.shift();
      this.forget(oldest);
      void oldest.dispose('it was a spare warm session nobody used');
    }
    if (this.idle.length > this.warmTarget) this.scheduleTrim();
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
      this.consecutiveFailures = 0;
      if (this._state !== 'healthy') {
        if (this._state === 'degraded') this.options.bus.emit({ type: 'pool.recovered', downMs: this.now() - this.degradedSince, ...this.hostField() });
        this.setState('healthy');
      }
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
    const i = this.idle.indexOf(session);
    this.forget(session);
    if (i >= 0) {
      // A warm session died on its own: replace it, and count it (pwsh that cannot stay up is a failure).
      this.idle.splice(i, 1);
      void session.dispose();
      this.recordFailure(`a warm session ended: ${reason}`);
      this.refill();
    }
    // A lent session's end is its borrower's business: the borrower releases it and the pool replaces it.
  }

  private recordFailure(reason: string): void {
    if (this._state === 'disposed') return;
    const now = this.now();
    this.lastFailure = reason;
    this.consecutiveFailures++;
    this._restarts++;
    const windowMs = this.options.degradedWindowSeconds * 1000;
    this.failureTimes = [...this.failureTimes.filter((t) => now - t < windowMs), now];
    if (this._state !== 'degraded' && this.failureTimes.length >= this.options.degradedFailureCount) {
      this.degradedSince = now;
      this.setState('degraded');
      this.options.bus.emit({ type: 'pool.degraded', reason, failures: this.failureTimes.length, ...this.hostField() });
      for (const w of this.waiters.splice(0)) w.resolve(this.degradedResult());
    }
    const delay = Math.min(this.options.spawnBackoffMaxMs, this.options.spawnBackoffInitialMs * 2 ** (this.consecutiveFailures - 1));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Degraded with nobody waiting: still try one start, so the pool recovers by itself.
      if (this._state === 'degraded' && this.idle.length + this.starts.size === 0) this.startOne();
      else this.refill();
    }, delay);
    this.retryTimer.unref();
  }

  private hostField(): { host?: string } {
    return this.options.host === undefined ? {} : { host: this.options.host };
  }

  private degradedResult(): AcquireResult<S> {
    const host = this.options.host;
    if (host !== undefined) {
      return {
        ok: false,
        code: 'degraded',
        reason: `Sessions on host "${host}" cannot be started: ${this.lastFailure} poshpool retries with a growing delay (up to ${Math.round(this.options.spawnBackoffMaxMs / 1000)} s) and lends sessions there again once the host answers; sessions on other hosts are not affected.`,
      };
    }
    return {
      ok: false,
      code: 'degraded',
      reason: `PowerShell sessions cannot be started: ${this.lastFailure} (${this.failureTimes.length} failures in ${this.options.degradedWindowSeconds} s). poshpool keeps retrying and recovers by itself once pwsh starts; check the pwsh path ("shell.path") and the logs.`,
    };
  }

  private setState(state: PoolState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }
}

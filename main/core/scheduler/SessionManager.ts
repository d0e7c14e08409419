import { randomBytes, randomUUID } from 'node:crypto';
import type { Priority, SessionEndReason } from '../../../common/events.js';
import { LOCAL_HOST, type QueuedRequestInfo, type SchedulerMetrics, type SessionInfo, type SessionKind } from '../../../common/scheduler.js';
import type { CommandResult } from '../../../common/shell.js';
import type { PoshpoolConfig } from '../config/schema.js';
import type { Disposable } from '../events/Emitter.js';
import type { EventBus } from '../events/EventBus.js';
import type { CommandRecorder } from '../history/CommandHistory.js';
import type { ShellPool } from '../pool/ShellPool.js';
import type { RunOptions } from '../shell/sessionContract.js';
import { DurationWindow } from './DurationWindow.js';
import { EtaEstimator, type LearnedHolds, type SlotState } from './EtaEstimator.js';
import { defaultsToYield, idleActions, slotStateOf } from './idlePolicy.js';
import { lentInfo, newLent, type Lent } from './lent.js';
import { LentCommands } from './LentCommands.js';
import type { CommandGate, ManagedShell, Outcome } from './managedShell.js';
import { WaitQueue } from './WaitQueue.js';

export type { CommandGate, ManagedShell, Outcome } from './managedShell.js';

/** The outcome of waiting for a session. */
export type Allocation =
  | { ok: true; requestId: string; sessionId: string; waitedMs: number }
  | { ok: false; requestId: string; code: 'cancelled' | 'timedOut' | 'degraded' | 'disposed'; reason: string };

/** The answer to a request for a session. */
export type Ticket =
  | { status: 'allocated'; requestId: string; sessionId: string }
  | { status: 'queued'; requestId: string; priority: Priority; position: number; etaMs: number; allocation: Promise<Allocation> }
  | { status: 'rejected'; requestId: string; reason: string };

/** What the manager does with a request that already has a session when it is cancelled. */
export type CancelMode = 'now' | 'afterCommand';

interface Waiting {
  kind: SessionKind;
  resolve(allocation: Allocation): void;
}

/** Command durations the p50/p95 metrics are computed over. */
const DURATION_WINDOW = 1000;
/** Hold time the ETA assumes before any session has been returned (ms). */
const INITIAL_HOLD_MS = 30_000;

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url')}`;
}

/** A session id: one per lease (a pwsh process lent again after a reset gets a new id for its new client). */
function newSessionId(): string {
  return randomUUID();
}

/**
 * Lends sessions to clients: at once when a slot is free and nobody waits, else through the fair
 * WaitQueue with honest ETAs. Tracks each lent session (owner, state, current command, cwd, counts),
 * reports sessions left idle and reclaims them, and publishes every change on the event bus.
 * A client sees and touches only its own sessions and requests.
 */
export class SessionManager<S extends ManagedShell> {
  private readonly queue: WaitQueue<Waiting>;
  private readonly eta: EtaEstimator;
  private readonly lent = new Map<string, Lent<S>>();
  private readonly allocatedRequests = new Map<string, string>();
  private readonly durations = new DurationWindow(DURATION_WINDOW);
  private readonly waitTotals = { sync: { ms: 0, n: 0 }, async: { ms: 0, n: 0 } };
  private readonly poolSubs: Disposable[] = [];
  private counters = { commandsRun: 0, commandsFailed: 0, requestsRejected: 0, peakSessions: 0, peakQueueDepth: 0 };
  private ticker: NodeJS.Timeout | undefined;
  /** Requests taken off the queue whose session is being prepared. */
  private readonly handingOver = new Map<string, { clientId: string; state: { cancelled: boolean } }>();
  private disposed = false;
  /** Set while a person has paused new sessions: requests wait in the queue, lent sessions go on. */
  private paused: { since: number; by: string } | null = null;
  /** Each client's default session (by session id), and the request that will make one. */
  private readonly defaults = new Map<string, string>();
  private readonly pendingDefaults = new Map<string, string>();
  /** What clients do on their lent sessions (run, cancel, input, output so far, a move). */
  private readonly commands: LentCommands<S>;

  constructor(
    private readonly deps: {
      pool: ShellPool<S>;
      bus: EventBus;
      config: PoshpoolConfig;
      now?: () => number;
      /** Hold times learned by an earlier run (etaMemory.ts), so the first ETAs after a start are not guesses. */
      learnedHolds?: LearnedHolds;
      /** Approval rules: decides before each command whether it may run (ApprovalGate). */
      gate?: CommandGate;
      /** Told of each command's start and result and of each session's end (the dashboard's command history). */
      history?: CommandRecorder;
      /**
       * Where a newly lent session is: the pool's sessions start there and a reset (reset.ps1) takes
       * them back, so the dashboard shows a directory before a session's first command.
       */
      startDir?: string;
      /** The host this manager lends sessions of (`local`, or a config `hosts` name): in session info, queue entries and events. */
      host?: string;
    },
  ) {
    const now = deps.now ?? Date.now;
    this.queue = new WaitQueue<Waiting>({ maxWaiting: deps.config.maxWaiting, now });
    this.eta = new EtaEstimator({ alpha: deps.config.etaAlpha, initialHoldMs: INITIAL_HOLD_MS, now, learned: deps.learnedHolds });
    this.commands = new LentCommands<S>({
      bus: deps.bus,
      host: this.host,
      gate: deps.gate,
      history: deps.history,
      now: () => this.now,
      owned: (clientId, sessionId) => this.owned(clientId, sessionId),
      endLent: (lent, reason, detail) => this.endLent(lent, reason, detail),
      finished: (result) => {
        this.counters.commandsRun++;
        if (!result.success) this.counters.commandsFailed++;
        this.durations.add(result.durationMs);
      },
    });
    this.poolSubs.push(deps.pool.onSlotFreed(() => this.serve()));
    this.poolSubs.push(deps.pool.onStateChange(() => this.serve()));
    const tickMs = Math.max(50, Math.min(1000, (deps.config.idleLimitSeconds * 1000) / 4));
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.ticker.unref();
  }

  /** The host this manager lends sessions of. */
  get host(): string {
    return this.deps.host ?? LOCAL_HOST;
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Asks for a session. Allocated at once when a slot is free and nobody is waiting; otherwise
   * queued (sync before async, first come first served) with a position and an ETA; rejected when
   * the queue is full or the pool cannot start sessions.
   */
  async requestSession(clientId: string, options: { priority?: Priority; acquireTimeoutMs?: number; kind?: SessionKind } = {}): Promise<Ticket> {
    const requestId = newId('req');
    const priority = options.priority ?? 'sync';
    const kind = options.kind ?? 'session';
    if (this.disposed) return this.reject(requestId, clientId, 'poshpool is shutting down.');
    if (this.paused === null && this.queue.size === 0 && this.deps.pool.freeSlots > 0) {
      const t0 = this.now;
      const got = await this.deps.pool.acquire();
      if (got.ok) {
        const sessionId = this.lend(got.session, clientId, requestId, this.now - t0, priority, kind);
        return { status: 'allocated', requestId, sessionId };
      }
      if (got.code !== 'full') return this.reject(requestId, clientId, got.reason);
      // Lost the slot to a concurrent caller: wait in line like everyone else.
    }
    if (this.queue.size === 0 && this.handingOver.size === 0) this.eta.breakBacklog();
    let resolveAllocation!: (a: Allocation) => void;
    const allocation = new Promise<Allocation>((resolve) => (resolveAllocation = resolve));
    const queued = this.queue.enqueue({
      id: requestId,
      clientId,
      priority,
      acquireTimeoutMs: options.acquireTimeoutMs,
      data: { kind, resolve: resolveAllocation },
    });
    if (!queued.ok) return this.reject(requestId, clientId, queued.reason);
    this.deps.pool.setQueued(this.queue.size);
    this.yieldIdleDefaults();
    if (options.acquireTimeoutMs !== undefined) setTimeout(() => this.serve(), options.acquireTimeoutMs + 1).unref();
    this.counters.peakQueueDepth = Math.max(this.counters.peakQueueDepth, this.queue.size);
    const etaMs = this.etaFor(queued.position);
    this.deps.bus.emit({ type: 'request.queued', requestId, clientId, priority, position: queued.position, etaMs, host: this.host });
    this.emitPositionChanges();
    return { status: 'queued', requestId, priority, position: queued.position, etaMs, allocation };
  }

  /**
   * The session a call without a session id runs on. The client's default session when it is free
   * (kept between its calls, so its variables and cwd persist, like an agent's terminal); on the
   * client's first call a session is requested that becomes its default once lent. When the default
   * session is busy (a command still runs there), or `fresh` is asked, a session is requested for
   * this call only (`call`: return it with {@link endSession} after the call). `reused` is true when
   * the call runs on the default session it had before (its state is there).
   */
  async callTicket(clientId: string, options: { fresh?: boolean } = {}): Promise<{ ticket: Ticket; kind: 'default' | 'call'; reused: boolean }> {
    const current = this.defaults.get(clientId);
    const lent = current ? this.lent.get(current) : undefined;
    // A command being stopped there ends within the graces: keep the client's state rather than lend another session.
    while (!options.fresh && lent && !lent.ending && lent.commandDone && lent.session.stopping) await lent.commandDone;
    if (!options.fresh && lent && !lent.ending && lent.currentCommand === null && lent.session.state === 'idle') {
      lent.lastActivity = this.now;
      return { ticket: { status: 'allocated', requestId: lent.requestId, sessionId: lent.sessionId }, kind: 'default', reused: true };
    }
    const pending = this.pendingDefaults.get(clientId);
    const pendingLive = pending !== undefined && (this.queue.get(pending) !== undefined || this.handingOver.has(pending));
    const kind = !options.fresh && !lent && !pendingLive ? 'default' : 'call';
    const ticket = await this.requestSession(clientId, { priority: 'sync', kind });
    if (kind === 'default' && ticket.status === 'queued') this.pendingDefaults.set(clientId, ticket.requestId);
    return { ticket, kind, reused: false };
  }

  /**
   * Pauses or resumes new sessions (the tray's "pause new sessions"). While paused, new requests
   * wait in the queue in their usual order and no free slot is handed out; sessions already lent go
   * on. Resuming serves the queue at once.
   */
  setPaused(paused: boolean, by: string): { changed: boolean } {
    if (paused === (this.paused !== null) || this.disposed) return { changed: false };
    if (paused) {
      this.paused = { since: this.now, by };
      this.deps.bus.emit({ type: 'pool.paused', by });
    } else {
      const pausedMs = this.now - this.paused!.since;
      this.paused = null;
      this.deps.bus.emit({ type: 'pool.resumed', by, pausedMs });
      this.serve();
    }
    return { changed: true };
  }

  /** The hold times learned so far, to keep for the next run. */
  learnedHolds(): LearnedHolds | undefined {
    return this.eta.learned();
  }

  /** Whether new sessions are paused, and by whom. */
  get pausedBy(): string | null {
    return this.paused?.by ?? null;
  }

  /** Where a client's request stands. */
  queuePosition(
    clientId: string,
    requestId: string,
  ): Outcome<{ status: 'queued'; position: number; etaMs: number; priority: Priority } | { status: 'preparing' } | { status: 'allocated'; sessionId: string }> {
    const entry = this.queue.get(requestId);
    if (entry && entry.clientId === clientId) {
      const position = this.queue.position(requestId)!;
      return { ok: true, status: 'queued', position, etaMs: this.etaFor(position), priority: entry.priority };
    }
    // Off the queue, its session being readied (started or checked): it is neither waiting nor served yet.
    if (this.handingOver.get(requestId)?.clientId === clientId) return { ok: true, status: 'preparing' };
    const sessionId = this.allocatedRequests.get(requestId);
    if (sessionId && this.lent.get(sessionId)?.clientId === clientId) return { ok: true, status: 'allocated', sessionId };
    return { ok: false, reason: this.unknownRequest(requestId) };
  }

  /**
   * Moves a waiting request to the other class. It keeps its arrival order: among the requests of its
   * new class it stands where its arrival time puts it (see WaitQueue.changePriority).
   */
  changePriority(clientId: string, requestId: string, priority: Priority): Outcome<{ position: number; etaMs: number }> {
    const entry = this.queue.get(requestId);
    if (!entry || entry.clientId !== clientId) return { ok: false, reason: this.unknownRequest(requestId) };
    const changed = this.queue.changePriority(requestId, priority);
    if (!changed.ok) return changed;
    const etaMs = this.etaFor(changed.position);
    this.deps.bus.emit({ type: 'request.position', requestId, clientId, priority, position: changed.position, etaMs });
    this.emitPositionChanges();
    return { ok: true, position: changed.position, etaMs };
  }

  /**
   * Cancels a request. A waiting one leaves the queue (its caller gets a cancelled allocation). One
   * that already has a session ends that session: `now` stops its command (Ctrl+C, then harder) and
   * ends it; `afterCommand` lets the running command finish first.
   */
  async cancelRequest(clientId: string, requestId: string, mode: CancelMode = 'now'): Promise<Outcome<{ was: 'queued' | 'allocated' }>> {
    const entry = this.queue.get(requestId);
    if (entry && entry.clientId === clientId) {
      this.queue.remove(requestId);
      entry.data.resolve({ ok: false, requestId, code: 'cancelled', reason: 'The request was cancelled before a session was free.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId, clientId, reason: 'cancelled while queued' });
      this.deps.pool.setQueued(this.queue.size);
      this.emitPositionChanges();
      return { ok: true, was: 'queued' };
    }
    const preparing = this.handingOver.get(requestId);
    if (preparing && preparing.clientId === clientId) {
      preparing.state.cancelled = true;
      this.deps.bus.emit({ type: 'request.cancelled', requestId, clientId, reason: 'cancelled while its session was being prepared' });
      return { ok: true, was: 'queued' };
    }
    const sessionId = this.allocatedRequests.get(requestId);
    const lent = sessionId ? this.lent.get(sessionId) : undefined;
    if (!lent || lent.clientId !== clientId) return { ok: false, reason: this.unknownRequest(requestId) };
    this.deps.bus.emit({ type: 'request.cancelled', requestId, clientId, reason: `cancelled after allocation (${mode})` });
    if (mode === 'afterCommand' && lent.currentCommand !== null) {
      lent.endAfterCommand = true;
      return { ok: true, was: 'allocated' };
    }
    await this.endLent(lent, 'cancelled', 'its request was cancelled');
    return { ok: true, was: 'allocated' };
  }

  /** Ends a client's session (a running command is stopped first). */
  async endSession(clientId: string, sessionId: string, detail = 'ended by its client'): Promise<Outcome> {
    const lent = this.owned(clientId, sessionId);
    if (!lent.ok) return lent;
    await this.endLent(lent.lent, 'ended', detail);
    return { ok: true };
  }

  /** The client a lent session belongs to (for a person acting on every client's sessions). */
  ownerOfSession(sessionId: string): string | undefined {
    return this.lent.get(sessionId)?.clientId;
  }

  /** The shell behind a lent session (for a person watching its terminal), or undefined when it is not lent. */
  shellOf(sessionId: string): S | undefined {
    return this.lent.get(sessionId)?.session;
  }

  /** The client a waiting (or allocated) request belongs to. */
  ownerOfRequest(requestId: string): string | undefined {
    const queued = this.queue.get(requestId);
    if (queued) return queued.clientId;
    const preparing = this.handingOver.get(requestId);
    if (preparing) return preparing.clientId;
    const sessionId = this.allocatedRequests.get(requestId);
    return sessionId ? this.lent.get(sessionId)?.clientId : undefined;
  }

  /** Runs a command on a client's session and returns its structured result (LentCommands.run). */
  run(clientId: string, sessionId: string, command: string, options: RunOptions & { jobId?: string; workspace?: string | null } = {}): Promise<Outcome<{ result: CommandResult }>> {
    return this.commands.run(clientId, sessionId, command, options);
  }

  /** Stops the command running on a client's session, or its wait for approval (the session stays). */
  cancelCommand(clientId: string, sessionId: string): Outcome<{ wasRunning: boolean }> {
    return this.commands.cancelCommand(clientId, sessionId);
  }

  /** Types input into the command running on a client's session. */
  sendInput(clientId: string, sessionId: string, text: string): Outcome {
    return this.commands.sendInput(clientId, sessionId, text);
  }

  /** The running command's output so far on a client's session. */
  outputSoFar(clientId: string, sessionId: string): Outcome<{ output: ReturnType<ManagedShell['outputSoFar']> }> {
    return this.commands.outputSoFar(clientId, sessionId);
  }

  /** Moves a client's idle session to `dir` (Set-Location) before its first command (LentCommands.setLocation). */
  setLocation(clientId: string, sessionId: string, dir: string): Promise<Outcome<{ cwd: string }>> {
    return this.commands.setLocation(clientId, sessionId, dir);
  }

  /** Lent sessions, all or one client's. */
  listSessions(clientId?: string): SessionInfo[] {
    return [...this.lent.values()].filter((l) => clientId === undefined || l.clientId === clientId).map((l) => this.info(l));
  }

  /** Waiting requests in order of service, all or one client's. */
  listQueue(clientId?: string): QueuedRequestInfo[] {
    const snapshot = this.queue.snapshot();
    const etas = this.eta.estimateAll(snapshot.length, this.slotState());
    return snapshot
      .map((e, i) => ({ requestId: e.id, clientId: e.clientId, priority: e.priority, position: e.position, etaMs: Math.round(etas[i] ?? 0), enqueuedAt: e.enqueuedAt, host: this.host }))
      .filter((e) => clientId === undefined || e.clientId === clientId);
  }

  /** Point-in-time figures. */
  metrics(): SchedulerMetrics {
    const snapshot = this.queue.snapshot();
    const syncDepth = snapshot.filter((e) => e.priority === 'sync').length;
    const avg = (t: { ms: number; n: number }): number | null => (t.n === 0 ? null : Math.round(t.ms / t.n));
    const slots = this.slotState();
    return {
      time: this.now,
      poolState: this.deps.pool.state,
      poolDegradedReason: this.deps.pool.degradedReason,
      paused: this.paused !== null,
      activeSessions: this.lent.size,
      freeSlots: this.deps.pool.freeSlots,
      maxSessions: this.deps.pool.capacity,
      warmSessions: this.deps.pool.warmCount,
      queueDepth: snapshot.length,
      queueDepthSync: syncDepth,
      queueDepthAsync: snapshot.length - syncDepth,
      peakSessions: this.counters.peakSessions,
      peakQueueDepth: this.counters.peakQueueDepth,
      averageWaitMs: { sync: avg(this.waitTotals.sync), async: avg(this.waitTotals.async) },
      estimatedWaitMs: {
        sync: this.paused === null && this.deps.pool.freeSlots > 0 && snapshot.length === 0 ? 0 : Math.round(this.eta.estimate(syncDepth + 1, slots)),
        async: this.paused === null && this.deps.pool.freeSlots > 0 && snapshot.length === 0 ? 0 : Math.round(this.eta.estimate(snapshot.length + 1, slots)),
      },
      commandsRun: this.counters.commandsRun,
      commandsFailed: this.counters.commandsFailed,
      restarts: this.deps.pool.restarts,
      sessionsReused: this.deps.pool.reuseCounts.reused,
      sessionsDiscarded: this.deps.pool.reuseCounts.discarded,
      startingSessions: this.deps.pool.startingCount,
      commandDurationMs: { p50: this.durations.percentile(50), p95: this.durations.percentile(95) },
      requestsRejected: this.counters.requestsRejected,
    };
  }

  /** Ends every lent session and refuses every waiting request. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.ticker);
    for (const sub of this.poolSubs) sub.dispose();
    for (const entry of this.queue.snapshot()) {
      this.queue.remove(entry.id);
      entry.data.resolve({ ok: false, requestId: entry.id, code: 'disposed', reason: 'poshpool is shutting down.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId: entry.id, clientId: entry.clientId, reason: 'shutdown' });
    }
    await Promise.all([...this.lent.values()].map((l) => this.endLent(l, 'shutdown', 'poshpool is shutting down')));
  }

  private lend(session: S, clientId: string, requestId: string, waitedMs: number, priority: Priority, kind: SessionKind): string {
    const now = this.now;
    const sessionId = newSessionId();
    const lent = newLent(session, { sessionId, clientId, requestId, kind }, now, this.deps.startDir ?? null);
    lent.subs.push(session.onStateChange((state) => this.deps.bus.emit({ type: 'session.state', sessionId, clientId, state })));
    lent.subs.push(session.onExit((exit) => void this.endLent(lent, 'died', exit.reason)));
    this.lent.set(sessionId, lent);
    this.allocatedRequests.set(requestId, sessionId);
    if (kind === 'default') {
      this.defaults.set(clientId, sessionId);
      if (this.pendingDefaults.get(clientId) === requestId) this.pendingDefaults.delete(clientId);
    }
    this.counters.peakSessions = Math.max(this.counters.peakSessions, this.lent.size);
    this.waitTotals[priority].ms += waitedMs;
    this.waitTotals[priority].n++;
    this.deps.bus.emit({ type: 'request.allocated', requestId, clientId, sessionId, waitedMs });
    this.deps.bus.emit({ type: 'session.started', sessionId, clientId, pid: session.pid ?? null, kind, ...(lent.cwd === null ? {} : { cwd: lent.cwd }), host: this.host });
    return sessionId;
  }

  private async endLent(lent: Lent<S>, reason: SessionEndReason, detail: string): Promise<void> {
    if (lent.ending) return;
    lent.ending = true;
    for (const sub of lent.subs) sub.dispose();
    this.deps.bus.emit({ type: 'session.state', sessionId: lent.sessionId, clientId: lent.clientId, state: 'ending' });
    this.eta.recordHold(this.now - lent.lentAt);
    this.lent.delete(lent.sessionId);
    this.deps.gate?.forgetSession(lent.sessionId);
    this.allocatedRequests.delete(lent.requestId);
    if (this.defaults.get(lent.clientId) === lent.sessionId) this.defaults.delete(lent.clientId);
    // release() resets the session for the next client when it is idle and clean, else disposes it (dispose kills what runs); the slot is free at once.
    // Shutting down: no reset for a session nobody will be lent.
    await this.deps.pool.release(lent.session, detail, { reuse: reason !== 'shutdown' });
    this.deps.bus.emit({ type: 'session.ended', sessionId: lent.sessionId, clientId: lent.clientId, reason, detail });
    this.deps.history?.sessionEnded(lent.sessionId, detail.startsWith(reason) ? detail : `${reason}: ${detail}`, this.now);
  }

  /**
   * Hands free slots to waiting requests, in order of service. Each hand-over reserves its slot at
   * once and completes when its session is ready (a warm one at once, else when one has started).
   */
  private serve(): void {
    if (this.disposed) return;
    for (const expired of this.queue.expire()) {
      expired.data.resolve({ ok: false, requestId: expired.id, code: 'timedOut', reason: 'No session became free within the acquire timeout.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId: expired.id, clientId: expired.clientId, reason: 'acquire timeout' });
    }
    while (this.paused === null && this.queue.size > 0 && this.deps.pool.freeSlots > 0) {
      const next = this.queue.shift()!;
      const handOver = { cancelled: false };
      this.handingOver.set(next.id, { clientId: next.clientId, state: handOver });
      void this.deps.pool.acquire().then((got) => this.completeHandOver(next, handOver, got));
    }
    this.deps.pool.setQueued(this.queue.size);
    this.yieldIdleDefaults();
    this.emitPositionChanges();
  }

  /**
   * While requests wait and every slot is lent, default sessions unused for defaultSessionYieldSeconds
   * give way: each is ended (its slot serves the queue) and its client's next call gets a new one.
   * The longest unused go first, one per waiting request at most.
   */
  private yieldIdleDefaults(): void {
    if (this.disposed || this.paused !== null) return;
    const now = this.now;
    for (const l of defaultsToYield(this.lent.values(), this.queue.size - this.deps.pool.freeSlots, this.deps.config, now)) {
      this.deps.bus.emit({ type: 'session.reclaimed', sessionId: l.sessionId, clientId: l.clientId, idleMs: now - l.lastActivity });
      void this.endLent(l, 'reclaimed', `a default session unused for ${Math.round((now - l.lastActivity) / 1000)} s gave way to a waiting request`);
    }
  }

  private async completeHandOver(
    next: { id: string; clientId: string; priority: Priority; enqueuedAt: number; data: Waiting },
    handOver: { cancelled: boolean },
    got: Awaited<ReturnType<ShellPool<S>['acquire']>>,
  ): Promise<void> {
    this.handingOver.delete(next.id);
    if (!got.ok) {
      const code = got.code === 'degraded' ? 'degraded' : got.code === 'disposed' ? 'disposed' : 'cancelled';
      next.data.resolve({ ok: false, requestId: next.id, code, reason: got.reason });
      this.counters.requestsRejected++;
      this.deps.bus.emit({ type: 'request.rejected', requestId: next.id, clientId: next.clientId, reason: got.reason });
      return;
    }
    if (handOver.cancelled || this.disposed) {
      await this.deps.pool.release(got.session);
      next.data.resolve({ ok: false, requestId: next.id, code: 'cancelled', reason: 'The request was cancelled while its session was being prepared.' });
      return;
    }
    const waitedMs = this.now - next.enqueuedAt;
    this.eta.recordService(this.now);
    const sessionId = this.lend(got.session, next.clientId, next.id, waitedMs, next.priority, next.data.kind);
    next.data.resolve({ ok: true, requestId: next.id, sessionId, waitedMs });
  }

  private tick(): void {
    const now = this.now;
    for (const todo of idleActions([...this.lent.values()], this.deps.config, now)) {
      const { lent, idleMs } = todo;
      if (todo.action === 'abandoned') {
        lent.abandoned = true;
        this.deps.bus.emit({ type: 'session.abandoned', sessionId: lent.sessionId, clientId: lent.clientId, idleMs });
      } else {
        this.deps.bus.emit({ type: 'session.reclaimed', sessionId: lent.sessionId, clientId: lent.clientId, idleMs });
        void this.endLent(lent, 'reclaimed', todo.detail);
      }
    }
    const deadline = this.queue.nextDeadline();
    if (deadline !== null && deadline <= now) this.serve();
    this.yieldIdleDefaults();
  }

  private etaFor(position: number): number {
    return Math.round(this.eta.estimate(position, this.slotState()));
  }

  /** The slots as the ETA sees them (idlePolicy.ts slotStateOf). */
  private slotState(): SlotState {
    return slotStateOf(this.lent.values(), this.deps.pool.capacity, this.deps.config, this.now, (l) => this.deps.gate?.waitingUntil(l.sessionId));
  }

  private emitPositionChanges(): void {
    const changes = this.queue.lastChanges();
    if (changes.length === 0) return;
    const etas = this.eta.estimateAll(Math.max(...changes.map((c) => c.position)), this.slotState());
    for (const change of changes) {
      const entry = this.queue.get(change.id);
      if (!entry) continue;
      this.deps.bus.emit({
        type: 'request.position',
        requestId: change.id,
        clientId: entry.clientId,
        priority: entry.priority,
        position: change.position,
        etaMs: Math.round(etas[change.position - 1] ?? 0),
      });
    }
  }

  private owned(clientId: string, sessionId: string): { ok: true; lent: Lent<S> } | { ok: false; reason: string } {
    const lent = this.lent.get(sessionId);
    if (!lent || lent.clientId !== clientId) {
      return { ok: false, reason: `No session "${sessionId}" belongs to this client: it never existed, was ended, or belongs to another client. Start one with start_session.` };
    }
    return { ok: true, lent };
  }

  private unknownRequest(requestId: string): string {
    return `No request "${requestId}" of this client is waiting or holds a session: it was served and its session ended, cancelled, timed out, or belongs to another client.`;
  }

  private reject(requestId: string, clientId: string, reason: string): Ticket {
    this.counters.requestsRejected++;
    this.deps.bus.emit({ type: 'request.rejected', requestId, clientId, reason });
    return { status: 'rejected', requestId, reason };
  }

  private info(l: Lent<S>): SessionInfo {
    return lentInfo(l, this.host, l.approvalAbort !== null && Boolean(this.deps.gate?.waitingUntil(l.sessionId)));
  }
}

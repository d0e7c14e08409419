import type { Priority, SessionEndReason } from '../../../common/events.js';
import { LOCAL_HOST, type QueuedRequestInfo, type SchedulerMetrics, type SessionInfo, type SessionKind } from '../../../common/scheduler.js';
import type { CommandResult } from '../../../common/shell.js';
import type { Disposable } from '../events/Emitter.js';
import type { ShellPool } from '../pool/ShellPool.js';
import type { RunOptions } from '../shell/sessionContract.js';
import type { LearnedHolds, SlotState } from './EtaEstimator.js';
import { defaultsToYield, idleActions, slotStateOf } from './idlePolicy.js';
import { LaneCounters } from './LaneCounters.js';
import { lentInfo, newLent, newSessionId, type Lent } from './lent.js';
import { LentCommands } from './LentCommands.js';
import { LentSessions } from './LentSessions.js';
import type { CancelMode, ManagedShell, Outcome, SessionManagerDeps } from './managedShell.js';
import { NewSessionsPause } from './NewSessionsPause.js';
import { newRequestId, unknownRequest, WaitingRequests, type HandOver, type Ticket } from './WaitingRequests.js';

export type { CancelMode, CommandGate, ManagedShell, Outcome, SessionManagerDeps } from './managedShell.js';
export type { Allocation, Ticket } from './WaitingRequests.js';

/**
 * Lends sessions to clients: at once when a slot is free and nobody waits, else through the fair
 * WaitQueue with honest ETAs. Tracks each lent session (owner, state, current command, cwd, counts),
 * reports sessions left idle and reclaims them, and publishes every change on the event bus.
 * A client sees and touches only its own sessions and requests.
 */
export class SessionManager<S extends ManagedShell> {
  private readonly requests: WaitingRequests;
  private readonly lent = new LentSessions<S>();
  private readonly counters = new LaneCounters();
  private readonly poolSubs: Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly paused = new NewSessionsPause();
  /** What clients do on their lent sessions (run, cancel, input, output so far, a move). */
  private readonly commands: LentCommands<S>;

  constructor(private readonly deps: SessionManagerDeps<S>) {
    const now = deps.now ?? Date.now;
    this.requests = new WaitingRequests({
      bus: deps.bus,
      maxWaiting: deps.config.maxWaiting,
      etaAlpha: deps.config.etaAlpha,
      now,
      learnedHolds: deps.learnedHolds,
      host: this.host,
      slotState: () => this.slotState(),
    });
    this.commands = new LentCommands<S>({
      bus: deps.bus,
      host: this.host,
      gate: deps.gate,
      history: deps.history,
      now: () => this.now,
      owned: (clientId, sessionId) => this.lent.owned(clientId, sessionId),
      endLent: (lent, reason, detail) => this.endLent(lent, reason, detail),
      finished: (result) => this.counters.commandFinished(result),
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
    const requestId = newRequestId();
    const priority = options.priority ?? 'sync';
    const kind = options.kind ?? 'session';
    if (this.disposed) return this.reject(requestId, clientId, 'poshpool is shutting down.');
    if (!this.paused.active && this.requests.size === 0 && this.deps.pool.freeSlots > 0) {
      const t0 = this.now;
      const got = await this.deps.pool.acquire();
      if (got.ok) {
        const sessionId = this.lend(got.session, clientId, requestId, this.now - t0, priority, kind);
        return { status: 'allocated', requestId, sessionId };
      }
      if (got.code !== 'full') return this.reject(requestId, clientId, got.reason);
      // Lost the slot to a concurrent caller: wait in line like everyone else.
    }
    const queued = this.requests.enqueue(requestId, clientId, { priority, kind, acquireTimeoutMs: options.acquireTimeoutMs });
    if (!queued.ok) return this.reject(requestId, clientId, queued.reason);
    this.deps.pool.setQueued(this.requests.size);
    this.yieldIdleDefaults();
    if (options.acquireTimeoutMs !== undefined) setTimeout(() => this.serve(), options.acquireTimeoutMs + 1).unref();
    this.counters.queued(this.requests.size);
    const etaMs = this.requests.announce(requestId, clientId, priority, queued.position);
    return { status: 'queued', requestId, priority, position: queued.position, etaMs, allocation: queued.allocation };
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
    const lent = this.lent.defaultOf(clientId);
    // A command being stopped there ends within the graces: keep the client's state rather than lend another session.
    while (!options.fresh && lent && !lent.ending && lent.commandDone && lent.session.stopping) await lent.commandDone;
    if (!options.fresh && lent && !lent.ending && lent.currentCommand === null && lent.session.state === 'idle') {
      lent.lastActivity = this.now;
      return { ticket: { status: 'allocated', requestId: lent.requestId, sessionId: lent.sessionId }, kind: 'default', reused: true };
    }
    const pending = this.lent.pendingDefaultOf(clientId);
    const pendingLive = pending !== undefined && this.requests.isLive(pending);
    const kind = !options.fresh && !lent && !pendingLive ? 'default' : 'call';
    const ticket = await this.requestSession(clientId, { priority: 'sync', kind });
    if (kind === 'default' && ticket.status === 'queued') this.lent.setPendingDefault(clientId, ticket.requestId);
    return { ticket, kind, reused: false };
  }

  /**
   * Pauses or resumes new sessions (the tray's "pause new sessions"). While paused, new requests
   * wait in the queue in their usual order and no free slot is handed out; sessions already lent go
   * on. Resuming serves the queue at once.
   */
  setPaused(paused: boolean, by: string): { changed: boolean } {
    const event = this.disposed ? undefined : this.paused.set(paused, by, this.now);
    if (!event) return { changed: false };
    this.deps.bus.emit(event);
    if (!paused) this.serve();
    return { changed: true };
  }

  /** The hold times learned so far, to keep for the next run. */
  learnedHolds(): LearnedHolds | undefined {
    return this.requests.eta.learned();
  }

  /** Whether new sessions are paused, and by whom. */
  get pausedBy(): string | null {
    return this.paused.by;
  }

  /** Where a client's request stands. */
  queuePosition(
    clientId: string,
    requestId: string,
  ): Outcome<{ status: 'queued'; position: number; etaMs: number; priority: Priority } | { status: 'preparing' } | { status: 'allocated'; sessionId: string }> {
    const waiting = this.requests.position(clientId, requestId);
    if (waiting) return { ok: true, ...waiting };
    const allocated = this.lent.ofRequest(requestId);
    if (allocated?.clientId === clientId) return { ok: true, status: 'allocated', sessionId: allocated.sessionId };
    return { ok: false, reason: unknownRequest(requestId) };
  }

  /**
   * Moves a waiting request to the other class. It keeps its arrival order: among the requests of its
   * new class it stands where its arrival time puts it (see WaitQueue.changePriority).
   */
  changePriority(clientId: string, requestId: string, priority: Priority): Outcome<{ position: number; etaMs: number }> {
    return this.requests.changePriority(clientId, requestId, priority) ?? { ok: false, reason: unknownRequest(requestId) };
  }

  /**
   * Cancels a request. A waiting one leaves the queue (its caller gets a cancelled allocation). One
   * that already has a session ends that session: `now` stops its command (Ctrl+C, then harder) and
   * ends it; `afterCommand` lets the running command finish first.
   */
  async cancelRequest(clientId: string, requestId: string, mode: CancelMode = 'now'): Promise<Outcome<{ was: 'queued' | 'allocated' }>> {
    if (this.requests.cancel(clientId, requestId)) {
      this.deps.pool.setQueued(this.requests.size);
      return { ok: true, was: 'queued' };
    }
    const lent = this.lent.ofRequest(requestId);
    if (!lent || lent.clientId !== clientId) return { ok: false, reason: unknownRequest(requestId) };
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
    const lent = this.lent.owned(clientId, sessionId);
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
    const waiting = this.requests.owner(requestId);
    if (waiting !== undefined) return waiting;
    return this.lent.ofRequest(requestId)?.clientId;
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
    return this.requests.list(clientId);
  }

  /** Point-in-time figures. */
  metrics(): SchedulerMetrics {
    const depth = this.requests.depths();
    const lendsAtOnce = !this.paused.active && this.deps.pool.freeSlots > 0 && depth.total === 0;
    return {
      ...this.counters.figures(),
      time: this.now,
      poolState: this.deps.pool.state,
      poolDegradedReason: this.deps.pool.degradedReason,
      paused: this.paused.active,
      activeSessions: this.lent.size,
      freeSlots: this.deps.pool.freeSlots,
      maxSessions: this.deps.pool.capacity,
      warmSessions: this.deps.pool.warmCount,
      queueDepth: depth.total,
      queueDepthSync: depth.sync,
      queueDepthAsync: depth.total - depth.sync,
      estimatedWaitMs: {
        sync: lendsAtOnce ? 0 : this.requests.etaFor(depth.sync + 1),
        async: lendsAtOnce ? 0 : this.requests.etaFor(depth.total + 1),
      },
      restarts: this.deps.pool.restarts,
      sessionsReused: this.deps.pool.reuseCounts.reused,
      sessionsDiscarded: this.deps.pool.reuseCounts.discarded,
      startingSessions: this.deps.pool.startingCount,
    };
  }

  /** Ends every lent session and refuses every waiting request. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.ticker);
    for (const sub of this.poolSubs) sub.dispose();
    this.requests.refuseAll();
    await Promise.all([...this.lent.values()].map((l) => this.endLent(l, 'shutdown', 'poshpool is shutting down')));
  }

  private lend(session: S, clientId: string, requestId: string, waitedMs: number, priority: Priority, kind: SessionKind): string {
    const now = this.now;
    const sessionId = newSessionId();
    const lent = newLent(session, { sessionId, clientId, requestId, kind }, now, this.deps.startDir ?? null);
    lent.subs.push(session.onStateChange((state) => this.deps.bus.emit({ type: 'session.state', sessionId, clientId, state })));
    lent.subs.push(session.onExit((exit) => void this.endLent(lent, 'died', exit.reason)));
    this.lent.add(lent);
    this.counters.lent(priority, waitedMs, this.lent.size);
    this.deps.bus.emit({ type: 'request.allocated', requestId, clientId, sessionId, waitedMs });
    this.deps.bus.emit({ type: 'session.started', sessionId, clientId, pid: session.pid ?? null, kind, ...(lent.cwd === null ? {} : { cwd: lent.cwd }), host: this.host });
    return sessionId;
  }

  private async endLent(lent: Lent<S>, reason: SessionEndReason, detail: string): Promise<void> {
    if (lent.ending) return;
    lent.ending = true;
    for (const sub of lent.subs) sub.dispose();
    this.deps.bus.emit({ type: 'session.state', sessionId: lent.sessionId, clientId: lent.clientId, state: 'ending' });
    this.requests.eta.recordHold(this.now - lent.lentAt);
    this.lent.remove(lent);
    this.deps.gate?.forgetSession(lent.sessionId);
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
    this.requests.expire();
    while (!this.paused.active && this.requests.size > 0 && this.deps.pool.freeSlots > 0) {
      const handOver = this.requests.next()!;
      void this.deps.pool.acquire().then((got) => this.completeHandOver(handOver, got));
    }
    this.deps.pool.setQueued(this.requests.size);
    this.yieldIdleDefaults();
    this.requests.emitPositionChanges();
  }

  /**
   * While requests wait and every slot is lent, default sessions unused for defaultSessionYieldSeconds
   * give way: each is ended (its slot serves the queue) and its client's next call gets a new one.
   * The longest unused go first, one per waiting request at most.
   */
  private yieldIdleDefaults(): void {
    if (this.disposed || this.paused.active) return;
    const now = this.now;
    for (const l of defaultsToYield(this.lent.values(), this.requests.size - this.deps.pool.freeSlots, this.deps.config, now)) {
      this.deps.bus.emit({ type: 'session.reclaimed', sessionId: l.sessionId, clientId: l.clientId, idleMs: now - l.lastActivity });
      void this.endLent(l, 'reclaimed', `a default session unused for ${Math.round((now - l.lastActivity) / 1000)} s gave way to a waiting request`);
    }
  }

  private async completeHandOver({ entry: next, state: handOver }: HandOver, got: Awaited<ReturnType<ShellPool<S>['acquire']>>): Promise<void> {
    this.requests.handedOver(next.id);
    if (!got.ok) {
      const code = got.code === 'degraded' ? 'degraded' : got.code === 'disposed' ? 'disposed' : 'cancelled';
      next.data.resolve({ ok: false, requestId: next.id, code, reason: got.reason });
      this.counters.rejected();
      this.deps.bus.emit({ type: 'request.rejected', requestId: next.id, clientId: next.clientId, reason: got.reason });
      return;
    }
    if (handOver.cancelled || this.disposed) {
      await this.deps.pool.release(got.session);
      next.data.resolve({ ok: false, requestId: next.id, code: 'cancelled', reason: 'The request was cancelled while its session was being prepared.' });
      return;
    }
    const waitedMs = this.now - next.enqueuedAt;
    this.requests.eta.recordService(this.now);
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
    const deadline = this.requests.nextDeadline();
    if (deadline !== null && deadline <= now) this.serve();
    this.yieldIdleDefaults();
  }

  /** The slots as the ETA sees them (idlePolicy.ts slotStateOf). */
  private slotState(): SlotState {
    return slotStateOf(this.lent.values(), this.deps.pool.capacity, this.deps.config, this.now, (l) => this.deps.gate?.waitingUntil(l.sessionId));
  }

  private reject(requestId: string, clientId: string, reason: string): Ticket {
    this.counters.rejected();
    this.deps.bus.emit({ type: 'request.rejected', requestId, clientId, reason });
    return { status: 'rejected', requestId, reason };
  }

  private info(l: Lent<S>): SessionInfo {
    return lentInfo(l, this.host, l.approvalAbort !== null && Boolean(this.deps.gate?.waitingUntil(l.sessionId)));
  }
}

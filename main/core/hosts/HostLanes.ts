import type { Priority } from '../../../common/events.js';
import { LOCAL_HOST, type HostSummary, type QueuedRequestInfo, type SchedulerMetrics, type SessionInfo, type SessionKind } from '../../../common/scheduler.js';
import type { ShellPool } from '../pool/ShellPool.js';
import type { LearnedHolds } from '../scheduler/EtaEstimator.js';
import type { CancelMode, ManagedShell, Outcome, SessionManager, Ticket } from '../scheduler/SessionManager.js';
import { newRequestId } from '../scheduler/WaitingRequests.js';
import type { RunOptions } from '../shell/sessionContract.js';

/** One host's lane: its own warm pool, queue and ETAs. */
export interface Lane<S extends ManagedShell> {
  name: string;
  kind: 'local' | 'ssh';
  /** Where ssh connects (user@host:port), null for this machine. */
  destination: string | null;
  labels: string[];
  pool: ShellPool<S>;
  manager: SessionManager<S>;
}

/** Where a caller wants its session: a host by name, or any host carrying all these labels. Neither: this machine. */
export interface Where {
  host?: string;
  labels?: string[];
}

/** The lane a request goes to, or why none can take it. */
export type LaneChoice<S extends ManagedShell> = { ok: true; lane: Lane<S> } | { ok: false; reason: string };

/** How much a lane is preferred among those that match: ready to lend now first, unreachable last. */
function readiness<S extends ManagedShell>(lane: Lane<S>): number {
  if (lane.pool.state === 'degraded' || lane.pool.state === 'disposed') return 3;
  if (lane.pool.freeSlots === 0) return 2;
  return lane.pool.warmCount > 0 ? 0 : 1;
}

/**
 * The hosts sessions run on, each a lane of its own (pool, queue, ETAs), behind the scheduler's
 * interface: requests go to the lane their caller chose (by host name or labels; neither: this
 * machine), and everything that names a session or a request finds the lane that holds it. A lane
 * that cannot start sessions (a host that is down) fails its own requests in plain words and never
 * holds up another lane.
 */
export class HostLanes<S extends ManagedShell> {
  constructor(private readonly lanes: readonly Lane<S>[]) {
    if (lanes[0]?.kind !== 'local') throw new Error('the first lane must be this machine');
  }

  /** This machine's lane. */
  get local(): Lane<S> {
    return this.lanes[0]!;
  }

  /** Every lane, this machine first. */
  get all(): readonly Lane<S>[] {
    return this.lanes;
  }

  /**
   * The lane for `where`: the host named (case-insensitively), else among the hosts carrying every
   * label the one that can lend soonest (a free warm session, then a free slot, then the shortest
   * queue), else this machine.
   */
  choose(where: Where = {}): LaneChoice<S> {
    const names = this.lanes.map((l) => l.name).join(', ');
    if (where.host !== undefined && where.host !== '') {
      const lane = this.lanes.find((l) => l.name.toLowerCase() === where.host!.toLowerCase());
      if (!lane) return { ok: false, reason: `No host is named "${where.host}". Hosts: ${names} (config "hosts").` };
      const missing = (where.labels ?? []).filter((label) => !this.hasLabel(lane, label));
      if (missing.length > 0) return { ok: false, reason: `Host "${lane.name}" does not carry the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (its labels: ${lane.labels.join(', ') || 'none'}).` };
      return { ok: true, lane };
    }
    const labels = where.labels ?? [];
    if (labels.length === 0) return { ok: true, lane: this.local };
    const matching = this.lanes.filter((l) => labels.every((label) => this.hasLabel(l, label)));
    if (matching.length === 0) {
      const known = this.lanes.map((l) => `${l.name} [${l.labels.join(', ')}]`).join('; ');
      return { ok: false, reason: `No host carries the label${labels.length > 1 ? 's' : ''} ${labels.join(' + ')}. Hosts and their labels: ${known}.` };
    }
    const best = [...matching].sort((a, b) => readiness(a) - readiness(b) || a.manager.metrics().queueDepth - b.manager.metrics().queueDepth)[0]!;
    return { ok: true, lane: best };
  }

  /** Asks for a session on the host `where` chooses (SessionManager.requestSession). */
  async requestSession(clientId: string, options: { priority?: Priority; acquireTimeoutMs?: number; kind?: SessionKind } & Where = {}): Promise<Ticket> {
    const chosen = this.choose(options);
    if (!chosen.ok) return { status: 'rejected', requestId: newRequestId(), reason: chosen.reason };
    return chosen.lane.manager.requestSession(clientId, options);
  }

  /** The session a call without a session id runs on, on the host `where` chooses: the client has a default session per host. */
  async callTicket(clientId: string, options: { fresh?: boolean } & Where = {}): Promise<{ ticket: Ticket; kind: 'default' | 'call'; reused: boolean }> {
    const chosen = this.choose(options);
    if (!chosen.ok) return { ticket: { status: 'rejected', requestId: newRequestId(), reason: chosen.reason }, kind: 'call', reused: false };
    return chosen.lane.manager.callTicket(clientId, options);
  }

  /** The host a lent session runs on. */
  hostOfSession(sessionId: string): string | undefined {
    return this.bySession(sessionId)?.name;
  }

  /** The host a request waits for (or was served by). */
  hostOfRequest(requestId: string): string | undefined {
    return this.byRequest(requestId)?.name;
  }

  setPaused(paused: boolean, by: string): { changed: boolean } {
    let changed = false;
    for (const lane of this.lanes) changed = lane.manager.setPaused(paused, by).changed || changed;
    return { changed };
  }

  get pausedBy(): string | null {
    return this.local.manager.pausedBy;
  }

  /** Each host's learned hold times, by host name (hosts that have learned nothing yet are left out). */
  learnedHolds(): Record<string, LearnedHolds> {
    const byHost: Record<string, LearnedHolds> = {};
    for (const lane of this.lanes) {
      const learned = lane.manager.learnedHolds();
      if (learned) byHost[lane.name] = learned;
    }
    return byHost;
  }

  queuePosition(clientId: string, requestId: string): ReturnType<SessionManager<S>['queuePosition']> {
    return this.laneOfRequest(requestId).manager.queuePosition(clientId, requestId);
  }

  changePriority(clientId: string, requestId: string, priority: Priority): Outcome<{ position: number; etaMs: number }> {
    return this.laneOfRequest(requestId).manager.changePriority(clientId, requestId, priority);
  }

  cancelRequest(clientId: string, requestId: string, mode: CancelMode = 'now'): Promise<Outcome<{ was: 'queued' | 'allocated' }>> {
    return this.laneOfRequest(requestId).manager.cancelRequest(clientId, requestId, mode);
  }

  endSession(clientId: string, sessionId: string, detail?: string): Promise<Outcome> {
    return this.laneOfSession(sessionId).manager.endSession(clientId, sessionId, detail);
  }

  ownerOfSession(sessionId: string): string | undefined {
    return this.bySession(sessionId)?.manager.ownerOfSession(sessionId);
  }

  shellOf(sessionId: string): S | undefined {
    return this.bySession(sessionId)?.manager.shellOf(sessionId);
  }

  ownerOfRequest(requestId: string): string | undefined {
    return this.byRequest(requestId)?.manager.ownerOfRequest(requestId);
  }

  run(clientId: string, sessionId: string, command: string, options: RunOptions & { jobId?: string; workspace?: string | null } = {}): ReturnType<SessionManager<S>['run']> {
    return this.laneOfSession(sessionId).manager.run(clientId, sessionId, command, options);
  }

  cancelCommand(clientId: string, sessionId: string): Outcome<{ wasRunning: boolean }> {
    return this.laneOfSession(sessionId).manager.cancelCommand(clientId, sessionId);
  }

  sendInput(clientId: string, sessionId: string, text: string): Outcome {
    return this.laneOfSession(sessionId).manager.sendInput(clientId, sessionId, text);
  }

  outputSoFar(clientId: string, sessionId: string): ReturnType<SessionManager<S>['outputSoFar']> {
    return this.laneOfSession(sessionId).manager.outputSoFar(clientId, sessionId);
  }

  setLocation(clientId: string, sessionId: string, dir: string): Promise<Outcome<{ cwd: string }>> {
    return this.laneOfSession(sessionId).manager.setLocation(clientId, sessionId, dir);
  }

  /** Lent sessions of every host, this machine's first. */
  listSessions(clientId?: string): SessionInfo[] {
    return this.lanes.flatMap((l) => l.manager.listSessions(clientId));
  }

  /** Waiting requests of every host, each lane in its own order of service. */
  listQueue(clientId?: string): QueuedRequestInfo[] {
    return this.lanes.flatMap((l) => l.manager.listQueue(clientId));
  }

  /** This machine's figures (as before hosts existed). */
  metrics(): SchedulerMetrics {
    return this.local.manager.metrics();
  }

  /** Every host's lane in figures, this machine first. */
  hosts(): HostSummary[] {
    return this.lanes.map((lane) => {
      const m = lane.manager.metrics();
      return {
        name: lane.name,
        kind: lane.kind,
        destination: lane.destination,
        labels: [...lane.labels],
        state: lane.pool.state,
        degradedReason: lane.pool.degradedReason,
        activeSessions: m.activeSessions,
        maxSessions: m.maxSessions,
        freeSlots: m.freeSlots,
        warmSessions: m.warmSessions,
        startingSessions: m.startingSessions,
        queueDepth: m.queueDepth,
        estimatedWaitMs: m.estimatedWaitMs.sync,
        commandsRun: m.commandsRun,
        commandsFailed: m.commandsFailed,
        restarts: m.restarts,
      };
    });
  }

  /** Ends every lane's sessions and refuses every waiting request, all hosts at once. */
  async dispose(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.manager.dispose()));
  }

  private hasLabel(lane: Lane<S>, label: string): boolean {
    const wanted = label.toLowerCase();
    return lane.name.toLowerCase() === wanted || lane.labels.some((l) => l.toLowerCase() === wanted) || (wanted === LOCAL_HOST && lane.kind === 'local');
  }

  private bySession(sessionId: string): Lane<S> | undefined {
    return this.lanes.find((l) => l.manager.ownerOfSession(sessionId) !== undefined);
  }

  private byRequest(requestId: string): Lane<S> | undefined {
    return this.lanes.find((l) => l.manager.ownerOfRequest(requestId) !== undefined);
  }

  /** The lane holding the session; this machine's when none does (its manager answers "no such session"). */
  private laneOfSession(sessionId: string): Lane<S> {
    return this.bySession(sessionId) ?? this.local;
  }

  private laneOfRequest(requestId: string): Lane<S> {
    return this.byRequest(requestId) ?? this.local;
  }
}

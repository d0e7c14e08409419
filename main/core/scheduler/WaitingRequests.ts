import { randomBytes } from 'node:crypto';
import type { Priority } from '../../../common/events.js';
import type { QueuedRequestInfo, SessionKind } from '../../../common/scheduler.js';
import type { EventBus } from '../events/EventBus.js';
import { EtaEstimator, type LearnedHolds, type SlotState } from './EtaEstimator.js';
import type { Outcome } from './managedShell.js';
import { WaitQueue, type WaitEntry } from './WaitQueue.js';

/** The outcome of waiting for a session. */
export type Allocation =
  | { ok: true; requestId: string; sessionId: string; waitedMs: number }
  | { ok: false; requestId: string; code: 'cancelled' | 'timedOut' | 'degraded' | 'disposed'; reason: string };

/** The answer to a request for a session. */
export type Ticket =
  | { status: 'allocated'; requestId: string; sessionId: string }
  | { status: 'queued'; requestId: string; priority: Priority; position: number; etaMs: number; allocation: Promise<Allocation> }
  | { status: 'rejected'; requestId: string; reason: string };

/** What a waiting request carries: the kind of session it asks for and how its caller hears of it. */
export interface Waiting {
  kind: SessionKind;
  resolve(allocation: Allocation): void;
}

/** A request taken off the queue whose session is being readied; `cancelled` is set when its client gives up meanwhile. */
export interface HandOver {
  readonly entry: WaitEntry<Waiting>;
  readonly state: { cancelled: boolean };
}

/** A new request's id. */
export function newRequestId(): string {
  return `req-${randomBytes(9).toString('base64url')}`;
}

/** What a client is told about a request id it holds nothing under. */
export function unknownRequest(requestId: string): string {
  return `No request "${requestId}" of this client is waiting or holds a session: it was served and its session ended, cancelled, timed out, or belongs to another client.`;
}

/** Hold time the ETA assumes before any session has been returned (ms). */
const INITIAL_HOLD_MS = 30_000;

/**
 * The requests of one host's lane that wait for a session: the fair WaitQueue, the ones taken off it
 * whose session is being readied, and their ETAs (EtaEstimator over the slots as the manager sees
 * them). Publishes each request's queueing, position changes, expiry and cancellation on the bus.
 */
export class WaitingRequests {
  private readonly queue: WaitQueue<Waiting>;
  /** How long sessions are held and how often one is served, learned as the lane runs. */
  readonly eta: EtaEstimator;
  private readonly handingOver = new Map<string, HandOver & { clientId: string }>();

  constructor(
    private readonly deps: {
      bus: EventBus;
      maxWaiting: number;
      etaAlpha: number;
      now: () => number;
      learnedHolds?: LearnedHolds;
      host: string;
      /** The lane's slots as the ETA sees them now. */
      slotState: () => SlotState;
    },
  ) {
    this.queue = new WaitQueue<Waiting>({ maxWaiting: deps.maxWaiting, now: deps.now });
    this.eta = new EtaEstimator({ alpha: deps.etaAlpha, initialHoldMs: INITIAL_HOLD_MS, now: deps.now, learned: deps.learnedHolds });
  }

  /** Requests waiting in the queue. */
  get size(): number {
    return this.queue.size;
  }

  /** Nothing waits and nothing is being handed over (the next request starts a new backlog). */
  get empty(): boolean {
    return this.queue.size === 0 && this.handingOver.size === 0;
  }

  /** Puts a request in line; `allocation` settles when it is served, cancelled, expires or is refused. */
  enqueue(
    requestId: string,
    clientId: string,
    options: { priority: Priority; kind: SessionKind; acquireTimeoutMs?: number },
  ): { ok: true; position: number; allocation: Promise<Allocation> } | { ok: false; reason: string } {
    if (this.empty) this.eta.breakBacklog();
    let resolve!: (a: Allocation) => void;
    const allocation = new Promise<Allocation>((r) => (resolve = r));
    const queued = this.queue.enqueue({ id: requestId, clientId, priority: options.priority, acquireTimeoutMs: options.acquireTimeoutMs, data: { kind: options.kind, resolve } });
    return queued.ok ? { ok: true, position: queued.position, allocation } : queued;
  }

  /** Publishes a request just queued (request.queued) and the places that moved; returns its ETA. */
  announce(requestId: string, clientId: string, priority: Priority, position: number): number {
    const etaMs = this.etaFor(position);
    this.deps.bus.emit({ type: 'request.queued', requestId, clientId, priority, position, etaMs, host: this.deps.host });
    this.emitPositionChanges();
    return etaMs;
  }

  /** Where a client's request stands, while it waits or is being handed over; undefined otherwise. */
  position(clientId: string, requestId: string): { status: 'queued'; position: number; etaMs: number; priority: Priority } | { status: 'preparing' } | undefined {
    const entry = this.queue.get(requestId);
    if (entry && entry.clientId === clientId) {
      const position = this.queue.position(requestId)!;
      return { status: 'queued', position, etaMs: this.etaFor(position), priority: entry.priority };
    }
    // Off the queue, its session being readied (started or checked): it is neither waiting nor served yet.
    if (this.handingOver.get(requestId)?.clientId === clientId) return { status: 'preparing' };
    return undefined;
  }

  /** Moves a waiting request to the other class (WaitQueue.changePriority); undefined when the client has no such request waiting. */
  changePriority(clientId: string, requestId: string, priority: Priority): Outcome<{ position: number; etaMs: number }> | undefined {
    const entry = this.queue.get(requestId);
    if (!entry || entry.clientId !== clientId) return undefined;
    const changed = this.queue.changePriority(requestId, priority);
    if (!changed.ok) return changed;
    const etaMs = this.etaFor(changed.position);
    this.deps.bus.emit({ type: 'request.position', requestId, clientId, priority, position: changed.position, etaMs });
    // The moved request's own place was just published; the others' follow.
    this.emitPositionChanges(requestId);
    return { ok: true, position: changed.position, etaMs };
  }

  /** Cancels a client's request that waits or is being handed over; false when it has none such. */
  cancel(clientId: string, requestId: string): boolean {
    const entry = this.queue.get(requestId);
    if (entry && entry.clientId === clientId) {
      this.queue.remove(requestId);
      entry.data.resolve({ ok: false, requestId, code: 'cancelled', reason: 'The request was cancelled before a session was free.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId, clientId, reason: 'cancelled while queued' });
      this.emitPositionChanges();
      return true;
    }
    const preparing = this.handingOver.get(requestId);
    if (preparing && preparing.clientId === clientId) {
      preparing.state.cancelled = true;
      this.deps.bus.emit({ type: 'request.cancelled', requestId, clientId, reason: 'cancelled while its session was being prepared' });
      return true;
    }
    return false;
  }

  /** Refuses the requests whose acquire timeout has passed. */
  expire(): void {
    for (const expired of this.queue.expire()) {
      expired.data.resolve({ ok: false, requestId: expired.id, code: 'timedOut', reason: 'No session became free within the acquire timeout.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId: expired.id, clientId: expired.clientId, reason: 'acquire timeout' });
    }
  }

  /** The next request in order of service, off the queue and being handed over until {@link handedOver}. */
  next(): HandOver | undefined {
    const entry = this.queue.shift();
    if (!entry) return undefined;
    const handOver = { entry, state: { cancelled: false } };
    this.handingOver.set(entry.id, { ...handOver, clientId: entry.clientId });
    return handOver;
  }

  /** The request's hand-over is over (served, refused or cancelled). */
  handedOver(requestId: string): void {
    this.handingOver.delete(requestId);
  }

  /** Whether a request still waits or is being handed over. */
  isLive(requestId: string): boolean {
    return this.queue.get(requestId) !== undefined || this.handingOver.has(requestId);
  }

  /** The client a waiting or preparing request belongs to. */
  owner(requestId: string): string | undefined {
    return this.queue.get(requestId)?.clientId ?? this.handingOver.get(requestId)?.clientId;
  }

  /** Waiting requests in order of service, all or one client's. */
  list(clientId?: string): QueuedRequestInfo[] {
    const snapshot = this.queue.snapshot();
    const etas = this.eta.estimateAll(snapshot.length, this.deps.slotState());
    return snapshot
      .map((e, i) => ({ requestId: e.id, clientId: e.clientId, priority: e.priority, position: e.position, etaMs: Math.round(etas[i] ?? 0), enqueuedAt: e.enqueuedAt, host: this.deps.host }))
      .filter((e) => clientId === undefined || e.clientId === clientId);
  }

  /** Waiting requests, and how many of them are sync. */
  depths(): { total: number; sync: number } {
    const snapshot = this.queue.snapshot();
    return { total: snapshot.length, sync: snapshot.filter((e) => e.priority === 'sync').length };
  }

  /** When the earliest acquire timeout passes (ms), or null. */
  nextDeadline(): number | null {
    return this.queue.nextDeadline();
  }

  /** The ETA of a request at `position` (1-based), ms. */
  etaFor(position: number): number {
    return Math.round(this.eta.estimate(position, this.deps.slotState()));
  }

  /** Publishes the new place and ETA of each waiting request the last change moved (but `except`). */
  emitPositionChanges(except?: string): void {
    const changes = this.queue.lastChanges().filter((c) => c.id !== except);
    if (changes.length === 0) return;
    const etas = this.eta.estimateAll(Math.max(...changes.map((c) => c.position)), this.deps.slotState());
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

  /** Refuses every waiting request (poshpool is shutting down). */
  refuseAll(): void {
    for (const entry of this.queue.snapshot()) {
      this.queue.remove(entry.id);
      entry.data.resolve({ ok: false, requestId: entry.id, code: 'disposed', reason: 'poshpool is shutting down.' });
      this.deps.bus.emit({ type: 'request.cancelled', requestId: entry.id, clientId: entry.clientId, reason: 'shutdown' });
    }
  }
}

import type { Priority } from '../../../common/events.js';

/** Settings of a wait queue. */
export interface WaitQueueOptions {
  /** Requests that may wait at once; beyond it enqueue() refuses (config `maxWaiting`). */
  maxWaiting: number;
  /** The clock (ms); stamps `enqueuedAt` and decides what expire() removes. */
  now: () => number;
}

/** One request waiting for a session slot. */
export interface WaitEntry<T> {
  readonly id: string;
  readonly clientId: string;
  readonly priority: Priority;
  /** now() when the request was enqueued. */
  readonly enqueuedAt: number;
  /** now() from which expire() removes the request (enqueuedAt + acquireTimeoutMs); null = never. */
  readonly deadline: number | null;
  /** The caller's payload (e.g. the promise to settle). */
  readonly data: T;
}

/** A waiting request with its 1-based place in the order of service. */
export type PositionedEntry<T> = WaitEntry<T> & { readonly position: number };

/** A request still waiting whose place in the order of service changed. */
export interface PositionChange {
  readonly id: string;
  /** The new 1-based position. */
  readonly position: number;
}

/** What enqueue() takes. */
export interface EnqueueRequest<T> {
  id: string;
  clientId: string;
  priority: Priority;
  /** Time the request may wait before expire() removes it; omitted = waits until served or removed. */
  acquireTimeoutMs?: number;
  data: T;
}

export type EnqueueResult<T> = { ok: true; position: number; entry: WaitEntry<T> } | { ok: false; reason: string };

export type ChangePriorityResult = { ok: true; position: number } | { ok: false; reason: string };

interface Node<T> {
  entry: WaitEntry<T>;
  /** Arrival order: strictly increasing per enqueue, independent of the clock. */
  readonly seq: number;
  /** Current 1-based position; 0 until first numbered. */
  pos: number;
}

/**
 * A bounded queue of requests waiting for a session slot. Order of service: every sync request
 * before any async one; within a class, first come first served by arrival order (a per-queue
 * sequence number, never the clock, so equal timestamps cannot reorder requests).
 *
 * Pure: no timers, no I/O. Every mutating call (enqueue, changePriority, remove, shift, expire)
 * records in lastChanges() the requests that were waiting before and after the call and whose
 * position changed, so the caller emits position events only for those. Requests added or removed
 * by the call are not in that list (the caller reports them by other events).
 *
 * Cost: O(1) lookups and position(); O(n) per mutation at most (renumbering the requests behind the
 * one that moved).
 */
export class WaitQueue<T> {
  private readonly sync: Node<T>[] = [];
  private readonly async: Node<T>[] = [];
  private readonly byId = new Map<string, Node<T>>();
  private nextSeq = 0;
  private changes: readonly PositionChange[] = [];

  constructor(private readonly options: WaitQueueOptions) {
    if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) {
      throw new RangeError(`maxWaiting must be a non-negative integer, not ${options.maxWaiting}`);
    }
  }

  /** Requests waiting. */
  get size(): number {
    return this.byId.size;
  }

  /** Whether a request with this id is waiting. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The waiting request with this id. */
  get(id: string): WaitEntry<T> | undefined {
    return this.byId.get(id)?.entry;
  }

  /** 1-based position of a waiting request in the order shift() serves; undefined if not waiting. */
  position(id: string): number | undefined {
    return this.byId.get(id)?.pos;
  }

  /** The request shift() would return, left in the queue. */
  peek(): WaitEntry<T> | undefined {
    return (this.sync[0] ?? this.async[0])?.entry;
  }

  /** Every waiting request in the order of service, with its position (a copy). */
  snapshot(): PositionedEntry<T>[] {
    const out: PositionedEntry<T>[] = [];
    for (const node of this.sync) out.push({ ...node.entry, position: node.pos });
    for (const node of this.async) out.push({ ...node.entry, position: node.pos });
    return out;
  }

  /** The earliest deadline of a waiting request (for the caller's expiry timer); null if none has one. */
  nextDeadline(): number | null {
    let earliest: number | null = null;
    for (const node of this.byId.values()) {
      const d = node.entry.deadline;
      if (d !== null && (earliest === null || d < earliest)) earliest = d;
    }
    return earliest;
  }

  /** Positions changed by the last mutating call (see the class comment). */
  lastChanges(): readonly PositionChange[] {
    return this.changes;
  }

  /**
   * Adds a request behind the requests of its class that arrived before it. Refused (as a value) when
   * the queue holds maxWaiting requests, when the id is already waiting, or when acquireTimeoutMs is
   * not a finite number >= 0.
   */
  enqueue(request: EnqueueRequest<T>): EnqueueResult<T> {
    this.changes = [];
    const { maxWaiting } = this.options;
    if (this.byId.size >= maxWaiting) {
      return {
        ok: false,
        reason:
          `The wait queue is full (${this.byId.size} of ${maxWaiting} requests waiting): ` +
          'retry later, or raise maxWaiting in the poshpool config.',
      };
    }
    if (this.byId.has(request.id)) {
      return { ok: false, reason: `Request ${request.id} is already waiting in the queue.` };
    }
    const timeout = request.acquireTimeoutMs;
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
      return { ok: false, reason: `acquireTimeoutMs must be a finite number >= 0, not ${timeout}.` };
    }
    const enqueuedAt = this.options.now();
    const entry: WaitEntry<T> = {
      id: request.id,
      clientId: request.clientId,
      priority: request.priority,
      enqueuedAt,
      deadline: timeout === undefined ? null : enqueuedAt + timeout,
      data: request.data,
    };
    const node: Node<T> = { entry, seq: this.nextSeq++, pos: 0 };
    this.byId.set(entry.id, node);
    // The newest arrival is last of its class; a sync arrival pushes every async request back by one.
    const list = this.listOf(entry.priority);
    list.push(node);
    this.changes = this.renumberFrom(entry.priority === 'sync' ? this.sync.length - 1 : this.byId.size - 1);
    return { ok: true, position: node.pos, entry };
  }

  /**
   * Moves a waiting request to the other class. The request keeps its original arrival order: moved
   * to sync, it is served after the sync requests that arrived before it and before those that
   * arrived after it (it neither jumps to the front nor goes to the back); moved to async, likewise
   * among the async requests. Changing to the priority it already has changes nothing. Returns the
   * new position, or a reason when the id is not waiting.
   */
  changePriority(id: string, priority: Priority): ChangePriorityResult {
    this.changes = [];
    const node = this.byId.get(id);
    if (!node) return { ok: false, reason: `Request ${id} is not waiting in the queue.` };
    if (node.entry.priority === priority) return { ok: true, position: node.pos };
    const oldIndex = node.pos - 1;
    this.detach(node);
    node.entry = { ...node.entry, priority };
    const target = this.listOf(priority);
    const at = insertionIndex(target, node.seq);
    target.splice(at, 0, node);
    const newIndex = priority === 'sync' ? at : this.sync.length + at;
    this.changes = this.renumberFrom(Math.min(oldIndex, newIndex));
    return { ok: true, position: node.pos };
  }

  /** Takes a waiting request out of the queue (cancelled, client gone); undefined if not waiting. */
  remove(id: string): WaitEntry<T> | undefined {
    this.changes = [];
    const node = this.byId.get(id);
    if (!node) return undefined;
    const index = node.pos - 1;
    this.detach(node);
    this.byId.delete(id);
    this.changes = this.renumberFrom(index);
    return node.entry;
  }

  /** Takes the next request to serve (position 1) out of the queue; undefined if empty. */
  shift(): WaitEntry<T> | undefined {
    this.changes = [];
    const node = this.sync.length > 0 ? this.sync.shift() : this.async.shift();
    if (!node) return undefined;
    this.byId.delete(node.entry.id);
    this.changes = this.renumberFrom(0);
    return node.entry;
  }

  /**
   * Removes and returns, in order of service, the requests whose deadline has come (deadline <= now()).
   * Requests without a deadline never expire.
   */
  expire(): WaitEntry<T>[] {
    this.changes = [];
    const now = this.options.now();
    const expired: WaitEntry<T>[] = [];
    let firstRemoved = -1;
    const sweep = (list: Node<T>[]): void => {
      let kept = 0;
      for (const node of list) {
        const d = node.entry.deadline;
        if (d !== null && d <= now) {
          if (firstRemoved < 0) firstRemoved = node.pos - 1;
          expired.push(node.entry);
          this.byId.delete(node.entry.id);
        } else {
          list[kept++] = node;
        }
      }
      list.length = kept;
    };
    sweep(this.sync);
    sweep(this.async);
    if (firstRemoved >= 0) this.changes = this.renumberFrom(firstRemoved);
    return expired;
  }

  private listOf(priority: Priority): Node<T>[] {
    return priority === 'sync' ? this.sync : this.async;
  }

  /** Takes a node out of its class list (its pos is still the old one). */
  private detach(node: Node<T>): void {
    const list = this.listOf(node.entry.priority);
    const index = node.entry.priority === 'sync' ? node.pos - 1 : node.pos - 1 - this.sync.length;
    list.splice(index, 1);
  }

  /**
   * Renumbers every node from a 0-based index of the order of service to the end; returns the nodes
   * that had a position (pos > 0) and now have another one.
   */
  private renumberFrom(start: number): PositionChange[] {
    const changes: PositionChange[] = [];
    const syncCount = this.sync.length;
    const total = syncCount + this.async.length;
    for (let i = Math.max(0, start); i < total; i++) {
      const node = i < syncCount ? this.sync[i]! : this.async[i - syncCount]!;
      const position = i + 1;
      if (node.pos !== position) {
        if (node.pos !== 0) changes.push({ id: node.entry.id, position });
        node.pos = position;
      }
    }
    return changes;
  }
}

/** Index at which a node of arrival `seq` goes in a list sorted by seq (binary search). */
function insertionIndex<T>(list: readonly Node<T>[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

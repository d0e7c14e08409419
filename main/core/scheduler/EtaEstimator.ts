/** Settings of the ETA estimator. */
export interface EtaEstimatorOptions {
  /** Weight of the newest hold time in the moving average, in (0, 1] (config `etaAlpha`). */
  alpha: number;
  /** Mean hold assumed until the first hold is recorded (ms, >= 0). */
  initialHoldMs: number;
  /** The clock (ms), the same one the slot start times in SlotState come from. */
  now: () => number;
  /** Expected remaining hold of a session already past the mean, as a fraction of the mean, in [0, 1]. */
  overdueFloor?: number;
  /** Recent hold times kept for recentHolds() and medianHoldMs. */
  window?: number;
  /** What an earlier run learned (learned()): its mean hold replaces initialHoldMs and counts as that many holds. */
  learned?: LearnedHolds;
}

/** The part of an estimator worth keeping across restarts. */
export interface LearnedHolds {
  /** The mean hold (ms). */
  meanHoldMs: number;
  /** Holds it was learned from. */
  holds: number;
}

/** The slots the waiting requests compete for, at the moment of the estimate. */
export interface SlotState {
  /** Sessions that may be lent at once (config `maxSessions`). */
  total: number;
  /** now()-clock times at which each currently lent session was lent (one per held slot whose release the mean hold models). */
  runningSince: readonly number[];
  /**
   * Held slots whose release is scheduled rather than modelled: ms from now at which each is freed
   * (an abandoned session that reclaim ends then, a default session that gives way to the queue).
   * Without this, a slot held by a client that went quiet looked "overdue", so about to free: ETAs of
   * 0.1 s for a slot that would free in ten minutes or never.
   */
  scheduledFreeIn?: readonly number[];
  /**
   * Held slots whose command has not begun: ms from now by which it begins at the latest (a command
   * waiting for a person's approval: when its wait runs out); each is freed a mean hold after that.
   */
  startsWithin?: readonly number[];
}

/** Default of EtaEstimatorOptions.overdueFloor: a session past the mean is expected to need 20 % of it more. */
export const DEFAULT_OVERDUE_FLOOR = 0.2;
/** Default of EtaEstimatorOptions.window: recent hold times kept. */
export const DEFAULT_HOLD_WINDOW = 32;

/**
 * Estimates how long a waiting request will wait for a session slot. Pure: no timers, no I/O.
 *
 * Model: the mean hold is an exponential moving average of the recorded holds with weight alpha,
 * warm-started as the plain average of the first 1/alpha holds (the first replaces initialHoldMs). Each lent session frees after its expected remaining hold, mean minus
 * time already held but never less than overdueFloor × mean; a slot whose release is scheduled frees
 * then (SlotState.scheduledFreeIn); each free slot is available at once.
 * Requests are served in queue order, each taking the earliest freeing slot and holding it for the
 * mean; the wait of position p is when the p-th of them gets its slot. When requests have been served
 * one after another from a backlog, the observed time between services bounds the estimate from
 * below (p intervals for position p), which catches a drain slower than the holds (fresh sessions
 * starting, a loaded machine).
 */
export class EtaEstimator {
  private readonly alpha: number;
  private readonly overdueFloor: number;
  private readonly window: number;
  private mean: number;
  private count = 0;
  /** Ring buffer of the most recent holds. */
  private readonly recent: number[] = [];
  private recentNext = 0;
  private serviceInterval = 0;
  private serviceCount = 0;
  private lastServiceAt: number | undefined;

  constructor(private readonly options: EtaEstimatorOptions) {
    const { alpha, initialHoldMs, overdueFloor = DEFAULT_OVERDUE_FLOOR, window = DEFAULT_HOLD_WINDOW } = options;
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], not ${alpha}`);
    if (!(Number.isFinite(initialHoldMs) && initialHoldMs >= 0)) {
      throw new RangeError(`initialHoldMs must be a finite number >= 0, not ${initialHoldMs}`);
    }
    if (!(overdueFloor >= 0 && overdueFloor <= 1)) throw new RangeError(`overdueFloor must be in [0, 1], not ${overdueFloor}`);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, not ${window}`);
    this.alpha = alpha;
    this.overdueFloor = overdueFloor;
    this.window = window;
    this.mean = initialHoldMs;
    const learned = options.learned;
    if (learned && Number.isFinite(learned.meanHoldMs) && learned.meanHoldMs >= 0 && Number.isInteger(learned.holds) && learned.holds > 0) {
      this.mean = learned.meanHoldMs;
      // As many holds as the warm start would still average over: new holds then move the mean as they would have.
      this.count = Math.min(learned.holds, Math.ceil(1 / alpha));
    }
  }

  /** What this estimator has learned, to seed the next run's (undefined before any hold was recorded). */
  learned(): LearnedHolds | undefined {
    return this.count === 0 ? undefined : { meanHoldMs: Math.round(this.mean), holds: this.count };
  }

  /** Records how long a lent session was held, when it is released. Non-finite values are ignored; negative ones count as 0. */
  recordHold(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const hold = Math.max(0, ms);
    this.count++;
    // Warm start: a plain average of the first 1/alpha holds (the first replaces initialHoldMs), so early
    // holds are not overweighted; from then on the moving average with weight alpha.
    const weight = Math.max(this.alpha, 1 / this.count);
    this.mean = weight * hold + (1 - weight) * this.mean;
    if (this.recent.length < this.window) this.recent.push(hold);
    else this.recent[this.recentNext] = hold;
    this.recentNext = (this.recentNext + 1) % this.window;
  }

  /**
   * Records that a waiting request was just served. Successive services while requests kept waiting
   * give the rate at which the queue really drains, which can be slower than the holds alone say
   * (a fresh session must start before it is lent). Call breakBacklog() when a request arrives at an
   * empty queue, so idle time is never taken for service time.
   */
  recordService(at: number): void {
    if (this.lastServiceAt !== undefined && at >= this.lastServiceAt) {
      const interval = at - this.lastServiceAt;
      this.serviceCount++;
      const weight = Math.max(this.alpha, 1 / this.serviceCount);
      this.serviceInterval = this.serviceCount === 1 ? interval : weight * interval + (1 - weight) * this.serviceInterval;
    }
    this.lastServiceAt = at;
  }

  /** The queue was empty: the next service does not follow the previous one. */
  breakBacklog(): void {
    this.lastServiceAt = undefined;
  }

  /** Mean time between two services while requests were waiting (ms); 0 until one was seen. */
  get serviceIntervalMs(): number {
    return this.serviceCount === 0 ? 0 : this.serviceInterval;
  }

  /** The mean hold the estimates use (ms). */
  get meanHoldMs(): number {
    return this.mean;
  }

  /** Holds recorded so far. */
  get holdsRecorded(): number {
    return this.count;
  }

  /** The most recent holds, oldest first (at most `window`). */
  recentHolds(): number[] {
    if (this.recent.length < this.window) return [...this.recent];
    return [...this.recent.slice(this.recentNext), ...this.recent.slice(0, this.recentNext)];
  }

  /** Median of the recent holds (ms); the mean hold while none is recorded. */
  get medianHoldMs(): number {
    if (this.recent.length === 0) return this.mean;
    const sorted = [...this.recent].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** Estimated wait (ms, rounded) of the request at a 1-based queue position. */
  estimate(position: number, slots: SlotState): number {
    if (!Number.isInteger(position) || position < 1) throw new RangeError(`position must be an integer >= 1, not ${position}`);
    return this.estimateAll(position, slots)[position - 1]!;
  }

  /** Estimated waits (ms, rounded) of positions 1..count, in one pass: O(count × log slots). */
  estimateAll(count: number, slots: SlotState): number[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be an integer >= 0, not ${count}`);
    if (!Number.isInteger(slots.total) || slots.total < 1) throw new RangeError(`slots.total must be an integer >= 1, not ${slots.total}`);
    const out: number[] = [];
    if (count === 0) return out;
    const now = this.options.now();
    const mean = this.mean;
    const floor = this.overdueFloor * mean;
    // Min-heap of the times (ms from now) at which each slot is next free.
    const heap: number[] = [];
    for (const since of slots.runningSince) heap.push(Math.max(mean - Math.max(0, now - since), floor));
    const scheduled = slots.scheduledFreeIn ?? [];
    for (const inMs of scheduled) heap.push(Math.max(0, inMs));
    const starting = slots.startsWithin ?? [];
    for (const inMs of starting) heap.push(Math.max(0, inMs) + mean);
    // More sessions held than slots (e.g. maxSessions lowered while lent): no free slot, not a negative count.
    for (let free = slots.total - slots.runningSince.length - scheduled.length - starting.length; free > 0; free--) heap.push(0);
    heapify(heap);
    // The observed drain rate bounds the estimate from below: position p is served no sooner than
    // p service intervals after the last service.
    const interval = this.serviceIntervalMs;
    const sinceService = this.lastServiceAt === undefined ? 0 : Math.max(0, now - this.lastServiceAt);
    for (let p = 0; p < count; p++) {
      const at = heap[0]!;
      const byRate = interval > 0 ? Math.max(0, (p + 1) * interval - sinceService) : 0;
      out.push(Math.round(Math.max(at, byRate)));
      heap[0] = at + mean;
      siftDown(heap, 0);
    }
    return out;
  }
}

function heapify(heap: number[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
}

function siftDown(heap: number[], start: number): void {
  const n = heap.length;
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let smallest = i;
    if (l < n && heap[l]! < heap[smallest]!) smallest = l;
    if (r < n && heap[r]! < heap[smallest]!) smallest = r;
    if (smallest === i) return;
    const t = heap[i]!;
    heap[i] = heap[smallest]!;
    heap[smallest] = t;
    i = smallest;
  }
}

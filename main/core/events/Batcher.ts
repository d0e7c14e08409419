import type { Disposable } from './Emitter.js';

/** How a batcher groups items. */
export interface BatcherOptions<T> {
  /** Longest time the first item of a batch waits before the batch goes out (ms). */
  intervalMs: number;
  /** A batch this long goes out at once. */
  maxItems: number;
  /** Receives each non-empty batch, in order. */
  flush: (items: T[]) => void;
  /** Timer functions (tests pass fakes). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Groups a high-rate stream into batches before it crosses a process boundary (DESIGN.md §3.5, as
 * VS Code's terminalDataBuffering): the first item starts a timer, and the batch goes out when the
 * timer fires or the batch is full, whichever comes first. Nothing is dropped; dispose flushes.
 */
export class Batcher<T> implements Disposable {
  private items: T[] = [];
  private timer: unknown;
  private disposed = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: BatcherOptions<T>) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** Adds an item; after dispose, items go out at once (nothing is lost). */
  push(item: T): void {
    if (this.disposed) {
      this.options.flush([item]);
      return;
    }
    this.items.push(item);
    if (this.items.length >= this.options.maxItems) this.flushNow();
    else if (this.timer === undefined) this.timer = this.setTimer(() => this.flushNow(), this.options.intervalMs);
  }

  /** Sends what is pending now. */
  flushNow(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.options.flush(batch);
  }

  dispose(): void {
    if (this.disposed) return;
    this.flushNow();
    this.disposed = true;
  }
}

/** Something that holds a resource until disposed. */
export interface Disposable {
  dispose(): void;
}

/**
 * A private event source: the owner keeps the Emitter and exposes `event` as a public onX(listener).
 * A listener that throws does not stop the others.
 */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  /** Subscribes; dispose the result to unsubscribe. */
  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (e) {
        // A faulty listener must not break the session that fires the event; report it and go on.
        process.stderr.write(`poshpool: event listener failed: ${(e as Error).stack ?? String(e)}\n`);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

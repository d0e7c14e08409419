/**
 * SIGINT, SIGTERM and SIGHUP (the terminal closed; on Windows, the console window) as a promise, listened for from the moment this is called. A command that
 * runs until it is stopped calls it before it starts anything and before it says it is ready: a
 * signal with no listener kills Node at once (no cleanup: host.json stays, sessions are cut), and
 * whoever reads "ready" may send one right away.
 */

/** The signals that ask a long-running command to stop. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where the signals come from (process fits). */
export interface SignalSource {
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

export interface StopSignals {
  /** Resolves with the first stop signal received. */
  readonly received: Promise<StopSignal>;
  /** The first signal, if one came. */
  readonly signal: StopSignal | null;
  /** Stops listening (a later signal gets Node's default again). */
  dispose(): void;
}

export function listenForStop(source: SignalSource = process): StopSignals {
  let signal: StopSignal | null = null;
  let resolve!: (s: StopSignal) => void;
  const received = new Promise<StopSignal>((r) => (resolve = r));
  // Kept for the whole run (not `once`): a second Ctrl+C while stopping must not kill the process
  // half-way through its cleanup.
  const listener = (s: StopSignal): void => {
    if (signal !== null) return;
    signal = s;
    resolve(s);
  };
  for (const s of STOP_SIGNALS) source.on(s, listener);
  let disposed = false;
  return {
    received,
    get signal() {
      return signal;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of STOP_SIGNALS) source.off(s, listener);
    },
  };
}

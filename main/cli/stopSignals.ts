import { currentPlatform, type Platform } from '../core/platform/Platform.js';

/**
 * The platform's stop signals (platform.stopSignals: SIGINT, SIGTERM, SIGHUP — the terminal closed; on
 * Windows, the console window — and on Windows SIGBREAK, Ctrl+Break) as a promise, listened for from the moment this is called. A command that
 * runs until it is stopped calls it before it starts anything and before it says it is ready: a
 * signal with no listener kills Node at once (no cleanup: host.json stays, sessions are cut), and
 * whoever reads "ready" may send one right away.
 */

/** Every signal any platform's stopSignals lists (for code that saves and restores their listeners). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

export type StopSignal = NodeJS.Signals;

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

/**
 * Listens for `platform.stopSignals` on `source` (process, or a fake in tests). Composition roots pass
 * their platform; the default is this OS's.
 */
export function listenForStop(platform: Pick<Platform, 'stopSignals'> = currentPlatform(), source: SignalSource = process): StopSignals {
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
  for (const s of platform.stopSignals) source.on(s, listener);
  let disposed = false;
  return {
    received,
    get signal() {
      return signal;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of platform.stopSignals) source.off(s, listener);
    },
  };
}

import type { SessionState } from '../../../common/shell.js';
import type { Disposable } from '../events/Emitter.js';

/** What the pool needs of a session (PwshSession has it all). */
export interface PoolSession {
  readonly id: string;
  readonly state: SessionState;
  readonly pid: number | undefined;
  onExit(listener: (exit: { reason: string }) => void): Disposable;
  /** Ends the session; `why` (e.g. "poshpool is shutting down") is told to a command it cuts short. */
  dispose(why?: string): Promise<void>;
  /** Puts an idle session back as it was at start-up and says whether it is clean (fit for another client). */
  reset?(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** Starts one session. */
export type StartSession<S> = () => Promise<{ ok: true; session: S } | { ok: false; reason: string }>;

/** Settings of the pool (the config's fields of the same names). */
export interface ShellPoolSettings {
  /** Warm sessions kept at all times (the floor); more follow demand. */
  warmSessions: number;
  maxSessions: number;
  /** Warm sessions beyond the floor are ended after this long unused (0 = at once). */
  warmDemandWindowSeconds: number;
  /** Sessions started at once at most (0 = one per two cores, at least one). */
  maxParallelStarts: number;
  /** Delay before a lent warm session's replacement starts (ms). */
  refillDelayMs: number;
  /** Whether a returned session is reset and lent again instead of ended. */
  reuseSessions: boolean;
  /** Leases a session serves before it is ended rather than reset again. */
  sessionReuseLimit: number;
  spawnBackoffInitialMs: number;
  spawnBackoffMaxMs: number;
  degradedFailureCount: number;
  degradedWindowSeconds: number;
}

export type AcquireResult<S> =
  | { ok: true; session: S }
  | { ok: false; code: 'full' | 'degraded' | 'disposed'; reason: string };

/** Why and how often returned sessions were ended instead of lent again. */
export interface ReuseCounts {
  /** Sessions reset and lent again. */
  reused: number;
  /** Returned sessions ended because their reset failed or found them dirty. */
  discarded: number;
  /** Why the latest one was discarded. */
  lastDiscardReason: string;
}

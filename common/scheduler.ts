/** Contract for sessions, requests and metrics as the MCP layer and the dashboard see them. */

import type { PoolState, Priority, SessionKind } from './events.js';
import type { SessionState } from './shell.js';

/** One lent session. */
export type { SessionKind } from './events.js';

export interface SessionInfo {
  sessionId: string;
  clientId: string;
  kind: SessionKind;
  /** The engine's state, or `ending` while poshpool ends the session. */
  state: SessionState | 'ending';
  /** The command running now (first 500 characters), or null. */
  currentCommand: string | null;
  /** Milliseconds since the epoch when the current command started, or null. */
  commandStartedAt: number | null;
  cwd: string | null;
  commandCount: number;
  /** Milliseconds since the epoch of the last command start, end or input. */
  lastActivity: number;
  /** Milliseconds since the epoch when the session was lent. */
  lentAt: number;
  /** Reported abandoned (idle past idleLimitSeconds). */
  abandoned: boolean;
  pid: number | null;
  /** Present while its command waits for a person's approval (config approvals.rules). */
  awaitingApproval?: true;
  /** The host the session runs on: `local` (this machine) or the name of a config `hosts` entry; absent in figures made before hosts existed (= local). */
  host?: string;
}

/** An MCP client as it named itself when it connected (its own word: shown, never trusted). */
export interface ClientInfo {
  clientId: string;
  name: string;
  version: string;
  /** Milliseconds since the epoch. */
  connectedAt: number;
}

/** One request waiting for a session. */
export interface QueuedRequestInfo {
  requestId: string;
  clientId: string;
  priority: Priority;
  position: number;
  etaMs: number;
  enqueuedAt: number;
  /** The host whose session the request waits for (`local` or a config `hosts` name). */
  host?: string;
}

/** Point-in-time figures of the scheduler and the backups. */
export interface MetricsSnapshot extends SchedulerMetrics {
  /** Backups of the watched folders since start. */
  backups: { completed: number; skipped: number; failed: number };
  /** The PowerShell the sessions run (absent from figures made before the core reports it). */
  shell?: ShellSummary;
  /**
   * Every host sessions run on, `local` first, then the config's `hosts` in their order. The
   * top-level figures above are the local host's. Absent from figures made before hosts existed.
   */
  hosts?: HostSummary[];
}

/** The name of this machine among the hosts. */
export const LOCAL_HOST = 'local';

/** One host's lane: its pool, its sessions and its queue. */
export interface HostSummary {
  /** `local`, or the name given in the config's `hosts`. */
  name: string;
  kind: 'local' | 'ssh';
  /** Where ssh connects (user@host:port), null for the local host. */
  destination: string | null;
  labels: string[];
  /** The host's pool: starting, healthy, degraded (cannot start sessions: see degradedReason), disposed. */
  state: PoolState;
  /** Why the host is degraded, in plain words (the ssh error: auth failed, host key changed, timed out), or empty. */
  degradedReason: string;
  activeSessions: number;
  maxSessions: number;
  freeSlots: number;
  /** Idle started sessions ready to lend. */
  warmSessions: number;
  startingSessions: number;
  queueDepth: number;
  /** Wait a sync request for this host would be told now (ms). */
  estimatedWaitMs: number;
  commandsRun: number;
  commandsFailed: number;
  /** Sessions that failed to start or died while warm, since start. */
  restarts: number;
}

/** The PowerShell the sessions run, and what a person should know about it. */
export interface ShellSummary {
  path: string;
  /** pwsh (PowerShell 7+) or Windows PowerShell 5.1. */
  kind: 'pwsh' | 'powershell';
  /** As the first session reported it; null until one has started. */
  version: string | null;
  edition: string | null;
  languageMode: string | null;
  executionPolicy: string | null;
  /** Said in the status and the tray: Windows PowerShell 5.1 as a fallback, scripts forbidden by policy. */
  warnings: string[];
}

/** Point-in-time figures of the scheduler. */
export interface SchedulerMetrics {
  time: number;
  poolState: PoolState;
  /** Why the pool is degraded, or empty. */
  poolDegradedReason: string;
  /** New sessions paused by a person (requests wait; lent sessions go on). */
  paused: boolean;
  activeSessions: number;
  freeSlots: number;
  maxSessions: number;
  warmSessions: number;
  queueDepth: number;
  queueDepthSync: number;
  queueDepthAsync: number;
  peakSessions: number;
  peakQueueDepth: number;
  averageWaitMs: { sync: number | null; async: number | null };
  /** Wait a request made now would be told, per class. */
  estimatedWaitMs: { sync: number; async: number };
  commandsRun: number;
  commandsFailed: number;
  restarts: number;
  /** Returned sessions reset and lent again since start (no pwsh start needed). */
  sessionsReused: number;
  /** Returned sessions ended because their reset failed or found them dirty, since start. */
  sessionsDiscarded: number;
  /** Sessions being started now. */
  startingSessions: number;
  commandDurationMs: { p50: number | null; p95: number | null };
  requestsRejected: number;
}

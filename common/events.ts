/** The event union: every state change of the core, as it crosses to MCP, the dashboard, the tray and the audit log. */

import type { ApprovalDecidedBy, ApprovalDecision, ApprovalRequest } from './approvals.js';
import type { CommandStatus, SessionState } from './shell.js';

/** How a waiting request is served: sync (a caller waits for it) before async. */
export type Priority = 'sync' | 'async';

/**
 * What a lent session is for: `session` (start_session: the client's until it ends it), `default`
 * (the client's default session, used by run_command without a sessionId and kept between calls),
 * `call` (borrowed for one call, returned after it).
 */
export type SessionKind = 'session' | 'default' | 'call';

/** Health of the warm pool. */
export type PoolState = 'starting' | 'healthy' | 'degraded' | 'disposed';

interface Base {
  /** Milliseconds since the epoch. */
  time: number;
}

export type PoshpoolEvent =
  | (Base & { type: 'client.connected'; clientId: string; name: string; version: string })
  | (Base & {
      type: 'session.started';
      sessionId: string;
      clientId: string;
      pid: number | null;
      kind: SessionKind;
      /** The session's directory when lent (where the pool's sessions start), when known. */
      cwd?: string;
      /** The host it runs on (`local` or a config `hosts` name); absent = local. */
      host?: string;
    })
  | (Base & { type: 'session.state'; sessionId: string; clientId: string; state: SessionState | 'ending' })
  | (Base & { type: 'session.ended'; sessionId: string; clientId: string; reason: SessionEndReason; detail: string })
  | (Base & { type: 'session.abandoned'; sessionId: string; clientId: string; idleMs: number })
  | (Base & { type: 'session.reclaimed'; sessionId: string; clientId: string; idleMs: number })
  | (Base & { type: 'request.queued'; requestId: string; clientId: string; priority: Priority; position: number; etaMs: number; host?: string })
  | (Base & { type: 'request.position'; requestId: string; clientId: string; priority: Priority; position: number; etaMs: number })
  | (Base & { type: 'request.allocated'; requestId: string; clientId: string; sessionId: string; waitedMs: number })
  | (Base & { type: 'request.cancelled'; requestId: string; clientId: string; reason: string })
  | (Base & { type: 'request.rejected'; requestId: string; clientId: string; reason: string })
  | (Base & {
      type: 'command.started';
      sessionId: string;
      clientId: string;
      seq: number;
      /** The command, cut at 4096 characters. */
      command: string;
      /** Length of the whole command. */
      commandChars: number;
      jobId: string | null;
      /** The directory the command starts in, when known. */
      cwd?: string;
      /** The host it runs on, when not this machine (a config `hosts` name). */
      host?: string;
    })
  | (Base & {
      type: 'command.finished';
      sessionId: string;
      clientId: string;
      seq: number;
      status: CommandStatus;
      exitCode: number | null;
      success: boolean;
      durationMs: number;
      outputBytes: number;
      jobId: string | null;
      /** The session's directory after the command (it may have moved), when known. */
      cwd?: string;
    })
  | (Base & { type: 'job.finished'; jobId: string; clientId: string; sessionId: string; status: JobStatus; exitCode: number | null })
  | (Base & { type: 'job.failed'; jobId: string; clientId: string; sessionId: string; reason: string })
  | (Base & { type: 'backup.completed'; folder: string; backupId: string; filesChanged: number; reason: BackupReason })
  | (Base & { type: 'backup.skipped'; folder: string; reason: BackupReason })
  | (Base & { type: 'backup.failed'; folder: string; reason: BackupReason; error: string })
  | (Base & { type: 'approval.requested'; request: ApprovalRequest })
  | (Base & { type: 'approval.decided'; request: ApprovalRequest; decision: ApprovalDecision; by: ApprovalDecidedBy })
  | (Base & { type: 'pool.degraded'; reason: string; failures: number; host?: string })
  | (Base & { type: 'pool.recovered'; downMs: number; host?: string })
  | (Base & { type: 'pool.paused'; by: string })
  | (Base & { type: 'pool.resumed'; by: string; pausedMs: number })
  /** A returned session could not be made clean for the next client (reset.ps1): it was ended and replaced. */
  | (Base & { type: 'pool.sessionDiscarded'; reason: string });

export type PoshpoolEventType = PoshpoolEvent['type'];

/** Why a session ended. */
export type SessionEndReason = 'ended' | 'reclaimed' | 'cancelled' | 'died' | 'failedValidation' | 'shutdown';

/** What started a backup: the end of a burst, a folder that never went quiet, a request, a restore. */
export type BackupReason = 'quiet' | 'maxDelay' | 'requested' | 'beforeRestore' | 'retry';

/** Where a background job stands. */
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

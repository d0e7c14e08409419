import { randomUUID } from 'node:crypto';
import type { SessionInfo, SessionKind } from '../../../common/scheduler.js';
import type { Disposable } from '../events/Emitter.js';

/** Longest text of a command kept in session info and events. */
export const COMMAND_PREVIEW_CHARS = 500;

/** One session lent to a client, as the scheduler tracks it. */
export interface Lent<S> {
  session: S;
  sessionId: string;
  clientId: string;
  kind: SessionKind;
  requestId: string;
  lentAt: number;
  lastActivity: number;
  commandCount: number;
  currentCommand: string | null;
  commandStartedAt: number | null;
  cwd: string | null;
  abandoned: boolean;
  ending: boolean;
  endAfterCommand: boolean;
  /** Settles when the running command has finished (null while none runs). */
  commandDone: Promise<void> | null;
  /** Stops the wait of a command for approval (cancel_command while it waits). */
  approvalAbort: AbortController | null;
  subs: Disposable[];
}

/** A session id: one per lease (a pwsh process lent again after a reset gets a new id for its new client). */
export function newSessionId(): string {
  return randomUUID();
}

/** A session just lent: idle, in `cwd` (where the pool's sessions start, when known). */
export function newLent<S>(session: S, ids: { sessionId: string; clientId: string; requestId: string; kind: SessionKind }, now: number, cwd: string | null): Lent<S> {
  return {
    session,
    ...ids,
    lentAt: now,
    lastActivity: now,
    commandCount: 0,
    currentCommand: null,
    commandStartedAt: null,
    cwd,
    abandoned: false,
    ending: false,
    endAfterCommand: false,
    commandDone: null,
    approvalAbort: null,
    subs: [],
  };
}

/**
 * Marks the lent session busy with `command` (its preview shown in session info) until the returned
 * function is called; `commandDone` settles then. Used for the client's commands and poshpool's own
 * (a Set-Location into the workspace).
 */
export function markBusy(lent: Lent<unknown>, command: string, startedAt: number | null): () => void {
  lent.currentCommand = command.slice(0, COMMAND_PREVIEW_CHARS);
  lent.commandStartedAt = startedAt;
  let done!: () => void;
  lent.commandDone = new Promise<void>((resolve) => (done = resolve));
  return () => {
    lent.currentCommand = null;
    lent.commandStartedAt = null;
    lent.commandDone = null;
    done();
  };
}

/** A lent session as the MCP layer and the dashboard see it. */
export function lentInfo(l: Lent<{ state: SessionInfo['state']; pid: number | undefined }>, host: string, awaitingApproval: boolean): SessionInfo {
  return {
    sessionId: l.sessionId,
    clientId: l.clientId,
    kind: l.kind,
    state: l.ending ? 'ending' : l.session.state,
    currentCommand: l.currentCommand,
    commandStartedAt: l.commandStartedAt,
    cwd: l.cwd,
    commandCount: l.commandCount,
    lastActivity: l.lastActivity,
    lentAt: l.lentAt,
    abandoned: l.abandoned,
    pid: l.session.pid ?? null,
    host,
    ...(awaitingApproval ? { awaitingApproval: true as const } : {}),
  };
}

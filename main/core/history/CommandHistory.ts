import type { HistoryCommand, HistoryEntry, SessionHistory } from '../../../common/history.js';
import type { CommandResult } from '../../../common/shell.js';
import type { ReadPageResult } from '../jobs/OutputStore.js';

/** Bounds of the command history (all of them hold at once). */
export interface CommandHistoryLimits {
  /** Commands kept per session; older ones are dropped (and counted). */
  commandsPerSession: number;
  /** Ended sessions whose history is kept; the longest ended go first. */
  endedSessions: number;
  /** Estimated memory of all kept commands (text is counted at 2 bytes a character, as JS holds it). */
  totalBytes: number;
  /** Longest command text kept. */
  commandChars: number;
}

/**
 * The default bounds: the last 200 commands of a session (a day of an agent's work), 50 ended
 * sessions, 64 MiB in all (an output is already cut to the result cap, head and tail, by PwshSession),
 * and 4096 characters of a command (what command.started carries).
 */
export const DEFAULT_HISTORY_LIMITS: CommandHistoryLimits = {
  commandsPerSession: 200,
  endedSessions: 50,
  totalBytes: 64 * 1024 * 1024,
  commandChars: 4096,
};

/** Fixed overhead counted per kept command (the object and its numbers). */
const ENTRY_OVERHEAD_BYTES = 256;

/** What the scheduler tells the history (SessionManager calls it; nothing flows back). */
export interface CommandRecorder {
  /** A command began on a session (after any approval). */
  commandStarted(command: { sessionId: string; clientId: string; seq: number; command: string; jobId: string | null; startedAt: number }): void;
  /** The command ended with this result. */
  commandFinished(sessionId: string, seq: number, result: CommandResult): void;
  /** Running the command failed before a result (the session broke). */
  commandFailed(sessionId: string, seq: number, reason: string, at: number): void;
  /** The session ended; its history is kept for a while (bounded). */
  sessionEnded(sessionId: string, reason: string, at: number): void;
}

/** Reads one page of a spilled output (OutputStore.read). */
export type PageReader = (ref: string, page: number) => ReadPageResult;

interface Kept {
  entry: HistoryEntry;
  outputRef: string | null;
  bytes: number;
}

interface SessionRecord {
  sessionId: string;
  clientId: string;
  ended: { at: number; reason: string } | null;
  commands: Kept[];
  dropped: number;
}

/**
 * Each session's last commands with what came back (status, exit code, errors, output inline up to
 * the result cap, a reference to the whole output), for the dashboard. Kept for ended sessions too,
 * a bounded number of them, and bounded in total size. Fed by the scheduler through
 * {@link CommandRecorder}; read by the dashboard's actions.
 */
export class CommandHistory implements CommandRecorder {
  /** By session id, in order of first command (Map keeps insertion order). */
  private readonly sessions = new Map<string, SessionRecord>();
  /** Ended sessions, longest ended first. */
  private readonly endedOrder: string[] = [];
  private totalBytes = 0;

  constructor(
    private readonly options: { limits?: Partial<CommandHistoryLimits>; readPage?: PageReader } = {},
  ) {}

  private get limits(): CommandHistoryLimits {
    return { ...DEFAULT_HISTORY_LIMITS, ...this.options.limits };
  }

  commandStarted(c: { sessionId: string; clientId: string; seq: number; command: string; jobId: string | null; startedAt: number }): void {
    let rec = this.sessions.get(c.sessionId);
    if (rec === undefined) {
      rec = { sessionId: c.sessionId, clientId: c.clientId, ended: null, commands: [], dropped: 0 };
      this.sessions.set(c.sessionId, rec);
    }
    const entry: HistoryEntry = {
      sessionId: c.sessionId,
      clientId: c.clientId,
      seq: c.seq,
      command: c.command.slice(0, this.limits.commandChars),
      commandChars: c.command.length,
      startedAt: c.startedAt,
      durationMs: null,
      status: 'running',
      exitCode: null,
      success: null,
      errorCount: 0,
      outputBytes: 0,
      truncated: false,
      cwd: null,
      jobId: c.jobId,
      message: null,
      output: '',
      errors: [],
      paged: false,
    };
    const kept: Kept = { entry, outputRef: null, bytes: 0 };
    rec.commands.push(kept);
    this.resize(kept);
    while (rec.commands.length > this.limits.commandsPerSession) this.dropOldest(rec);
    this.enforceTotal();
  }

  commandFinished(sessionId: string, seq: number, result: CommandResult): void {
    const kept = this.find(sessionId, seq);
    if (kept === undefined) return;
    Object.assign(kept.entry, {
      durationMs: result.durationMs,
      status: result.status,
      exitCode: result.exitCode,
      success: result.success,
      errorCount: result.errorCount,
      outputBytes: result.outputBytes,
      truncated: result.truncated,
      cwd: result.cwd,
      message: result.message ?? null,
      output: result.output,
      errors: result.errors,
      paged: result.outputRef !== null,
    } satisfies Partial<HistoryEntry>);
    kept.outputRef = result.outputRef;
    this.resize(kept);
    this.enforceTotal();
  }

  commandFailed(sessionId: string, seq: number, reason: string, at: number): void {
    const kept = this.find(sessionId, seq);
    if (kept === undefined) return;
    Object.assign(kept.entry, { durationMs: Math.max(0, at - kept.entry.startedAt), status: 'sessionEnded', success: false, message: reason } satisfies Partial<HistoryEntry>);
    this.resize(kept);
  }

  sessionEnded(sessionId: string, reason: string, at: number): void {
    const rec = this.sessions.get(sessionId);
    if (rec === undefined || rec.ended !== null) return;
    rec.ended = { at, reason };
    this.endedOrder.push(sessionId);
    while (this.endedOrder.length > this.limits.endedSessions) this.forget(this.endedOrder[0]!);
  }

  /** A session's history, oldest command first; undefined when it ran nothing or was dropped. */
  session(sessionId: string): SessionHistory | undefined {
    const rec = this.sessions.get(sessionId);
    if (rec === undefined) return undefined;
    return { sessionId, clientId: rec.clientId, ended: rec.ended === null ? null : { ...rec.ended }, commands: rec.commands.map((k) => summary(k.entry)), dropped: rec.dropped };
  }

  /** The newest commands of every kept session, newest first. */
  recent(limit: number): HistoryCommand[] {
    const all: HistoryEntry[] = [];
    for (const rec of this.sessions.values()) for (const k of rec.commands) all.push(k.entry);
    all.sort((a, b) => b.startedAt - a.startedAt || b.seq - a.seq);
    return all.slice(0, Math.max(0, limit)).map(summary);
  }

  /** One command with its output and error records. */
  entry(sessionId: string, seq: number): HistoryEntry | undefined {
    const kept = this.find(sessionId, seq);
    return kept === undefined ? undefined : { ...kept.entry, errors: [...kept.entry.errors] };
  }

  /** One page (0-based) of a command's whole output, when it did not fit inline. */
  readPage(sessionId: string, seq: number, page: number): ReadPageResult {
    const kept = this.find(sessionId, seq);
    if (kept === undefined) return { ok: false, reason: `No command ${seq} in the history of session "${sessionId}" (it was never run there, or is no longer kept).` };
    if (kept.outputRef === null || this.options.readPage === undefined) {
      const why = kept.entry.status === 'running' ? 'it is still running' : 'its whole output is shown inline';
      return { ok: false, reason: `Command ${seq} of session "${sessionId}" has no pages: ${why}.` };
    }
    return this.options.readPage(kept.outputRef, page);
  }

  /** How much is kept: sessions, commands, estimated bytes. */
  stats(): { sessions: number; commands: number; bytes: number } {
    let commands = 0;
    for (const rec of this.sessions.values()) commands += rec.commands.length;
    return { sessions: this.sessions.size, commands, bytes: this.totalBytes };
  }

  private find(sessionId: string, seq: number): Kept | undefined {
    return this.sessions.get(sessionId)?.commands.find((k) => k.entry.seq === seq);
  }

  private resize(kept: Kept): void {
    const e = kept.entry;
    let chars = e.command.length + e.output.length + (e.message?.length ?? 0) + (e.cwd?.length ?? 0);
    for (const err of e.errors) chars += err.message.length + err.fullyQualifiedErrorId.length + err.category.length + err.exceptionType.length + err.targetName.length + err.position.length + err.scriptStackTrace.length;
    const bytes = ENTRY_OVERHEAD_BYTES + chars * 2;
    this.totalBytes += bytes - kept.bytes;
    kept.bytes = bytes;
  }

  private dropOldest(rec: SessionRecord): void {
    const gone = rec.commands.shift();
    if (gone === undefined) return;
    rec.dropped++;
    this.totalBytes -= gone.bytes;
  }

  private forget(sessionId: string): void {
    const rec = this.sessions.get(sessionId);
    if (rec === undefined) return;
    for (const k of rec.commands) this.totalBytes -= k.bytes;
    this.sessions.delete(sessionId);
    const i = this.endedOrder.indexOf(sessionId);
    if (i >= 0) this.endedOrder.splice(i, 1);
  }

  /** Over the total: ended sessions go first (longest ended), then the oldest commands of lent sessions; the newest command always stays. */
  private enforceTotal(): void {
    while (this.totalBytes > this.limits.totalBytes && this.endedOrder.length > 0) this.forget(this.endedOrder[0]!);
    while (this.totalBytes > this.limits.totalBytes) {
      let oldest: SessionRecord | undefined;
      let count = 0;
      for (const rec of this.sessions.values()) {
        count += rec.commands.length;
        const first = rec.commands[0];
        if (first !== undefined && (oldest === undefined || first.entry.startedAt < oldest.commands[0]!.entry.startedAt)) oldest = rec;
      }
      if (oldest === undefined || count <= 1) return;
      this.dropOldest(oldest);
    }
  }
}

function summary(e: HistoryEntry): HistoryCommand {
  return {
    sessionId: e.sessionId,
    clientId: e.clientId,
    seq: e.seq,
    command: e.command,
    commandChars: e.commandChars,
    startedAt: e.startedAt,
    durationMs: e.durationMs,
    status: e.status,
    exitCode: e.exitCode,
    success: e.success,
    errorCount: e.errorCount,
    outputBytes: e.outputBytes,
    truncated: e.truncated,
    cwd: e.cwd,
    jobId: e.jobId,
    message: e.message,
  };
}

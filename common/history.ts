/** Contract of a session's command history: what the host keeps of each command, shared with the dashboard. */

import type { CommandStatus, PwshError } from './shell.js';

/** How a recorded command stands: still running, or how it ended. */
export type HistoryStatus = 'running' | CommandStatus;

/** One command as the history lists it (without its output and error records: see HistoryEntry). */
export interface HistoryCommand {
  sessionId: string;
  clientId: string;
  /** Per-session command number (CommandResult.seq, the events' seq). */
  seq: number;
  /** The command's text, cut to the history's limit (commandChars is its whole length). */
  command: string;
  commandChars: number;
  /** When it started (milliseconds since the epoch). */
  startedAt: number;
  /** Null while it runs. */
  durationMs: number | null;
  status: HistoryStatus;
  /** The command's exit code; null while it runs or when unknown. */
  exitCode: number | null;
  /** Null while it runs. */
  success: boolean | null;
  /** Error records the command produced in all. */
  errorCount: number;
  /** UTF-8 size of its whole output (0 while it runs). */
  outputBytes: number;
  /** True when the kept output is head and tail only; the whole output is read page by page. */
  truncated: boolean;
  /** Working directory after the command, when known. */
  cwd: string | null;
  /** The job it ran as (start_job, a task), else null. */
  jobId: string | null;
  /** Why it ended as it did, when not a plain completion. */
  message: string | null;
}

/** One command with what came back: its output (inline up to the result cap) and its error records. */
export interface HistoryEntry extends HistoryCommand {
  output: string;
  errors: PwshError[];
  /** Pages of the whole output exist (read through the history's page action) when true. */
  paged: boolean;
}

/** A session's recorded commands, oldest first. */
export interface SessionHistory {
  sessionId: string;
  clientId: string;
  /** When and why the session ended; null while it is lent. */
  ended: { at: number; reason: string } | null;
  commands: HistoryCommand[];
  /** Older commands no longer kept (the history keeps the last ones only). */
  dropped: number;
}

/** Contract for what one PowerShell session reports. Shared by main, the MCP layer and the renderer. */

/** The state of one pwsh session. */
export type SessionState = 'starting' | 'idle' | 'running' | 'waitingForInput' | 'ended';

/** How a command ended. */
export type CommandStatus =
  /** The command ran to its end (successfully or not: see `success`). */
  | 'completed'
  /** The command was stopped on request (Ctrl+C, then harder if needed). */
  | 'cancelled'
  /** The command ran past its time limit and was stopped. */
  | 'timedOut'
  /** pwsh itself ended while the command ran (`exit` outside a script, a crash, or killed from outside). */
  | 'sessionEnded';

/** One PowerShell error record, flattened. */
export interface PwshError {
  message: string;
  fullyQualifiedErrorId: string;
  category: string;
  exceptionType: string;
  targetName: string;
  /** "At line:1 char:1 …" position of the failing statement in the command, when known. */
  position: string;
  scriptStackTrace: string;
}

/** The structured result of one command. */
export interface CommandResult {
  /** Per-session command number. */
  seq: number;
  status: CommandStatus;
  /** Rendered text the command printed (no echo, prompt or escape sequences). Head and tail when truncated. */
  output: string;
  /** New error records of this command, oldest first (at most the configured number). */
  errors: PwshError[];
  /** How many error records the command produced in all (may exceed errors.length). */
  errorCount: number;
  /** A native program's own exit code, `exit N`, 0 on success, 1 on a PowerShell failure; null when unknown. */
  exitCode: number | null;
  success: boolean;
  /** Working directory after the command; null when the session ended before reporting it. */
  cwd: string | null;
  durationMs: number;
  /** True when output holds only head and tail; the whole output can be read through outputRef. */
  truncated: boolean;
  /** UTF-8 size of the whole output. */
  outputBytes: number;
  /** Handle for reading the whole output page by page; null when output is complete. */
  outputRef: string | null;
  /** False when the session is gone after this command (it must be replaced). */
  sessionAlive: boolean;
  /** Explains any status other than a plain completion, in words an agent can act on. */
  message?: string;
}

/** One page of a spilled output. */
export interface OutputPage {
  ref: string;
  /** 0-based page number. */
  page: number;
  pages: number;
  text: string;
  totalBytes: number;
}

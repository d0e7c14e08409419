import { readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CommandResult, CommandStatus, SessionState } from '../../../common/shell.js';
import type { StopHandle } from './control.js';
import { decodeEndRecord, endRecordFileName, type DecodeResult, type EndReport } from './markers.js';
import type { OutputCollector } from './OutputCollector.js';

/** One command from the call to its result. */
export interface Running {
  seq: number;
  /** performance.now() at the start marker (at the call until then). */
  startedAt: number;
  /** Date.now() at the call: processes started since belong to this command. */
  calledAtEpochMs: number;
  started: boolean;
  report?: EndReport;
  reportProblem?: string;
  /** Pieces of an end record that came in `rec` markers (a session on another host). */
  recordPieces?: string[];
  endedAt?: number;
  /** The output is complete: the end fence was painted (or the capture was cut short). */
  settled: boolean;
  /** The prompt came back after the end marker. */
  promptBack?: boolean;
  settleTimer?: NodeJS.Timeout;
  /** Waits for the prompt after a stop (see PwshSession.watchForPrompt). */
  promptTimer?: NodeJS.Timeout;
  collector: OutputCollector;
  stopReason?: 'cancelled' | 'timedOut';
  /** Ctrl+C was typed into this command. */
  interrupted?: boolean;
  stop?: StopHandle;
  timeout?: NodeJS.Timeout;
  abortCleanup?: () => void;
  /** poshpool's own command (sessionControl.ts runOwn): the session's state at its end; else idle. */
  stateAfter?: SessionState;
  resolve(result: CommandResult): void;
}

/** A command from its call on; `stateAfter` for poshpool's own command. */
export function newRunning(seq: number, collector: OutputCollector, resolve: (result: CommandResult) => void, stateAfter?: SessionState): Running {
  return { seq, startedAt: performance.now(), calledAtEpochMs: Date.now(), started: false, settled: false, collector, stateAfter, resolve };
}

/** Calls `stop` when `signal` aborts (already aborted: at once, after this call returns); `r.abortCleanup` stops listening. */
export function stopOnAbort(r: Running, signal: AbortSignal | undefined, stop: () => void): void {
  if (!signal) return;
  if (signal.aborted) return queueMicrotask(stop);
  signal.addEventListener('abort', stop, { once: true });
  r.abortCleanup = () => signal.removeEventListener('abort', stop);
}

/** How a command ends: its status and what the session adds to the result. */
export interface Finish {
  status: CommandStatus;
  /** Whether the session lives on (default: pwsh has not exited). */
  alive?: boolean;
  exitCode?: number | null;
  message?: string;
}

/** The result of a finished command. */
export function resultOf(r: Running, how: Finish, alive: boolean): CommandResult {
  const rep = r.report;
  const out = r.collector.finish();
  // The terminal echoes the Ctrl+C poshpool typed as "^C": that is not the command's output.
  if (r.interrupted) out.output = out.output.replace(/\^C/g, '').replace(/^\s*\n|\n\s*$/g, '');
  const status = how.status;
  let message = how.message;
  if (status === 'cancelled') message ??= 'The command was cancelled.';
  if (status === 'timedOut') message ??= 'The command ran past its time limit and was stopped.';
  if (r.reportProblem) message = `${message ? `${message} ` : ''}(${r.reportProblem})`;
  const stopped = status === 'cancelled' || status === 'timedOut';
  const exitCode = how.exitCode !== undefined ? how.exitCode : stopped ? null : (rep?.exitCode ?? null);
  return {
    seq: r.seq,
    status,
    output: out.output,
    errors: rep?.errors ?? [],
    errorCount: rep?.errorCount ?? 0,
    exitCode,
    success: status === 'completed' ? (rep?.success ?? false) : status === 'sessionEnded' ? exitCode === 0 : false,
    cwd: rep?.cwd ?? null,
    durationMs: Math.round(((r.endedAt ?? performance.now()) - r.startedAt) * 10) / 10,
    truncated: out.truncated,
    outputBytes: out.outputBytes,
    outputRef: out.outputRef,
    sessionAlive: alive,
    ...(message ? { message } : {}),
  };
}

/** How pwsh ended, as the finish of the command it cut short. */
export interface PwshEnd {
  /** "pwsh exited with code 3", "poshpool ended pwsh (...)". */
  reason: string;
  exitCode: number;
  signal?: number;
  /** Whether poshpool ended pwsh itself. */
  byPoshpool: boolean;
  /** The host pwsh ran on, for a session over ssh (there poshpool ends the connection, not processes). */
  remoteHost?: string;
}

/** The finish of a command that was running when pwsh ended. */
export function finishWhenPwshEnded(r: Running, end: PwshEnd): Finish {
  if (r.report?.exited && !r.stopReason) {
    // `exit` outside a script (Invoke-Expression 'exit 4'): pwsh ran its epilogue, then ended.
    return {
      status: 'sessionEnded',
      alive: false,
      exitCode: end.signal ? null : end.exitCode,
      message: `${end.reason}: the command ended pwsh itself (\`exit\` outside a script file, e.g. through Invoke-Expression, or where an execution policy forbids scripts), so the session is gone; start a new session.`,
    };
  }
  if (r.report || r.reportProblem) return { status: r.stopReason ?? 'completed', alive: false, message: `The command finished, then ${end.reason}; the session is gone.` };
  const status: CommandStatus = r.stopReason ?? 'sessionEnded';
  const message =
    status !== 'sessionEnded'
      ? end.remoteHost !== undefined
        ? `The command did not stop after Ctrl+C, so poshpool ended the ssh connection to ${end.remoteHost}, and with it the session there; start a new session.`
        : `The command did not stop after Ctrl+C and killing its child processes, so pwsh was ended; start a new session.`
      : end.byPoshpool
        ? `${end.reason} while the command ran, so the session is gone; start a new session.`
        : `${end.reason} while the command ran, so the session is gone; start a new session. (\`exit\` typed at top level, e.g. through Invoke-Expression, ends the session.)`;
  return { status, alive: false, exitCode: status === 'sessionEnded' && !end.signal ? end.exitCode : null, message };
}

/** Reads (and removes) a command's end record from the session's private dir. */
export function readEndRecordFile(dir: string, join: (...parts: string[]) => string, seq: number): DecodeResult {
  const file = join(dir, endRecordFileName(seq));
  try {
    const text = readFileSync(file, 'utf8');
    rmSync(file, { force: true });
    return decodeEndRecord(text);
  } catch (e) {
    return { ok: false, reason: `the end record ${file} could not be read: ${(e as Error).message}` };
  }
}

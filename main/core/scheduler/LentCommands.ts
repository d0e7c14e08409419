import type { SessionEndReason } from '../../../common/events.js';
import { LOCAL_HOST } from '../../../common/scheduler.js';
import type { CommandResult } from '../../../common/shell.js';
import type { EventBus } from '../events/EventBus.js';
import type { CommandRecorder } from '../history/CommandHistory.js';
import type { RunOptions } from '../shell/sessionContract.js';
import { markBusy, type Lent } from './lent.js';
import type { CommandGate, ManagedShell, Outcome } from './managedShell.js';

/** Longest text of a command carried by a command.started event. */
const EVENT_COMMAND_CHARS = 4096;

/** What the commands on lent sessions need from the scheduler that lends them. */
export interface LentCommandsDeps<S extends ManagedShell> {
  bus: EventBus;
  /** The host the sessions run on (`local` or a config `hosts` name). */
  host: string;
  gate?: CommandGate;
  history?: CommandRecorder;
  now(): number;
  /** The client's lent session, or why it has none by that id. */
  owned(clientId: string, sessionId: string): { ok: true; lent: Lent<S> } | { ok: false; reason: string };
  /** Ends a lent session (it died with its command, or its request was cancelled after it). */
  endLent(lent: Lent<S>, reason: SessionEndReason, detail: string): Promise<void>;
  /** Told of each command that finished (the scheduler's counts and durations). */
  finished(result: CommandResult): void;
}

/**
 * What clients do on the sessions lent to them: run a command (after the approval rules), cancel
 * it, type input, read its output so far, and poshpool's own move into a start directory. Each
 * command is published on the event bus and told to the command history.
 */
export class LentCommands<S extends ManagedShell> {
  constructor(private readonly deps: LentCommandsDeps<S>) {}

  /** Runs a command on a client's session and returns its structured result. */
  async run(clientId: string, sessionId: string, command: string, options: RunOptions & { jobId?: string; workspace?: string | null } = {}): Promise<Outcome<{ result: CommandResult }>> {
    const owned = this.deps.owned(clientId, sessionId);
    if (!owned.ok) return owned;
    const lent = owned.lent;
    // A command being stopped (an agent cancels and retries at once) finishes within the cancel and
    // kill graces: the next command waits for it rather than being refused "busy".
    while (lent.currentCommand !== null && lent.commandDone && lent.session.stopping && !lent.ending) await lent.commandDone;
    if (lent.ending) return { ok: false, reason: `Session ${sessionId} is ending; start a new session.` };
    if (lent.currentCommand !== null) {
      return { ok: false, reason: `Session ${sessionId} is busy with another command (started ${new Date(lent.commandStartedAt!).toISOString()}); wait for it, cancel it, or use another session.` };
    }
    const jobId = options.jobId ?? null;
    const now = this.deps.now();
    const cleared = markBusy(lent, command, now);
    lent.lastActivity = now;
    lent.abandoned = false;
    const verdict = await this.approve(lent, command, options);
    if (!verdict.ok) {
      cleared();
      lent.lastActivity = this.deps.now();
      return verdict;
    }
    lent.commandCount++;
    const seq = lent.commandCount;
    const remote = this.deps.host === LOCAL_HOST ? {} : { host: this.deps.host };
    this.deps.bus.emit({
      type: 'command.started',
      sessionId,
      clientId,
      seq,
      command: command.slice(0, EVENT_COMMAND_CHARS),
      commandChars: command.length,
      jobId,
      ...(lent.cwd === null ? {} : { cwd: lent.cwd }),
      ...remote,
    });
    this.deps.history?.commandStarted({ sessionId, clientId, seq, command, jobId, startedAt: lent.commandStartedAt ?? this.deps.now() });
    let result: CommandResult;
    try {
      result = await lent.session.run(command, { timeoutMs: options.timeoutMs, signal: options.signal });
    } catch (e) {
      cleared();
      this.deps.history?.commandFailed(sessionId, seq, (e as Error).message, this.deps.now());
      return { ok: false, reason: (e as Error).message };
    }
    this.deps.history?.commandFinished(sessionId, seq, result);
    cleared();
    lent.lastActivity = this.deps.now();
    if (result.cwd) lent.cwd = result.cwd;
    this.deps.finished(result);
    this.deps.bus.emit({
      type: 'command.finished',
      sessionId,
      clientId,
      seq,
      status: result.status,
      exitCode: result.exitCode,
      success: result.success,
      durationMs: result.durationMs,
      outputBytes: result.outputBytes,
      jobId,
      ...(lent.cwd === null ? {} : { cwd: lent.cwd }),
    });
    if (!result.sessionAlive) await this.deps.endLent(lent, 'died', result.message ?? 'pwsh ended');
    else if (lent.endAfterCommand) await this.deps.endLent(lent, 'cancelled', 'its request was cancelled');
    return { ok: true, result };
  }

  /** Stops the command running on a client's session, or its wait for approval (the session stays). */
  cancelCommand(clientId: string, sessionId: string): Outcome<{ wasRunning: boolean }> {
    const owned = this.deps.owned(clientId, sessionId);
    if (!owned.ok) return owned;
    const waiting = owned.lent.approvalAbort;
    if (waiting) {
      waiting.abort();
      return { ok: true, wasRunning: true };
    }
    return { ok: true, wasRunning: owned.lent.session.cancel() };
  }

  /** Types input into the command running on a client's session. */
  sendInput(clientId: string, sessionId: string, text: string): Outcome {
    const owned = this.deps.owned(clientId, sessionId);
    if (!owned.ok) return owned;
    const sent = owned.lent.session.sendInput(text);
    if (sent.ok) owned.lent.lastActivity = this.deps.now();
    return sent;
  }

  /** The running command's output so far on a client's session. */
  outputSoFar(clientId: string, sessionId: string): Outcome<{ output: ReturnType<ManagedShell['outputSoFar']> }> {
    const owned = this.deps.owned(clientId, sessionId);
    if (!owned.ok) return owned;
    return { ok: true, output: owned.lent.session.outputSoFar() };
  }

  /**
   * Moves a client's idle session to `dir` (Set-Location), e.g. into the client's workspace before
   * its first command. Not a command of the client's: no command events, count, duration sample or
   * approval. A session lent from the warm pool stays warm: this is one short round trip on it.
   */
  async setLocation(clientId: string, sessionId: string, dir: string): Promise<Outcome<{ cwd: string }>> {
    const owned = this.deps.owned(clientId, sessionId);
    if (!owned.ok) return owned;
    const lent = owned.lent;
    if (lent.ending || lent.currentCommand !== null) return { ok: false, reason: `Session ${sessionId} is busy or ending; its location was not changed.` };
    // A PowerShell single-quoted literal: nothing in the path is expanded (typographic quotes count as quotes too).
    const command = `Set-Location -LiteralPath '${dir.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
    const cleared = markBusy(lent, command, null);
    try {
      const result = await lent.session.run(command, { hidden: true });
      if (result.cwd) lent.cwd = result.cwd;
      if (!result.success || !result.cwd) return { ok: false, reason: result.errors[0]?.message ?? result.message ?? `Set-Location to ${dir} failed.` };
      return { ok: true, cwd: result.cwd };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    } finally {
      cleared();
    }
  }

  /** Asks the approval gate whether the command may run (the session is summarizing, then held while a person decides). */
  private async approve(lent: Lent<S>, command: string, options: RunOptions & { workspace?: string | null }): Promise<Outcome> {
    const gate = this.deps.gate;
    if (!gate?.enabled) return { ok: true };
    const abort = new AbortController();
    lent.approvalAbort = abort;
    try {
      const verdict = await gate.check({
        clientId: lent.clientId,
        sessionId: lent.sessionId,
        command,
        ...(options.workspace !== undefined ? { workspace: options.workspace } : {}),
        ...(this.deps.host === LOCAL_HOST ? {} : { remoteHost: true }),
        signal: options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal,
        inspect: async (text) => {
          try {
            const r = await lent.session.run(text, { signal: abort.signal, hidden: true });
            return r.status === 'completed' && r.success && !r.truncated ? { ok: true, output: r.output } : { ok: false, reason: r.message ?? `the summary ended ${r.status}` };
          } catch (e) {
            return { ok: false, reason: (e as Error).message };
          }
        },
      });
      return verdict.allowed ? { ok: true } : { ok: false, reason: verdict.reason };
    } finally {
      lent.approvalAbort = null;
    }
  }
}

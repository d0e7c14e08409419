import type { CommandResult, SessionState } from '../../../common/shell.js';
import type { ApprovalGate } from '../approval/ApprovalGate.js';
import type { Disposable } from '../events/Emitter.js';
import type { PoshpoolConfig } from '../config/schema.js';
import type { EventBus } from '../events/EventBus.js';
import type { CommandRecorder } from '../history/CommandHistory.js';
import type { PoolSession } from '../pool/poolContract.js';
import type { ShellPool } from '../pool/ShellPool.js';
import type { InputResult, RunOptions } from '../shell/sessionContract.js';
import type { LearnedHolds } from './EtaEstimator.js';

/** What the scheduler needs of a session (PwshSession has it all). */
export interface ManagedShell extends PoolSession {
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  cancel(): boolean;
  /** The running command is being stopped (cancel, timeout): the session is idle again soon, without the caller's help. */
  readonly stopping: boolean;
  sendInput(text: string): InputResult;
  outputSoFar(): { seq: number; output: string; outputBytes: number; truncated: boolean } | undefined;
  onStateChange(listener: (state: SessionState) => void): Disposable;
}

/** What the scheduler asks of the approval rules before each command. */
export type CommandGate = Pick<ApprovalGate, 'enabled' | 'check' | 'waitingUntil' | 'forgetSession'>;

/** An answer that is either what was asked for or why not, in words. */
export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; reason: string };

/** What the manager does with a request that already has a session when it is cancelled. */
export type CancelMode = 'now' | 'afterCommand';

/** What a SessionManager works with. */
export interface SessionManagerDeps<S extends ManagedShell> {
  pool: ShellPool<S>;
  bus: EventBus;
  config: PoshpoolConfig;
  now?: () => number;
  /** Hold times learned by an earlier run (etaMemory.ts), so the first ETAs after a start are not guesses. */
  learnedHolds?: LearnedHolds;
  /** Approval rules: decides before each command whether it may run (ApprovalGate). */
  gate?: CommandGate;
  /** Told of each command's start and result and of each session's end (the dashboard's command history). */
  history?: CommandRecorder;
  /**
   * Where a newly lent session is: the pool's sessions start there and a reset (reset.ps1) takes
   * them back, so the dashboard shows a directory before a session's first command.
   */
  startDir?: string;
  /** The host this manager lends sessions of (`local`, or a config `hosts` name): in session info, queue entries and events. */
  host?: string;
}

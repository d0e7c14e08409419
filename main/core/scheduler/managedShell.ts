import type { CommandResult, SessionState } from '../../../common/shell.js';
import type { ApprovalGate } from '../approval/ApprovalGate.js';
import type { Disposable } from '../events/Emitter.js';
import type { PoolSession } from '../pool/ShellPool.js';
import type { InputResult, RunOptions } from '../shell/sessionContract.js';

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

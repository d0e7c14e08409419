import type * as Pty from '@lydell/node-pty';
import type { ShellConfig } from '../config/shellConfig.js';
import type { OutputStore } from '../jobs/OutputStore.js';
import type { Platform } from '../platform/Platform.js';
import type { ResolvedShell } from './discovery.js';
import type { RemoteTarget } from './remoteLaunch.js';

// The types a PwshSession is used through (re-exported by PwshSession.ts).

/** What a session needs to start. */
export interface PwshSessionOptions {
  shell: ResolvedShell;
  config: ShellConfig;
  outputStore: OutputStore;
  /** Directory under which the session makes its private temporary directory. */
  tempRoot: string;
  cwd?: string;
  /** Base environment (default: this process's). Variables named POSHPOOL_* never reach pwsh. */
  env?: Record<string, string | undefined>;
  /** The OS's decisions (default: this machine's). */
  platform?: Platform;
  /** The pseudo-terminal library (default: the one the platform names). Tests wrap it to shape the output as ConPTY does. */
  ptyModule?: PtyModule;
  /** Removes the session's private dir at the end (default: fs.rm with retries, for antivirus locks). */
  removeDir?: (dir: string) => Promise<void>;
  /** Run pwsh on another host through ssh (remoteLaunch.ts); absent: on this machine. */
  remote?: RemoteTarget;
}

/** What a session uses of a node-pty module (@lydell/node-pty and node-pty have the same API). */
export type PtyModule = Pick<typeof Pty, 'spawn'>;

/** Per-command options. */
export interface RunOptions {
  /** Time limit in ms (0 = none); default from the config. */
  timeoutMs?: number;
  /** Aborting it cancels the command. */
  signal?: AbortSignal;
  /** poshpool's own command (not an agent's): left out of the session's history (Get-History). */
  hidden?: boolean;
}

/** Raised for calls that do not fit the session's state (the scheduler prevents them). */
export class SessionError extends Error {
  constructor(
    readonly code: 'busy' | 'ended' | 'tooLong',
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export type InputResult = { ok: true } | { ok: false; reason: string };

/** A command is waiting for input. */
export interface InputWanted {
  seq: number;
  /** The row the cursor is on, e.g. "Name: ". */
  prompt: string;
  /** The last rows of the screen. */
  screenTail: string;
}

/** How pwsh ended. */
export interface SessionExit {
  exitCode: number;
  signal?: number;
  /** Why, in words. */
  reason: string;
}

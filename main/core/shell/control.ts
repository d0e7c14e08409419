import type { ShellConfig } from '../config/shellConfig.js';
import type { Platform } from '../platform/Platform.js';
import { killDescendants, killProcesses, waitUntilEnded } from './processTree.js';

/** How long a launcher (pty process that runs pwsh as a child) gets to exit after pwsh was killed. */
const LAUNCHER_EXIT_WAIT_MS = 300;
/** How long killed leftovers of a stopped command get to be gone before its result is given. */
const LEFTOVERS_EXIT_WAIT_MS = 1000;

/** The parts of a pty process that stopping and killing need. */
export interface ControlledProcess {
  /** The pty's process (pwsh, or a launcher that runs it). */
  readonly ptyPid: number | undefined;
  /** pwsh's own pid, as pwsh reported it. */
  readonly shellPid: number | undefined;
  /** When the pty's process had started at the latest (epoch ms): a later process with its pid is a stranger. */
  readonly startedBy: number | undefined;
  /** The session's tag (processTree.ts SESSION_TAG_VARIABLE): finds what left the pty's session. */
  readonly tag: string | undefined;
  /** True once the pty's process has exited. */
  readonly exited: boolean;
  write(data: string): void;
  /** Signals the pty's process (POSIX) or closes the pseudoconsole (Windows). */
  kill(signal?: string): void;
  /** Resolves true when the pty's process exits within `ms`, false otherwise. */
  waitForExit(ms: number): Promise<boolean>;
}

/** One stop under way: Ctrl+C repeated, then the command's processes killed, then pwsh. */
export interface StopHandle {
  cancel(): void;
}

/**
 * Stops the running command: Ctrl+C now and every interruptRepeatMs; after cancelGraceMs everything
 * the command started (since `commandStartedAt`, epoch ms) is killed (pwsh itself spared, so it can
 * return to its prompt, and what earlier commands left running too); after a further killGraceMs
 * `giveUp` is called (the caller ends the whole session).
 */
export function beginStop(proc: ControlledProcess, platform: Platform, config: ShellConfig, commandStartedAt: number, stillRunning: () => boolean, giveUp: () => void): StopHandle {
  const timers: NodeJS.Timeout[] = [];
  const interrupt = (): void => {
    if (stillRunning()) proc.write('\x03');
  };
  interrupt();
  timers.push(setInterval(interrupt, config.interruptRepeatMs));
  timers.push(
    setTimeout(() => {
      if (!stillRunning()) return;
      const pid = proc.ptyPid;
      // A failed read of the process table leaves the last resort below to end it.
      if (pid !== undefined) void killCommandProcesses(proc, platform, commandStartedAt).catch(() => undefined);
      timers.push(
        setTimeout(() => {
          if (stillRunning()) giveUp();
        }, config.killGraceMs),
      );
    }, config.cancelGraceMs),
  );
  return {
    cancel() {
      for (const t of timers) clearTimeout(t);
      timers.length = 0;
    },
  };
}

/**
 * Kills what one command started (since `commandStartedAt`, epoch ms), wherever it went: children,
 * orphans left in the pty's session, and tagged processes that left it (setsid, daemonized). pwsh
 * itself is spared. Returns the pids that were signalled.
 */
export async function killCommandProcesses(proc: ControlledProcess, platform: Platform, commandStartedAt: number): Promise<number[]> {
  const pid = proc.ptyPid;
  if (pid === undefined || proc.exited) return [];
  const spared = proc.shellPid !== undefined ? [proc.shellPid] : [];
  const killed = await killDescendants(pid, platform, spared, proc.startedBy, { tag: proc.tag, since: commandStartedAt });
  // The result says they were ended: they are gone when it is given.
  await waitUntilEnded(killed, platform, LEFTOVERS_EXIT_WAIT_MS);
  return killed;
}

/** Ends pwsh and everything it started. */
export async function killSession(proc: ControlledProcess, platform: Platform): Promise<void> {
  const pid = proc.ptyPid;
  if (pid === undefined || proc.exited) return;
  try {
    await killDescendants(pid, platform, [], proc.startedBy, { tag: proc.tag });
  } catch {
    // The process table could not be read; killing pwsh below still ends the session.
  }
  if (platform.isWindows) {
    // taskkill /T /F ends the tree by parent ids; closing the pseudoconsole then sends
    // CTRL_CLOSE_EVENT to every process still attached to it (microsoft/terminal#16443, #4050), which
    // catches console children whose parent died first. A process that left the console (a new window,
    // DETACHED_PROCESS) escapes both: a Job Object would catch it (issue 14, Reliability).
    await killProcesses([pid], platform);
    proc.kill();
    return;
  }
  // A launcher ends by itself once pwsh is gone, collecting pwsh's exit status; kill it only if it lingers.
  if (!(await proc.waitForExit(LAUNCHER_EXIT_WAIT_MS)) && !proc.exited) proc.kill('SIGKILL');
}

import type { CommandResult } from '../../../common/shell.js';
import type { ShellConfig } from '../config/shellConfig.js';
import type { Disposable } from '../events/Emitter.js';
import type { Platform } from '../platform/Platform.js';
import { beginStop, killCommandProcesses, killSession, type ControlledProcess } from './control.js';
import { removeHostPipes } from './hostPipes.js';
import { killDescendants } from './processTree.js';
import type { RemoteTarget } from './remoteLaunch.js';
import type { Running } from './runningCommand.js';
import type { SessionExit } from './sessionContract.js';
import { addNote, endedNote, endLeftoversCommand, leftoversVerdict } from './sessionLeftovers.js';
import { describeSshFailure } from './sshErrors.js';

/** What stopping and killing use of the pty's process (node-pty's IPty has it). */
export interface PtyHandle {
  readonly pid: number;
  write(data: string): void;
  kill(signal?: string): void;
}

/** The session as its control sees it. */
export interface ControlHost {
  readonly platform: Platform;
  readonly config: ShellConfig;
  /** In every process the session starts (processTree.ts SESSION_TAG_VARIABLE). */
  readonly tag: string;
  /** pwsh runs on another host, through ssh. */
  readonly remote: RemoteTarget | undefined;
  /** The pty's process, once started. */
  proc(): PtyHandle | undefined;
  /** pwsh's own pid as pwsh reported it (the pty's may be a launcher's). */
  shellPid(): number | undefined;
  /** Epoch ms right after the pty's process was started. */
  spawnedAt(): number | undefined;
  /** pwsh has ended. */
  exited(): boolean;
  /** Fires once when pwsh has ended. */
  onExit(listener: () => void): Disposable;
  /** The command running now. */
  current(): Running | undefined;
  /**
   * Runs poshpool's own command in the session (out of its history), whatever its state: a stopped
   * command's result waits for it; the session's state is left as it was. Rejects when the session has ended.
   */
  runOwn(command: string, timeoutMs: number): Promise<CommandResult>;
}

/**
 * Stopping a session's command and ending the session: Ctrl+C (repeated), then the processes the
 * command started, then pwsh itself (control.ts); and, once a stopped command has its result, what it
 * left running in the background, before the session takes the next command.
 */
export class SessionControl {
  private reason: string | undefined;
  /** Ending what a stopped command left running, before the session takes the next command. */
  private leftovers: Promise<void> | undefined;

  constructor(private readonly host: ControlHost) {}

  /** Why poshpool ended pwsh, once it has set out to. */
  get killReason(): string | undefined {
    return this.reason;
  }

  /** What a stopped command left running is being ended. */
  get endingLeftovers(): boolean {
    return this.leftovers !== undefined;
  }

  /** Stops the running command; false when there is none to stop (or it has already ended). */
  stop(reason: 'cancelled' | 'timedOut'): boolean {
    const r = this.host.current();
    if (!r || r.report || r.reportProblem) return false;
    if (r.stopReason) return true;
    r.stopReason = reason;
    if (r.started) this.beginInterrupt(r);
    return true;
  }

  /** Ctrl+C into a started command, then the kills (control.ts beginStop). */
  beginInterrupt(r: Running): void {
    r.interrupted = true;
    r.stop = beginStop(
      this.controlled(),
      this.host.platform,
      this.host.config,
      r.calledAtEpochMs,
      () => this.host.current() === r && !r.report,
      () =>
        void this.killAll(
          this.host.remote
            ? `the command did not stop after Ctrl+C; poshpool ended the ssh connection to ${this.host.remote.name}, and with it the session there`
            : 'the command did not stop after Ctrl+C and killing its child processes',
        ),
    );
  }

  clearStopTimers(r: Running): void {
    r.stop?.cancel();
    r.stop = undefined;
    if (r.timeout) clearTimeout(r.timeout);
    r.timeout = undefined;
  }

  /** Ends pwsh and everything it started, and waits (bounded) until pwsh has exited. */
  async end(why: string): Promise<void> {
    const h = this.host;
    if (!h.proc() || h.exited()) return;
    const exited = new Promise<void>((resolve) => {
      const sub = h.onExit(() => {
        sub.dispose();
        resolve();
      });
    });
    await this.killAll(why);
    await Promise.race([exited, delay(h.config.killGraceMs * 3)]);
  }

  /** Ends pwsh and everything it started; `why` goes in the session's exit reason. */
  async killAll(why: string): Promise<void> {
    if (this.host.proc()?.pid === undefined || this.host.exited()) return;
    this.reason ??= why;
    await killSession(this.controlled(), this.host.platform);
  }

  /**
   * Ctrl+C ends the foreground process, not what it started in the background (`cmd &`, nohup,
   * setsid): a stopped command's processes are ended, then `then` gets its result (with a note of
   * what was ended). On another host pwsh, back at its prompt, ends them itself (leftovers.ps1).
   */
  endLeftovers(r: Running, result: CommandResult, then: (result: CommandResult) => void): void {
    this.leftovers = (async () => {
      const remote = this.host.remote;
      let ended: number[] = [];
      if (remote) {
        // A command that never began there started nothing.
        const verdict = r.started ? await this.endOnHost(r.seq) : { ok: true as const, pids: [] };
        if (verdict.ok) ended = verdict.pids;
        else addNote(result, `poshpool could not end what the command left running on ${remote.name} (${verdict.reason}).`);
      } else {
        try {
          ended = await killCommandProcesses(this.controlled(), this.host.platform, r.calledAtEpochMs);
        } catch {
          // The process table could not be read: nothing more can be found; the session's end still kills its tree.
        }
      }
      this.leftovers = undefined;
      if (ended.length > 0) addNote(result, endedNote(ended, remote?.name));
      then(result);
    })();
  }

  /**
   * Ends what the session's commands left running (`Start-Process`, `cmd &`: they belong to the client
   * that ran them), pwsh spared; why not, when the process table could not be read. On another host
   * pwsh ends them there (leftovers.ps1); ssh's own children here (a ProxyCommand) must stay.
   */
  async endChildren(): Promise<string | undefined> {
    const h = this.host;
    if (h.remote) {
      const verdict = await this.endOnHost(0);
      return verdict.ok ? undefined : `what its commands left running on ${h.remote.name} could not be ended: ${verdict.reason}`;
    }
    const ptyPid = h.proc()?.pid;
    const shellPid = h.shellPid();
    if (ptyPid === undefined) return undefined;
    try {
      await killDescendants(ptyPid, h.platform, shellPid !== undefined ? [shellPid] : [], h.spawnedAt(), { tag: h.tag });
      return undefined;
    } catch (e) {
      return `its child processes could not be listed: ${(e as Error).message}`;
    }
  }

  /** How pwsh ended, in words: who ended it, a lost connection in ssh's words (`screenTail`), a signal or its exit code. */
  exitOf(exitCode: number, signal: number | undefined, screenTail: () => string): SessionExit {
    const remote = this.host.remote;
    // ssh exits with 255 for its own errors (the connection), else with the remote command's code.
    const lost = remote && !this.reason && exitCode === 255 ? describeSshFailure(screenTail(), remote.destination, remote.pwsh, exitCode, remote.knownHostsFile) : undefined;
    const reason = this.reason
      ? `poshpool ended pwsh (${this.reason})`
      : lost
        ? `${lost.message.charAt(0).toUpperCase()}${lost.message.slice(1)} The session on ${remote!.name} has ended; start a new one (poshpool starts it when the host is back).`
        : signal
          ? `${remote ? 'ssh' : 'pwsh'} was ended by signal ${signal}`
          : `pwsh${remote ? ` on ${remote.name}` : ''} exited with code ${exitCode}`;
    return { exitCode, signal: signal || undefined, reason };
  }

  /** Once pwsh has ended: whatever is left of the pty's session goes too, and pwsh's host socket (in `tmpDir`). */
  async afterExit(tmpDir: string): Promise<void> {
    const h = this.host;
    const ptyPid = h.proc()?.pid;
    if (ptyPid !== undefined) {
      // Pwsh behind a launcher that died, its children.
      await killDescendants(ptyPid, h.platform, [], h.spawnedAt(), { tag: this.localTag }).catch(() => undefined);
    }
    if (!h.platform.isWindows && !h.remote) {
      // pwsh's Enter-PSHostProcess socket, which only a clean exit of pwsh removes (hostPipes.ts).
      const ours = new Set([ptyPid, h.shellPid()]);
      removeHostPipes(tmpDir, (pid) => ours.has(pid));
    }
  }

  /** Ends on the host what command `seq` (0: any command) started there; the pids, or why not. */
  private async endOnHost(seq: number): Promise<{ ok: true; pids: number[] } | { ok: false; reason: string }> {
    try {
      return leftoversVerdict(await this.host.runOwn(endLeftoversCommand(seq), this.host.config.resetTimeoutMs));
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }

  /**
   * The tag that finds the session's processes in this machine's table. A remote session's processes
   * are in another table (leftovers.ps1 finds them there); here the tag is only in ssh's environment.
   */
  private get localTag(): string | undefined {
    return this.host.remote ? undefined : this.host.tag;
  }

  /** The pty process as stopping and killing see it. */
  private controlled(): ControlledProcess {
    const h = this.host;
    return {
      ptyPid: h.proc()?.pid,
      shellPid: h.shellPid(),
      startedBy: h.spawnedAt(),
      tag: this.localTag,
      exited: h.exited(),
      write: (data) => h.proc()?.write(data),
      kill: (signal) => h.proc()?.kill(signal),
      waitForExit: (ms) =>
        new Promise<boolean>((resolve) => {
          if (h.exited()) return resolve(true);
          const sub = h.onExit(() => {
            sub.dispose();
            resolve(true);
          });
          setTimeout(() => resolve(false), ms).unref();
        }),
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

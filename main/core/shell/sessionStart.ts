import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Platform } from '../platform/Platform.js';
import { CANNOT_START, prepareLaunch, type Launch } from './launch.js';
import { BootFeeder, planRemoteLaunch } from './remoteLaunch.js';
import type { PtyModule, PwshSessionOptions } from './sessionContract.js';
import { SESSION_TAG_FILE } from './sessionDirs.js';
import { describeSshFailure } from './sshErrors.js';
import { TerminalScreen, type TerminalScreenOptions } from './TerminalScreen.js';

/** What poshpool's terminal answers ConPTY's start-up device attributes query: VT level 1 conformance with ANSI colour. */
const CONPTY_DEVICE_ATTRIBUTES = '\x1b[?61;22c';

/** The process a pty module starts (node-pty's IPty), known through the session's contract only. */
export type PtyProcess = ReturnType<PtyModule['spawn']>;

/** The session as its start-up sees it. */
export interface StartHost {
  readonly options: PwshSessionOptions;
  readonly platform: Platform;
  /** The session's private dir (user-only). */
  readonly tempDir: string;
  readonly nonce: string;
  readonly fence: string;
  readonly tag: string;
  /** The last rows of the screen. */
  screenTail(rows: number): string;
  /** The pty process's exit code, once it has exited. */
  exitCode(): number | undefined;
  /** Types into the pty. */
  write(data: string): void;
  /** The pty's process has been started: the session keeps it and listens to it. */
  spawned(proc: PtyProcess): void;
  /** pwsh's first prompt is up: the session is idle. */
  started(): void;
  /** Ends pwsh and everything it started. */
  killAll(why: string): Promise<void>;
}

/**
 * Starting a session's pwsh: the launch (a local bootstrap that loads the integration script from
 * the private dir, or ssh to another host, which is typed the script over its input), the pty, and
 * the wait for the first prompt, with a reason in words when there is none.
 */
export class SessionStartup {
  private plan: Launch | undefined;
  /** Types the integration script into a starting remote session. */
  private bootFeeder: BootFeeder | undefined;
  private ready: { resolve(): void; reject(reason: string): void } | undefined;

  constructor(private readonly host: StartHost) {}

  /** What pwsh (or ssh) was started with. */
  get launch(): Launch | undefined {
    return this.plan;
  }

  /** Handles one OSC's data; true when it was a remote bootstrap's acknowledgement (not a marker). */
  handleBoot(data: string): boolean {
    return this.bootFeeder?.handle(data) ?? false;
  }

  /** pwsh's first prompt came: true when the start was waiting for it. */
  resolve(): boolean {
    if (!this.ready) return false;
    this.ready.resolve();
    return true;
  }

  /** The start failed (pwsh ended, the session was closed); nothing when it is not under way. */
  reject(why: string): void {
    this.ready?.reject(why);
  }

  /** Starts pwsh; resolves once its first prompt is up, or with why it is not. */
  async start(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const h = this.host;
    const { shell, config } = h.options;
    let pty: PtyModule;
    try {
      pty = h.options.ptyModule ?? ((await import(h.platform.pty.module)) as PtyModule);
    } catch (e) {
      return { ok: false, reason: `the terminal library ${h.platform.pty.module} could not be loaded (${(e as Error).message}); reinstall poshpool (npm ci).` };
    }
    const remote = h.options.remote;
    const where = remote ? `PowerShell on ${remote.name} (${remote.destination}, "${remote.pwsh}")` : `PowerShell at "${shell.path}"`;
    try {
      const input = {
        shell,
        config,
        platform: h.platform,
        tempDir: h.tempDir,
        nonce: h.nonce,
        fence: h.fence,
        baseEnv: h.options.env ?? process.env,
        sessionTag: h.tag,
      };
      if (remote) {
        const planned = planRemoteLaunch(input, remote);
        this.plan = { ...planned, scriptFile: '' };
        this.bootFeeder = new BootFeeder(planned.scriptLines, planned.bootId, (data) => h.write(data));
      } else {
        this.plan = prepareLaunch(input);
      }
      // The tag, where the next start of poshpool finds it if this one dies without ending the session.
      writeFileSync(h.platform.path.join(h.tempDir, SESSION_TAG_FILE), h.tag, { mode: 0o600 });
    } catch (e) {
      return { ok: false, reason: `${where} could not be prepared: ${(e as Error).message}` };
    }
    const launch = this.plan;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ready?.reject(`no prompt within ${config.startTimeoutMs} ms (config shell.startTimeoutMs)`);
        void h.killAll('start-up timed out');
      }, config.startTimeoutMs);
      this.ready = {
        resolve: () => {
          clearTimeout(timer);
          this.ready = undefined;
          // The script holds the nonce: it has been read, and it goes.
          if (launch.scriptFile) rmSync(launch.scriptFile, { force: true });
          this.bootFeeder = undefined;
          h.started();
          resolve({ ok: true });
        },
        reject: (why) => {
          clearTimeout(timer);
          this.ready = undefined;
          resolve({ ok: false, reason: startFailure(where, why, h.screenTail(15), h.options, h.exitCode()) });
        },
      };
      let proc: PtyProcess;
      try {
        proc = pty.spawn(launch.file, launch.args, {
          name: 'xterm-256color',
          cols: config.cols,
          rows: config.rows,
          cwd: h.options.cwd ?? (config.cwd || os.homedir()),
          env: launch.env,
          ...h.platform.pty.spawnOptions,
        });
      } catch (e) {
        this.ready.reject(remote ? `ssh could not be started (${(e as Error).message}); install the OpenSSH client` : `${(e as Error).message}. Check the path, or set "shell.path" in the config to the full path of pwsh`);
        return;
      }
      h.spawned(proc);
    });
  }
}

/** The terminal a session's output is rendered on, shaped as its pty draws (ConPTY's repaints, or passed-through bytes). */
export function sessionScreen(options: PwshSessionOptions, platform: Platform, hooks: Pick<TerminalScreenOptions, 'onReply' | 'onMarker' | 'onParsed'>): TerminalScreen {
  const c = options.config;
  // A Windows host's sshd runs pwsh in a pseudo console: its output arrives shaped by ConPTY as a local one's does.
  const conptyShaped = platform.pty.conpty || options.remote?.windows === true;
  return new TerminalScreen({
    cols: c.cols,
    rows: c.rows,
    scrollback: c.scrollbackRows,
    oscNumber: c.oscNumber,
    // A slice never holds more line feeds than the scrollback has rows, so no row is trimmed unread.
    sliceChars: Math.max(256, Math.floor(c.scrollbackRows / 2)),
    windowsPty: platform.pty.conpty ? { backend: 'conpty', buildNumber: windowsBuild(os.release()) } : conptyShaped ? { backend: 'conpty' } : undefined,
    deviceAttributes: conptyShaped ? CONPTY_DEVICE_ATTRIBUTES : undefined,
    passThrough: !conptyShaped,
    ...hooks,
  });
}

/** The build number in a Windows release string such as "10.0.22631". */
export function windowsBuild(release: string): number {
  const build = Number(release.split('.')[2]);
  return Number.isInteger(build) ? build : 0;
}

/**
 * Why a start failed, in words: the bootstrap's own refusal (a restricted language mode, no VT), else
 * ssh's error for a remote host, else `why` with the last screen rows.
 */
function startFailure(where: string, why: string, tail: string, options: PwshSessionOptions, exitCode: number | undefined): string {
  const remote = options.remote;
  const refusal = tail.split('\n').find((line) => line.startsWith(CANNOT_START));
  const ssh = remote && !refusal ? describeSshFailure(tail, remote.destination, remote.pwsh, exitCode, remote.knownHostsFile) : undefined;
  return refusal
    ? `${where} did not start: ${refusal.slice(CANNOT_START.length).trim()}`
    : ssh
      ? `${where} did not start: ${ssh.message}`
      : `${where} did not start: ${why}.${tail ? `\nLast screen output:\n${tail}` : ''}`;
}

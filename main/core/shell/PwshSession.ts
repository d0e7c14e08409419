import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type * as Pty from '@lydell/node-pty';
import type { CommandResult, SessionState } from '../../../common/shell.js';
import { Emitter, type Disposable } from '../events/Emitter.js';
import { currentPlatform, type Platform } from '../platform/Platform.js';
import { buildCommandLines, MAX_LINE_CHARS } from './commandLine.js';
import { beginStop, killCommandProcesses, killSession, type ControlledProcess } from './control.js';
import { CANNOT_START, prepareLaunch, type Launch } from './launch.js';
import { InputWatch } from './InputWatch.js';
import { decodeEndPayload, END_RECORD_IN_FILE, END_RECORD_IN_PIECES, parseMarker, parseReadyPayload, type Marker, type ShellFacts } from './markers.js';
import { OutputCollector } from './OutputCollector.js';
import { finishWhenPwshEnded, readEndRecordFile, resultOf, type Finish, type Running } from './runningCommand.js';
import { removeHostPipes } from './hostPipes.js';
import { BootFeeder, planRemoteLaunch } from './remoteLaunch.js';
import { describeSshFailure } from './sshErrors.js';
import { SESSION_TAG_FILE } from './sessionDirs.js';
import { killDescendants } from './processTree.js';
import { TerminalFilter } from './TerminalFilter.js';
import { TerminalScreen } from './TerminalScreen.js';
import { SessionError, type InputResult, type InputWanted, type PtyModule, type PwshSessionOptions, type RunOptions, type SessionExit } from './sessionContract.js';

export type StartResult = { ok: true; session: PwshSession } | { ok: false; reason: string };
export { SessionError } from './sessionContract.js';
export type { PwshSessionOptions, PtyModule, RunOptions, InputResult, InputWanted, SessionExit } from './sessionContract.js';

/** What poshpool's terminal answers ConPTY's start-up device attributes query: VT level 1 conformance with ANSI colour. */
const CONPTY_DEVICE_ATTRIBUTES = '\x1b[?61;22c';
/** The command that runs the reset defined by reset.ps1, and its verdict lines. */
const RESET_COMMAND = '& $global:__poshpool.Reset';
const RESET_OK = 'poshpool-reset:ok';
const RESET_DIRTY = 'poshpool-reset:dirty:';
/** Attempts and delay of the removal of a session's private dir (an antivirus scan can hold a file: EBUSY/EPERM). */
const REMOVE_RETRIES = 5;
const REMOVE_RETRY_DELAY_MS = 200;

/**
 * One pwsh process on a pseudo-terminal. The only module that loads node-pty.
 * Runs one command at a time and reports exactly what pwsh reported: output, error records, the real
 * exit code and the working directory. Cancels with Ctrl+C and, when that is not enough, kills what
 * the command started, then pwsh itself; every call gets an answer.
 */
export class PwshSession {
  readonly id = randomUUID();
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly fence = `#poshpool-fence-${randomBytes(6).toString('hex')}`;
  /** In every process the session starts (processTree.ts SESSION_TAG_VARIABLE); not a secret. */
  private readonly tag = randomUUID();
  /** Ending what a stopped command left running, before the session takes the next command. */
  private stopCleanup: Promise<void> | undefined;
  private readonly platform: Platform;
  private readonly tempDir: string;
  private readonly screen: TerminalScreen;
  private proc: Pty.IPty | undefined;
  private launch: Launch | undefined;
  private seq = 0;
  private _state: SessionState = 'starting';
  private current: Running | undefined;
  private ready: { resolve(): void; reject(reason: string): void } | undefined;
  private partAck: ((count: number) => void) | undefined;
  private exitInfo: SessionExit | undefined;
  private readonly inputWatch: InputWatch;
  private disposing: Promise<void> | undefined;
  private killReason: string | undefined;
  private readPaused = false;
  /** pwsh's own process id as pwsh reports it (the pty's pid may be a launcher's); never set for a session on another host. */
  private shellPid: number | undefined;
  /** pwsh's process id on the other host (a remote session's; meaningless here: never signalled). */
  private remoteShellPid: number | undefined;
  /** Types the integration script into a starting remote session. */
  private bootFeeder: BootFeeder | undefined;
  private shellFacts: ShellFacts | undefined;
  /** Epoch ms right after the pty's process was started. */
  private spawnedAt: number | undefined;
  private cleanup: string | undefined;
  private readonly stateEmitter = new Emitter<SessionState>();
  private readonly inputEmitter = new Emitter<InputWanted>();
  private readonly exitEmitter = new Emitter<SessionExit>();
  private readonly terminalEmitter = new Emitter<string>();
  private readonly terminalFilter: TerminalFilter;

  /** Fires on every state change. */
  readonly onStateChange = this.stateEmitter.event;
  /** Fires when a running command seems to wait for input. */
  readonly onInputWanted = this.inputEmitter.event;
  /** Fires once when pwsh has ended. */
  readonly onExit = this.exitEmitter.event;
  /**
   * What a person watching the session's terminal sees, as it arrives: the raw pty stream of the
   * commands' output without poshpool's own traffic (TerminalFilter.ts), poshpool's own commands left out.
   */
  readonly onTerminalData = this.terminalEmitter.event;

  private constructor(private readonly options: PwshSessionOptions) {
    this.platform = options.platform ?? currentPlatform();
    this.tempDir = mkdtempSync(this.platform.path.join(options.tempRoot, 'session-'));
    const c = options.config;
    // A Windows host's sshd runs pwsh in a pseudo console: its output arrives shaped by ConPTY as a local one's does.
    const conptyShaped = this.platform.pty.conpty || options.remote?.windows === true;
    this.screen = new TerminalScreen({
      cols: c.cols,
      rows: c.rows,
      scrollback: c.scrollbackRows,
      oscNumber: c.oscNumber,
      // A slice never holds more line feeds than the scrollback has rows, so no row is trimmed unread.
      sliceChars: Math.max(256, Math.floor(c.scrollbackRows / 2)),
      windowsPty: this.platform.pty.conpty ? { backend: 'conpty', buildNumber: windowsBuild(os.release()) } : conptyShaped ? { backend: 'conpty' } : undefined,
      deviceAttributes: conptyShaped ? CONPTY_DEVICE_ATTRIBUTES : undefined,
      passThrough: !conptyShaped,
      onReply: (data) => this.proc?.write(data),
      onMarker: (data) => this.handleMarker(data),
      onParsed: (backlog) => {
        if (this.readPaused && backlog <= c.maxRenderBacklogChars / 4) {
          this.readPaused = false;
          this.proc?.resume();
        }
      },
    });
    this.inputWatch = new InputWatch(c.inputIdleMs, this.screen);
    this.terminalFilter = new TerminalFilter({ fence: this.fence, oscNumber: c.oscNumber, nonce: this.nonce });
  }

  /** Starts pwsh and resolves once its first prompt is up. */
  static async start(options: PwshSessionOptions): Promise<StartResult> {
    const session = new PwshSession(options);
    const started = await session.spawn();
    if (started.ok) return { ok: true, session };
    await session.dispose();
    return started;
  }

  get state(): SessionState {
    return this._state;
  }

  /** The running command is being stopped (cancel or timeout); it finishes within the cancel and kill graces. */
  get stopping(): boolean {
    return this.current?.stopReason !== undefined || this.stopCleanup !== undefined;
  }

  /** pwsh's own process id (as pwsh reports it); for a session on another host, the local ssh client's. */
  get pid(): number | undefined {
    return this.shellPid ?? this.proc?.pid;
  }

  /** The host pwsh runs on: undefined for this machine, else the config's name of the host. */
  get host(): string | undefined {
    return this.options.remote?.name;
  }

  /** pwsh's process id on the other host, for a remote session (as pwsh reports it). */
  get remotePid(): number | undefined {
    return this.remoteShellPid;
  }

  /** The process the pty started: pwsh, or a launcher that runs it (the dotnet tool shim does). */
  get ptyPid(): number | undefined {
    return this.proc?.pid;
  }

  /** What pwsh said about itself at its first prompt (version, edition, language mode, execution policy). */
  get facts(): ShellFacts | undefined {
    return this.shellFacts;
  }

  /** The command line pwsh was started with, as the OS saw it. */
  get commandLine(): string | undefined {
    return this.launch?.commandLine;
  }

  /** How pwsh ended, once it has. */
  get exit(): SessionExit | undefined {
    return this.exitInfo;
  }

  /** Why the session's private dir could not be removed at the end, if it could not. */
  get cleanupProblem(): string | undefined {
    return this.cleanup;
  }

  /** What the running command has printed so far (head and tail when long), or undefined when idle. */
  outputSoFar(): { seq: number; output: string; outputBytes: number; truncated: boolean } | undefined {
    const r = this.current;
    if (!r) return undefined;
    if (!r.started) return { seq: r.seq, output: '', outputBytes: 0, truncated: false };
    return { seq: r.seq, ...r.collector.snapshot(this.screen.peekCapture()) };
  }

  /** The last rows of the screen (for diagnostics and input prompts). */
  screenTail(rows = 10): string {
    return this.screen.tail(rows);
  }

  /** Runs one command. Rejects with SessionError only when the session cannot take a command now. */
  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    if (this._state === 'ended' || this.disposing) {
      return Promise.reject(new SessionError('ended', `Session ${this.id} has ended${this.exitInfo ? `: ${this.exitInfo.reason}` : ''}; start a new one.`));
    }
    if (this._state !== 'idle') {
      return Promise.reject(new SessionError('busy', `Session ${this.id} is ${this._state}; wait for its command to finish or cancel it.`));
    }
    const c = this.options.config;
    if (command.length > c.maxCommandChars) {
      return Promise.reject(new SessionError('tooLong', `The command has ${command.length} characters; the limit is ${c.maxCommandChars} (config shell.maxCommandChars). Put long scripts in a .ps1 file and run that.`));
    }
    this.seq++;
    const seq = this.seq;
    if (options.hidden === true || command === RESET_COMMAND) this.terminalFilter.hide(seq);
    return new Promise<CommandResult>((resolve) => {
      const running: Running = {
        seq,
        startedAt: performance.now(),
        calledAtEpochMs: Date.now(),
        started: false,
        settled: false,
        collector: new OutputCollector(c.outputCapBytes, this.options.outputStore),
        resolve,
      };
      this.current = running;
      this.setState('running');
      const timeoutMs = options.timeoutMs ?? c.commandTimeoutMs;
      if (timeoutMs > 0) running.timeout = setTimeout(() => this.stop('timedOut'), timeoutMs);
      if (options.signal) {
        const onAbort = (): void => void this.stop('cancelled');
        if (options.signal.aborted) queueMicrotask(onAbort);
        else {
          options.signal.addEventListener('abort', onAbort, { once: true });
          running.abortCleanup = () => options.signal?.removeEventListener('abort', onAbort);
        }
      }
      void this.send(command, running, options.hidden === true);
    });
  }

  /**
   * Puts an idle session back as it was at start-up (reset.ps1: variables, functions, aliases,
   * modules, drives, environment, location, jobs, runspaces, events, history, $Error) and ends what
   * its commands left running, then checks the result. A session that is not clean afterwards must
   * not be lent again (the pool ends it and starts a fresh one).
   */
  async reset(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this._state !== 'idle' || this.disposing) return { ok: false, reason: `the session is ${this.disposing ? 'ending' : this._state}` };
    const result = await this.run(RESET_COMMAND, { timeoutMs: this.options.config.resetTimeoutMs });
    if (result.status !== 'completed' || !result.sessionAlive) return { ok: false, reason: `the reset did not complete (${result.status}${result.message ? `: ${result.message}` : ''})` };
    const verdict = result.output.trimEnd().split('\n').pop() ?? '';
    if (verdict !== RESET_OK) {
      return { ok: false, reason: verdict.startsWith(RESET_DIRTY) ? verdict.slice(RESET_DIRTY.length) : `the reset said ${JSON.stringify(result.output.slice(-200))}` };
    }
    // Processes a command left behind (`Start-Process`, `cmd &`) belong to the client that ran it.
    // On another host they are not in this process table (the reset ended its jobs; what detached
    // lives until the connection ends): ssh's own children (a ProxyCommand) must stay.
    const ptyPid = this.options.remote ? undefined : this.proc?.pid;
    const spared = this.shellPid !== undefined ? [this.shellPid] : [];
    if (ptyPid !== undefined) {
      try {
        await killDescendants(ptyPid, this.platform, spared, this.spawnedAt, { tag: this.tag });
      } catch (e) {
        return { ok: false, reason: `its child processes could not be listed: ${(e as Error).message}` };
      }
    }
    return this._state === 'idle' ? { ok: true } : { ok: false, reason: `the session is ${this._state} after its reset` };
  }

  /**
   * Stops the running command: Ctrl+C (repeated), then after the grace period the processes it
   * started are killed, then pwsh itself. Returns false when nothing is running.
   */
  cancel(): boolean {
    return this.stop('cancelled');
  }

  /** Types text (and Enter) into the running command, e.g. an answer to Read-Host. */
  sendInput(text: string): InputResult {
    if (!this.current || (this._state !== 'running' && this._state !== 'waitingForInput')) {
      return { ok: false, reason: `Session ${this.id} is ${this._state}: no command is running to receive input.` };
    }
    const max = this.options.config.maxInputChars;
    if (text.length > max) {
      return { ok: false, reason: `Input has ${text.length} characters; at most ${max} can be sent at once (split it).` };
    }
    this.proc?.write(`${text.replace(/\r?\n/g, '\r')}\r`);
    this.inputWatch.reset();
    if (this._state === 'waitingForInput') this.setState('running');
    return { ok: true };
  }

  /**
   * Ends pwsh and everything it started, and removes the session's temporary files. `why` says who
   * ended it (e.g. "poshpool is shutting down"); a command cut short is told so in its result.
   */
  dispose(why = 'the session was ended'): Promise<void> {
    this.disposing ??= this.disposeNow(why);
    return this.disposing;
  }

  private async disposeNow(why: string): Promise<void> {
    const proc = this.proc;
    if (proc && !this.exitInfo) {
      const exited = new Promise<void>((resolve) => {
        const sub = this.exitEmitter.event(() => {
          sub.dispose();
          resolve();
        });
      });
      await this.killAll(why);
      await Promise.race([exited, delay(this.options.config.killGraceMs * 3)]);
    }
    if (this.current) this.finish(this.current, { status: this.current.stopReason ?? 'sessionEnded', message: 'The session was closed while the command ran.' });
    this.inputWatch.stop();
    this.ready?.reject('the session was closed during start-up');
    this.screen.dispose();
    await this.removeTempDir();
    this.setState('ended');
    this.stateEmitter.dispose();
    this.inputEmitter.dispose();
    this.exitEmitter.dispose();
    this.terminalEmitter.dispose();
  }

  private async removeTempDir(): Promise<void> {
    const remove = this.options.removeDir ?? ((dir: string) => rm(dir, { recursive: true, force: true, maxRetries: REMOVE_RETRIES, retryDelay: REMOVE_RETRY_DELAY_MS }));
    try {
      await remove(this.tempDir);
    } catch (e) {
      // Still locked after the retries (an antivirus scan, an editor): the session has ended all the
      // same; the pool's sweep of stale session dirs removes it later.
      this.cleanup = `${this.tempDir} could not be removed: ${(e as Error).message}`;
    }
  }

  private async spawn(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const { shell, config } = this.options;
    let pty: PtyModule;
    try {
      pty = this.options.ptyModule ?? ((await import(this.platform.pty.module)) as PtyModule);
    } catch (e) {
      return { ok: false, reason: `the terminal library ${this.platform.pty.module} could not be loaded (${(e as Error).message}); reinstall poshpool (npm ci).` };
    }
    const remote = this.options.remote;
    const where = remote ? `PowerShell on ${remote.name} (${remote.destination}, "${remote.pwsh}")` : `PowerShell at "${shell.path}"`;
    try {
      const input = {
        shell,
        config,
        platform: this.platform,
        tempDir: this.tempDir,
        nonce: this.nonce,
        fence: this.fence,
        baseEnv: this.options.env ?? process.env,
        sessionTag: this.tag,
      };
      if (remote) {
        const planned = planRemoteLaunch(input, remote);
        this.launch = { ...planned, scriptFile: '' };
        this.bootFeeder = new BootFeeder(planned.scriptLines, planned.bootId, (data) => this.proc?.write(data));
      } else {
        this.launch = prepareLaunch(input);
      }
      // The tag, where the next start of poshpool finds it if this one dies without ending the session.
      writeFileSync(this.platform.path.join(this.tempDir, SESSION_TAG_FILE), this.tag, { mode: 0o600 });
    } catch (e) {
      return { ok: false, reason: `${where} could not be prepared: ${(e as Error).message}` };
    }
    const launch = this.launch;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ready?.reject(`no prompt within ${config.startTimeoutMs} ms (config shell.startTimeoutMs)`);
        void this.killAll('start-up timed out');
      }, config.startTimeoutMs);
      this.ready = {
        resolve: () => {
          clearTimeout(timer);
          this.ready = undefined;
          // The script holds the nonce: it has been read, and it goes.
          if (launch.scriptFile) rmSync(launch.scriptFile, { force: true });
          this.bootFeeder = undefined;
          this.setState('idle');
          resolve({ ok: true });
        },
        reject: (why) => {
          clearTimeout(timer);
          this.ready = undefined;
          const tail = this.screen.tail(15);
          const refusal = tail.split('\n').find((line) => line.startsWith(CANNOT_START));
          const ssh = remote && !refusal ? describeSshFailure(tail, remote.destination, remote.pwsh, this.exitInfo?.exitCode) : undefined;
          resolve({
            ok: false,
            reason: refusal
              ? `${where} did not start: ${refusal.slice(CANNOT_START.length).trim()}`
              : ssh
                ? `${where} did not start: ${ssh.message}`
                : `${where} did not start: ${why}.${tail ? `\nLast screen output:\n${tail}` : ''}`,
          });
        },
      };
      try {
        this.proc = pty.spawn(launch.file, launch.args, {
          name: 'xterm-256color',
          cols: config.cols,
          rows: config.rows,
          cwd: this.options.cwd ?? (config.cwd || os.homedir()),
          env: launch.env,
          ...this.platform.pty.spawnOptions,
        });
        this.spawnedAt = Date.now();
      } catch (e) {
        this.ready.reject(remote ? `ssh could not be started (${(e as Error).message}); install the OpenSSH client` : `${(e as Error).message}. Check the path, or set "shell.path" in the config to the full path of pwsh`);
        return;
      }
      this.proc.onData((data) => this.handleData(data));
      this.proc.onExit(({ exitCode, signal }) => void this.handleExit(exitCode, signal));
    });
  }

  private handleData(data: string): void {
    const r = this.current;
    // A command printing again is no longer waiting for input.
    if (r?.started && this.inputWatch.noteOutput(data) && this._state === 'waitingForInput') this.setState('running');
    this.screen.write(data);
    const shown = this.terminalFilter.write(data);
    if (shown) this.terminalEmitter.fire(shown);
    // Flow control: a command can print faster than the terminal renders; stop reading until it catches up.
    if (!this.readPaused && this.screen.backlog > this.options.config.maxRenderBacklogChars) {
      this.readPaused = true;
      this.proc?.pause();
    }
  }

  private handleMarker(data: string): void {
    if (this.bootFeeder?.handle(data)) return;
    const m = parseMarker(data);
    if (!m || m.nonce !== this.nonce) return; // a look-alike printed by a command: not ours
    switch (m.kind) {
      case 'ready':
        return this.onReady(m);
      case 'part':
        if (m.seq === this.seq - 1 || m.seq === this.seq) this.partAck?.(Number(m.payload));
        return;
      case 'start':
        return this.onStart(m);
      case 'end':
        return this.onEnd(m);
      case 'rec':
        if (this.current && m.seq === this.current.seq && this.current.started && !this.current.report) (this.current.recordPieces ??= []).push(m.payload);
        return;
    }
  }

  private onReady(m: Marker): void {
    const info = parseReadyPayload(m.payload);
    // The pty's process may be a launcher (the dotnet tool shim runs pwsh as its child): remember pwsh's own.
    // A remote pwsh's pid is another machine's: never one to signal here.
    if (info.pid !== undefined) {
      if (this.options.remote) this.remoteShellPid = info.pid;
      else this.shellPid = info.pid;
    }
    if (info.facts) this.shellFacts = info.facts;
    if (this.ready) {
      this.ready.resolve();
      return;
    }
    const r = this.current;
    if (!r || m.seq !== r.seq) return; // a prompt redrawn after a stray Ctrl+C
    if (info.nested > 0) {
      // A nested prompt ($Host.EnterNestedPrompt, a debugger stop): the command is paused, awaiting input.
      this.markWaiting(r);
      return;
    }
    if (r.report || r.reportProblem) {
      // The prompt marker can overtake the output too (ConPTY): finish once the output has settled.
      r.promptBack = true;
      this.completeIfDone(r);
    } else if (r.started) {
      // The prompt came back without an end marker: the stop landed inside poshpool's own epilogue.
      this.settle(r);
      this.finish(r, { status: r.stopReason ?? 'completed', message: r.stopReason ? undefined : 'pwsh returned to its prompt without reporting how the command ended.' });
    }
  }

  private onStart(m: Marker): void {
    const r = this.current;
    if (!r || m.seq !== r.seq || r.started) return;
    r.started = true;
    r.startedAt = performance.now();
    this.screen.beginCapture(
      { start: `${this.fence}:${r.seq}:s`, end: `${this.fence}:${r.seq}:e` },
      (line) => r.collector.push(line),
      () => this.onSettled(r),
    );
    this.inputWatch.start(
      () => this.current === r && !r.report && this._state === 'running',
      () => this.markWaiting(r),
    );
    if (r.stopReason) this.beginInterrupt(r);
  }

  private onEnd(m: Marker): void {
    const r = this.current;
    if (!r || m.seq !== r.seq || !r.started || r.report) return;
    r.endedAt = performance.now();
    const decoded =
      m.payload === END_RECORD_IN_FILE
        ? readEndRecordFile(this.tempDir, this.platform.path.join, r.seq)
        : decodeEndPayload(m.payload === END_RECORD_IN_PIECES ? (r.recordPieces ?? []).join('') : m.payload);
    if (decoded.ok) r.report = decoded.report;
    else r.reportProblem = decoded.reason;
    this.inputWatch.stop();
    this.clearStopTimers(r);
    // The end fence was printed before this marker: on a plain pty it is on screen now; ConPTY paints
    // it on its next frame, so wait for it (bounded).
    this.screen.checkFences();
    if (!r.settled && this.current === r) {
      r.settleTimer = setTimeout(() => {
        if (this.current !== r || r.settled) return;
        this.settle(r);
        r.reportProblem ??= `the output did not settle within ${this.options.config.settleTimeoutMs} ms of the command's end; it may be incomplete`;
        this.completeIfDone(r);
      }, this.options.config.settleTimeoutMs);
    }
    this.completeIfDone(r);
  }

  /** The capture saw the end fence: the output is complete. */
  private onSettled(r: Running): void {
    r.settled = true;
    if (r.settleTimer) clearTimeout(r.settleTimer);
    this.completeIfDone(r);
  }

  /** Ends the capture where the screen stands (no end fence will come). */
  private settle(r: Running): void {
    if (r.settled) return;
    this.screen.forceEndCapture();
    r.settled = true;
  }

  /**
   * A normal end is final once its output has settled: the next command may be typed ahead of the
   * prompt (the tty keeps it until pwsh reads its next line). Otherwise wait for the prompt: after a
   * stop, so that no Ctrl+C still in flight meets the next command; after a body that stopped early
   * (`exit`, a top-level return or break), because an `exit` outside a script file ends pwsh right
   * after the end marker.
   */
  private completeIfDone(r: Running): void {
    if (this.current !== r || !r.settled || !(r.report || r.reportProblem)) return;
    if (r.promptBack || (!r.interrupted && r.report && !r.report.exited)) {
      this.finish(r, { status: r.stopReason ?? 'completed' });
      return;
    }
    this.watchForPrompt(r);
  }

  /**
   * The prompt is awaited after a stop: a Ctrl+C still in flight can cut pwsh's prompt function
   * short, and the prompt (with its marker) is then never drawn. An empty line asks for a new one;
   * if none comes either, the command's result is given all the same, with a note.
   */
  private watchForPrompt(r: Running): void {
    if (r.promptTimer) return;
    const wait = this.options.config.settleTimeoutMs;
    r.promptTimer = setTimeout(() => {
      if (this.current !== r || r.promptBack) return;
      this.proc?.write('\r');
      r.promptTimer = setTimeout(() => {
        if (this.current !== r || r.promptBack) return;
        r.reportProblem ??= `pwsh did not show its prompt within ${2 * wait} ms after the command ended`;
        this.finish(r, { status: r.stopReason ?? 'completed' });
      }, wait);
    }, wait);
  }

  private async send(command: string, r: Running, hidden: boolean): Promise<void> {
    const c = this.options.config;
    const { parts, line } = buildCommandLines(command, r.seq, c.commandPartChars, MAX_LINE_CHARS[this.options.shell.kind], hidden);
    for (const part of parts) {
      let onExit: Disposable | undefined;
      const acked = new Promise<boolean>((resolve) => {
        this.partAck = () => resolve(true);
        onExit = this.exitEmitter.event(() => resolve(false));
      });
      this.proc?.write(part);
      const ok = await acked;
      onExit?.dispose();
      if (!ok) return;
    }
    this.partAck = undefined;
    if (this.current === r) this.proc?.write(line);
  }

  private stop(reason: 'cancelled' | 'timedOut'): boolean {
    const r = this.current;
    if (!r || r.report || r.reportProblem) return false;
    if (r.stopReason) return true;
    r.stopReason = reason;
    if (r.started) this.beginInterrupt(r);
    return true;
  }

  private beginInterrupt(r: Running): void {
    r.interrupted = true;
    r.stop = beginStop(
      this.controlled(),
      this.platform,
      this.options.config,
      r.calledAtEpochMs,
      () => this.current === r && !r.report,
      () => void this.killAll('the command did not stop after Ctrl+C and killing its child processes'),
    );
  }

  private clearStopTimers(r: Running): void {
    r.stop?.cancel();
    r.stop = undefined;
    if (r.timeout) clearTimeout(r.timeout);
    r.timeout = undefined;
  }

  /** The pty process as stopping and killing see it. */
  private controlled(): ControlledProcess {
    return {
      ptyPid: this.proc?.pid,
      shellPid: this.shellPid,
      startedBy: this.spawnedAt,
      tag: this.tag,
      exited: this.exitInfo !== undefined,
      write: (data) => this.proc?.write(data),
      kill: (signal) => this.proc?.kill(signal),
      waitForExit: (ms) =>
        new Promise<boolean>((resolve) => {
          if (this.exitInfo) return resolve(true);
          const sub = this.exitEmitter.event(() => {
            sub.dispose();
            resolve(true);
          });
          setTimeout(() => resolve(false), ms).unref();
        }),
    };
  }

  private async killAll(why: string): Promise<void> {
    if (this.proc?.pid === undefined || this.exitInfo) return;
    this.killReason ??= why;
    await killSession(this.controlled(), this.platform);
  }

  private async handleExit(exitCode: number, signal?: number): Promise<void> {
    const remote = this.options.remote;
    // ssh exits with 255 for its own errors (the connection), else with the remote command's code.
    const lost = remote && !this.killReason && exitCode === 255 ? describeSshFailure(this.screen.tail(15), remote.destination, remote.pwsh, exitCode) : undefined;
    const reason = this.killReason
      ? `poshpool ended pwsh (${this.killReason})`
      : lost
        ? `${lost.message.charAt(0).toUpperCase()}${lost.message.slice(1)} The session on ${remote!.name} has ended; start a new one (poshpool starts it when the host is back).`
        : signal
          ? `${remote ? 'ssh' : 'pwsh'} was ended by signal ${signal}`
          : `pwsh${remote ? ` on ${remote.name}` : ''} exited with code ${exitCode}`;
    this.exitInfo = { exitCode, signal: signal || undefined, reason };
    const ptyPid = this.proc?.pid;
    if (ptyPid !== undefined) {
      // Whatever is left of the pty's session (pwsh behind a launcher that died, its children) goes too.
      await killDescendants(ptyPid, this.platform, [], this.spawnedAt, { tag: this.tag }).catch(() => undefined);
    }
    if (!this.platform.isWindows && !remote) {
      // pwsh's Enter-PSHostProcess socket, which only a clean exit of pwsh removes (hostPipes.ts).
      const ours = new Set([ptyPid, this.shellPid]);
      removeHostPipes(this.launch?.env.TMPDIR || '/tmp', (pid) => ours.has(pid));
    }
    await this.screen.flush();
    this.ready?.reject(reason);
    const r = this.current;
    if (r) {
      if (r.started) this.settle(r);
      else this.screen.abandonCapture();
      r.settled = true;
      this.finish(r, finishWhenPwshEnded(r, { reason, exitCode, signal: signal || undefined, byPoshpool: this.killReason !== undefined }));
    }
    this.inputWatch.stop();
    this.setState('ended');
    this.exitEmitter.fire(this.exitInfo);
  }

  private finish(r: Running, how: Finish): void {
    if (this.current !== r) return;
    this.current = undefined;
    this.clearStopTimers(r);
    if (r.settleTimer) clearTimeout(r.settleTimer);
    if (r.promptTimer) clearTimeout(r.promptTimer);
    if (this.screen.capturing) this.screen.abandonCapture();
    r.abortCleanup?.();
    this.inputWatch.stop();
    // A command that ends while the session is being disposed (its children were killed first) does not outlive it.
    const alive = how.alive ?? (!this.exitInfo && !this.disposing);
    const result = resultOf(r, how, alive);
    if (r.stopReason && alive) {
      // Ctrl+C ends the foreground process, not what it started in the background (`cmd &`, nohup,
      // setsid): a stopped command's processes go before the session takes the next command.
      this.stopCleanup = this.endLeftovers(r, result);
      return;
    }
    if (this._state !== 'ended' && alive) this.setState('idle');
    r.resolve(result);
  }

  private async endLeftovers(r: Running, result: CommandResult): Promise<void> {
    let ended: number[] = [];
    try {
      ended = await killCommandProcesses(this.controlled(), this.platform, r.calledAtEpochMs);
    } catch {
      // The process table could not be read: nothing more can be found; the session's end still kills its tree.
    }
    this.stopCleanup = undefined;
    if (ended.length > 0) {
      const note = `poshpool ended ${ended.length} process${ended.length === 1 ? '' : 'es'} the command had started (pid ${ended.join(', ')}).`;
      result.message = result.message ? `${result.message} ${note}` : note;
    }
    if (this.exitInfo || this.disposing) result.sessionAlive = false;
    else if (this._state !== 'ended') this.setState('idle');
    r.resolve(result);
  }

  private markWaiting(r: Running): void {
    if (this._state === 'waitingForInput') return;
    this.setState('waitingForInput');
    this.inputEmitter.fire({ seq: r.seq, prompt: this.screen.cursorLine().trim(), screenTail: this.captureTail(10) });
  }

  /**
   * The last rows the running command printed: never rows from before it (a session can be lent to
   * another client after a reset, and the screen still holds what the previous one saw).
   */
  private captureTail(rows: number): string {
    const lines = this.screen.peekCapture();
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines.slice(-rows).join('\n');
  }

  private setState(state: SessionState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }
}

/** The build number in a Windows release string such as "10.0.22631". */
export function windowsBuild(release: string): number {
  const build = Number(release.split('.')[2]);
  return Number.isInteger(build) ? build : 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

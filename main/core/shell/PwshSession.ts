import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type * as Pty from '@lydell/node-pty';
import type { CommandResult, SessionState } from '../../../common/shell.js';
import { Emitter, type Disposable } from '../events/Emitter.js';
import { currentPlatform, type Platform } from '../platform/Platform.js';
import { captureTail, CommandFlow } from './commandFlow.js';
import { InputWatch } from './InputWatch.js';
import { parseMarker, parseReadyPayload, type Marker, type ShellFacts } from './markers.js';
import { OutputCollector } from './OutputCollector.js';
import { finishWhenPwshEnded, newRunning, resultOf, stopOnAbort, type Finish, type Running } from './runningCommand.js';
import { SessionControl } from './sessionControl.js';
import { removeSessionDir } from './sessionDirs.js';
import { RESET_COMMAND, resetVerdict } from './sessionReset.js';
import { sessionScreen, SessionStartup } from './sessionStart.js';
import { TerminalFilter } from './TerminalFilter.js';
import type { TerminalScreen } from './TerminalScreen.js';
import { SessionError, type InputResult, type InputWanted, type PwshSessionOptions, type RunOptions, type SessionExit } from './sessionContract.js';

export type StartResult = { ok: true; session: PwshSession } | { ok: false; reason: string };
export { SessionError } from './sessionContract.js';
export type { PwshSessionOptions, PtyModule, RunOptions, InputResult, InputWanted, SessionExit } from './sessionContract.js';
export { windowsBuild } from './sessionStart.js';

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
  private readonly platform: Platform;
  private readonly tempDir: string;
  private readonly screen: TerminalScreen;
  private proc: Pty.IPty | undefined;
  private seq = 0;
  private _state: SessionState = 'starting';
  private current: Running | undefined;
  private exitInfo: SessionExit | undefined;
  private readonly inputWatch: InputWatch;
  /** Stopping the command, ending what it left, killing pwsh (sessionControl.ts). */
  private readonly control: SessionControl;
  /** A command's way from its parts to its result (commandFlow.ts). */
  private readonly flow: CommandFlow;
  /** The launch, the pty and the wait for the first prompt (sessionStart.ts). */
  private readonly startup: SessionStartup;
  private disposing: Promise<void> | undefined;
  private readPaused = false;
  /** pwsh's own process id as pwsh reports it (the pty's pid may be a launcher's); never set for a session on another host. */
  private shellPid: number | undefined;
  /** pwsh's process id on the other host (a remote session's; meaningless here: never signalled). */
  private remoteShellPid: number | undefined;
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
    this.screen = sessionScreen(options, this.platform, {
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
    // The collaborators see the session through narrow views (sessionControl.ts, commandFlow.ts, sessionStart.ts).
    const current = (): Running | undefined => this.current;
    const exited = (): boolean => this.exitInfo !== undefined;
    const onExit = (listener: () => void): Disposable => this.exitEmitter.event(listener);
    const write = (data: string): void => void this.proc?.write(data);
    const { platform, tempDir, fence, tag, nonce, screen, inputWatch } = this;
    const runOwn = (command: string, timeoutMs: number): Promise<CommandResult> => this.runOwn(command, timeoutMs);
    const control = new SessionControl({ platform, config: c, tag, remote: options.remote, proc: () => this.proc, shellPid: () => this.shellPid, spawnedAt: () => this.spawnedAt, exited, onExit, current, runOwn });
    this.control = control;
    this.flow = new CommandFlow({ config: c, shellKind: options.shell.kind, platform, tempDir, fence, screen, inputWatch, control, current, state: () => this._state, write, onExit, finish: (r, how) => this.finish(r, how), markWaiting: (r) => this.markWaiting(r) });
    this.startup = new SessionStartup({
      options, platform, tempDir, nonce, fence, tag, write,
      screenTail: (rows) => this.screen.tail(rows),
      exitCode: () => this.exitInfo?.exitCode,
      spawned: (proc) => {
        this.proc = proc;
        this.spawnedAt = Date.now();
        proc.onData((data) => this.handleData(data));
        proc.onExit(({ exitCode, signal }) => void this.handleExit(exitCode, signal));
      },
      started: () => this.setState('idle'),
      killAll: (why) => this.control.killAll(why),
    });
  }

  /** Starts pwsh and resolves once its first prompt is up. */
  static async start(options: PwshSessionOptions): Promise<StartResult> {
    const session = new PwshSession(options);
    const started = await session.startup.start();
    if (started.ok) return { ok: true, session };
    await session.dispose();
    return started;
  }

  get state(): SessionState {
    return this._state;
  }

  /** The running command is being stopped (cancel or timeout); it finishes within the cancel and kill graces. */
  get stopping(): boolean {
    return this.current?.stopReason !== undefined || this.control.endingLeftovers;
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
    return this.startup.launch?.commandLine;
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
    return this.begin(command, options);
  }

  /** poshpool's own command (sessionControl.ts runOwn): whatever the state, which it leaves as it was. */
  private runOwn(command: string, timeoutMs: number): Promise<CommandResult> {
    if (this._state === 'ended' || this.disposing) return Promise.reject(new SessionError('ended', `the session has ended${this.exitInfo ? `: ${this.exitInfo.reason}` : ''}`));
    return this.begin(command, { hidden: true, timeoutMs }, this._state === 'idle' ? 'idle' : 'running');
  }

  /** Types a command in; `stateAfter`: the state to go back to at its end (poshpool's own command), else idle. */
  private begin(command: string, options: RunOptions, stateAfter?: SessionState): Promise<CommandResult> {
    const c = this.options.config;
    this.seq++;
    const seq = this.seq;
    if (options.hidden === true || command === RESET_COMMAND) this.terminalFilter.hide(seq);
    return new Promise<CommandResult>((resolve) => {
      const running = newRunning(seq, new OutputCollector(c.outputCapBytes, this.options.outputStore), resolve, stateAfter);
      this.current = running;
      this.setState('running');
      const timeoutMs = options.timeoutMs ?? c.commandTimeoutMs;
      if (timeoutMs > 0) running.timeout = setTimeout(() => this.control.stop('timedOut'), timeoutMs);
      stopOnAbort(running, options.signal, () => void this.control.stop('cancelled'));
      void this.flow.send(command, running, options.hidden === true);
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
    const verdict = resetVerdict(await this.run(RESET_COMMAND, { timeoutMs: this.options.config.resetTimeoutMs }));
    if (!verdict.ok) return verdict;
    // Processes a command left behind belong to the client that ran it (sessionControl.ts endChildren).
    const notEnded = await this.control.endChildren();
    if (notEnded !== undefined) return { ok: false, reason: notEnded };
    return this._state === 'idle' ? { ok: true } : { ok: false, reason: `the session is ${this._state} after its reset` };
  }

  /**
   * Stops the running command: Ctrl+C (repeated), then after the grace period the processes it
   * started are killed, then pwsh itself. Returns false when nothing is running.
   */
  cancel(): boolean {
    // Already stopped: what it left is being ended (on another host, by poshpool's own command, which is not the client's to cancel).
    if (this.control.endingLeftovers) return false;
    return this.control.stop('cancelled');
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
    await this.control.end(why);
    if (this.current) this.finish(this.current, { status: this.current.stopReason ?? 'sessionEnded', message: 'The session was closed while the command ran.' });
    this.inputWatch.stop();
    this.startup.reject('the session was closed during start-up');
    this.screen.dispose();
    this.cleanup = await removeSessionDir(this.tempDir, this.options.removeDir);
    this.setState('ended');
    this.stateEmitter.dispose();
    this.inputEmitter.dispose();
    this.exitEmitter.dispose();
    this.terminalEmitter.dispose();
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
    if (this.startup.handleBoot(data)) return;
    const m = parseMarker(data);
    if (!m || m.nonce !== this.nonce) return; // a look-alike printed by a command: not ours
    switch (m.kind) {
      case 'ready':
        return this.onReady(m);
      case 'part':
        return this.flow.onPart(m, this.seq);
      case 'start':
        return this.flow.onStart(m);
      case 'end':
        return this.flow.onEnd(m);
      case 'rec':
        return this.flow.onRecord(m);
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
    if (this.startup.resolve()) return;
    this.flow.onPrompt(m, info.nested);
  }

  private async handleExit(exitCode: number, signal?: number): Promise<void> {
    this.exitInfo = this.control.exitOf(exitCode, signal, () => this.screen.tail(15));
    const reason = this.exitInfo.reason;
    await this.control.afterExit(this.startup.launch?.env.TMPDIR || '/tmp');
    await this.screen.flush();
    this.startup.reject(reason);
    const r = this.current;
    if (r) {
      if (r.started) this.flow.settle(r);
      else this.screen.abandonCapture();
      r.settled = true;
      this.finish(r, finishWhenPwshEnded(r, { reason, exitCode, signal: signal || undefined, byPoshpool: this.control.killReason !== undefined, remoteHost: this.options.remote?.name }));
    }
    this.inputWatch.stop();
    this.setState('ended');
    this.exitEmitter.fire(this.exitInfo);
  }

  private finish(r: Running, how: Finish): void {
    if (this.current !== r) return;
    this.current = undefined;
    this.control.clearStopTimers(r);
    if (r.settleTimer) clearTimeout(r.settleTimer);
    if (r.promptTimer) clearTimeout(r.promptTimer);
    if (this.screen.capturing) this.screen.abandonCapture();
    r.abortCleanup?.();
    this.inputWatch.stop();
    // A command that ends while the session is being disposed (its children were killed first) does not outlive it.
    const alive = how.alive ?? (!this.exitInfo && !this.disposing);
    const result = resultOf(r, how, alive);
    if (r.stopReason && alive && r.stateAfter === undefined) {
      // Ctrl+C ends the foreground process, not what it started in the background (`cmd &`, nohup,
      // setsid): a stopped command's processes go before the session takes the next command.
      this.control.endLeftovers(r, result, (res) => {
        if (this.exitInfo || this.disposing) res.sessionAlive = false;
        else if (this._state !== 'ended') this.setState('idle');
        r.resolve(res);
      });
      return;
    }
    if (this._state !== 'ended' && alive) this.setState(r.stateAfter ?? 'idle');
    r.resolve(result);
  }

  private markWaiting(r: Running): void {
    if (this._state === 'waitingForInput') return;
    this.setState('waitingForInput');
    this.inputEmitter.fire({ seq: r.seq, prompt: this.screen.cursorLine().trim(), screenTail: captureTail(this.screen, 10) });
  }

  private setState(state: SessionState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }
}

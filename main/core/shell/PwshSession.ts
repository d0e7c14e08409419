import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as pty from '@lydell/node-pty';
import type { CommandResult, CommandStatus, SessionState } from '../../../common/shell.js';
import type { ShellConfig } from '../config/shellConfig.js';
import { Emitter, type Disposable } from '../events/Emitter.js';
import type { OutputStore } from '../jobs/OutputStore.js';
import { buildCommandLines, encodeForCommandLine, loadIntegrationScript } from './commandLine.js';
import type { ResolvedShell } from './discovery.js';
import { decodeEndPayload, parseMarker, type EndReport, type Marker } from './markers.js';
import { OutputCollector } from './OutputCollector.js';
import { killDescendants, killProcesses } from './processTree.js';
import { TerminalScreen } from './TerminalScreen.js';

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
  platform?: NodeJS.Platform;
}

/** Per-command options. */
export interface RunOptions {
  /** Time limit in ms (0 = none); default from the config. */
  timeoutMs?: number;
  /** Aborting it cancels the command. */
  signal?: AbortSignal;
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

export type StartResult = { ok: true; session: PwshSession } | { ok: false; reason: string };
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

interface Running {
  seq: number;
  /** performance.now() at the start marker (at the call until then). */
  startedAt: number;
  started: boolean;
  report?: EndReport;
  reportProblem?: string;
  endedAt?: number;
  collector: OutputCollector;
  stopReason?: 'cancelled' | 'timedOut';
  /** Ctrl+C was typed into this command. */
  interrupted?: boolean;
  stopTimers: NodeJS.Timeout[];
  timeout?: NodeJS.Timeout;
  abortCleanup?: () => void;
  resolve(result: CommandResult): void;
}

/** How long a launcher (pty process that runs pwsh as a child) gets to exit after pwsh was killed. */
const LAUNCHER_EXIT_WAIT_MS = 300;
const PROMPT_LIKE = /(?::|\?|>|\]|\(y\/n\)|\[y\/n\])\s*$/i;
const CURSOR_QUERY = '\x1b[6n';

/**
 * One pwsh process on a pseudo-terminal. The only module that imports node-pty.
 * Runs one command at a time and reports exactly what pwsh reported: output, error records, the real
 * exit code and the working directory. Cancels with Ctrl+C and, when that is not enough, kills what
 * the command started, then pwsh itself; every call gets an answer.
 */
export class PwshSession {
  readonly id = randomUUID();
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly platform: NodeJS.Platform;
  private readonly tempDir: string;
  private readonly screen: TerminalScreen;
  private proc: pty.IPty | undefined;
  private seq = 0;
  private _state: SessionState = 'starting';
  private current: Running | undefined;
  private ready: { resolve(): void; reject(reason: string): void } | undefined;
  private partAck: ((count: number) => void) | undefined;
  private exitInfo: SessionExit | undefined;
  private lastOutputAt = 0;
  private queriedSinceOutput = false;
  private inputTimer: NodeJS.Timeout | undefined;
  private disposing: Promise<void> | undefined;
  private killReason: string | undefined;
  private readPaused = false;
  /** pwsh's own process id as pwsh reports it (the pty's pid may be a launcher's). */
  private shellPid: number | undefined;
  private readonly stateEmitter = new Emitter<SessionState>();
  private readonly inputEmitter = new Emitter<InputWanted>();
  private readonly exitEmitter = new Emitter<SessionExit>();

  /** Fires on every state change. */
  readonly onStateChange = this.stateEmitter.event;
  /** Fires when a running command seems to wait for input. */
  readonly onInputWanted = this.inputEmitter.event;
  /** Fires once when pwsh has ended. */
  readonly onExit = this.exitEmitter.event;

  private constructor(private readonly options: PwshSessionOptions) {
    this.platform = options.platform ?? process.platform;
    this.tempDir = mkdtempSync(path.join(options.tempRoot, 'session-'));
    const c = options.config;
    this.screen = new TerminalScreen({
      cols: c.cols,
      rows: c.rows,
      scrollback: c.scrollbackRows,
      oscNumber: c.oscNumber,
      // A slice never holds more line feeds than the scrollback has rows, so no row is trimmed unread.
      sliceChars: Math.max(256, Math.floor(c.scrollbackRows / 2)),
      windowsPty: this.platform === 'win32' ? { backend: 'conpty', buildNumber: windowsBuild(os.release()) } : undefined,
      onReply: (data) => this.proc?.write(data),
      onMarker: (data) => this.handleMarker(data),
      onParsed: (backlog) => {
        if (this.readPaused && backlog <= c.maxRenderBacklogChars / 4) {
          this.readPaused = false;
          this.proc?.resume();
        }
      },
    });
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

  /** pwsh's own process id (as pwsh reports it). */
  get pid(): number | undefined {
    return this.shellPid ?? this.proc?.pid;
  }

  /** The process the pty started: pwsh, or a launcher that runs it (the dotnet tool shim does). */
  get ptyPid(): number | undefined {
    return this.proc?.pid;
  }

  /** How pwsh ended, once it has. */
  get exit(): SessionExit | undefined {
    return this.exitInfo;
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
    return new Promise<CommandResult>((resolve) => {
      const running: Running = {
        seq,
        startedAt: performance.now(),
        started: false,
        collector: new OutputCollector(c.outputCapBytes, this.options.outputStore),
        stopTimers: [],
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
      void this.send(command, running);
    });
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
    this.lastOutputAt = Date.now();
    this.queriedSinceOutput = false;
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
    this.stopInputWatch();
    this.ready?.reject('the session was closed during start-up');
    this.screen.dispose();
    rmSync(this.tempDir, { recursive: true, force: true });
    this.setState('ended');
    this.stateEmitter.dispose();
    this.inputEmitter.dispose();
    this.exitEmitter.dispose();
  }

  private spawn(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const { shell, config } = this.options;
    const args = ['-NoLogo', '-NoExit'];
    if (!config.loadProfile) args.push('-NoProfile');
    // Execution policy applies to the temporary script a command with `exit` runs from (process scope only).
    if (this.platform === 'win32') args.push('-ExecutionPolicy', 'Bypass');
    args.push('-EncodedCommand', encodeForCommandLine(loadIntegrationScript()));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.env ?? process.env)) {
      if (v !== undefined && !k.toUpperCase().startsWith('POSHPOOL_')) env[k] = v;
    }
    Object.assign(env, {
      TERM: 'xterm-256color',
      NO_COLOR: '1',
      POWERSHELL_TELEMETRY_OPTOUT: '1',
      POWERSHELL_UPDATECHECK: 'Off',
      POSHPOOL_NONCE: this.nonce,
      POSHPOOL_OSC: String(config.oscNumber),
      POSHPOOL_TEMP: this.tempDir,
      POSHPOOL_MAX_ERRORS: String(config.maxErrors),
      POSHPOOL_MAX_ERROR_CHARS: String(config.maxErrorChars),
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ready?.reject(`no prompt within ${config.startTimeoutMs} ms (config shell.startTimeoutMs)`);
        void this.killAll('start-up timed out');
      }, config.startTimeoutMs);
      this.ready = {
        resolve: () => {
          clearTimeout(timer);
          this.ready = undefined;
          this.setState('idle');
          resolve({ ok: true });
        },
        reject: (why) => {
          clearTimeout(timer);
          this.ready = undefined;
          const tail = this.screen.tail(15);
          resolve({ ok: false, reason: `PowerShell at "${shell.path}" did not start: ${why}.${tail ? `\nLast screen output:\n${tail}` : ''}` });
        },
      };
      try {
        this.proc = pty.spawn(shell.path, args, {
          name: 'xterm-256color',
          cols: config.cols,
          rows: config.rows,
          cwd: this.options.cwd ?? process.cwd(),
          env,
        });
      } catch (e) {
        this.ready.reject(`${(e as Error).message}. Check the path, or set "shell.path" in the config to the full path of pwsh`);
        return;
      }
      this.proc.onData((data) => this.handleData(data));
      this.proc.onExit(({ exitCode, signal }) => void this.handleExit(exitCode, signal));
    });
  }

  private handleData(data: string): void {
    const r = this.current;
    if (r?.started) {
      // A read of the console asks for the cursor position first: a query as the last thing printed
      // is the strongest sign that the command now waits for input.
      const at = data.lastIndexOf(CURSOR_QUERY);
      const endsWithQuery = at >= 0 && at + CURSOR_QUERY.length === data.length;
      if (!endsWithQuery || at > 0) {
        this.lastOutputAt = Date.now();
        if (this._state === 'waitingForInput') this.setState('running');
      }
      this.queriedSinceOutput = endsWithQuery;
    }
    this.screen.write(data);
    // Flow control: a command can print faster than the terminal renders; stop reading until it catches up.
    if (!this.readPaused && this.screen.backlog > this.options.config.maxRenderBacklogChars) {
      this.readPaused = true;
      this.proc?.pause();
    }
  }

  private handleMarker(data: string): void {
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
    }
  }

  private onReady(m: Marker): void {
    const [nested, pid] = m.payload.split(',').map(Number);
    // The pty's process may be a launcher (the dotnet tool shim runs pwsh as its child): remember pwsh's own.
    if (pid && Number.isInteger(pid)) this.shellPid = pid;
    if (this.ready) {
      this.ready.resolve();
      return;
    }
    const r = this.current;
    if (!r || m.seq !== r.seq) return; // a prompt redrawn after a stray Ctrl+C
    if (nested && nested > 0) {
      // A nested prompt ($Host.EnterNestedPrompt, a debugger stop): the command is paused, awaiting input.
      this.markWaiting(r);
      return;
    }
    if (r.report || r.reportProblem) {
      this.finish(r, { status: r.stopReason ?? 'completed' });
    } else if (r.started) {
      // The prompt came back without an end marker: the stop landed inside poshpool's own epilogue.
      this.screen.endCapture();
      this.finish(r, { status: r.stopReason ?? 'completed', message: r.stopReason ? undefined : 'pwsh returned to its prompt without reporting how the command ended.' });
    }
  }

  private onStart(m: Marker): void {
    const r = this.current;
    if (!r || m.seq !== r.seq || r.started) return;
    r.started = true;
    r.startedAt = performance.now();
    this.lastOutputAt = Date.now();
    this.queriedSinceOutput = false;
    this.screen.beginCapture((line) => r.collector.push(line));
    this.startInputWatch(r);
    if (r.stopReason) this.beginInterrupt(r);
  }

  private onEnd(m: Marker): void {
    const r = this.current;
    if (!r || m.seq !== r.seq || !r.started || r.report) return;
    r.endedAt = performance.now();
    this.screen.endCapture();
    const decoded = decodeEndPayload(m.payload);
    if (decoded.ok) r.report = decoded.report;
    else r.reportProblem = decoded.reason;
    this.stopInputWatch();
    this.clearStopTimers(r);
    // A normal end is final: the next command may be typed ahead of the prompt (the tty keeps it
    // until pwsh reads its next line). Otherwise wait for the prompt: after a stop, so that no Ctrl+C
    // still in flight meets the next command; after a body that stopped early (`exit`, a top-level
    // return or break), because an `exit` outside a script file ends pwsh right after this marker.
    if (!r.interrupted && r.report && !r.report.exited) this.finish(r, { status: 'completed' });
  }

  private async send(command: string, r: Running): Promise<void> {
    const { parts, line } = buildCommandLines(command, r.seq, this.options.config.commandPartChars);
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
    const c = this.options.config;
    const interrupt = (): void => {
      if (this.current !== r || r.report) return;
      r.interrupted = true;
      this.proc?.write('\x03');
    };
    interrupt();
    const repeat = setInterval(interrupt, c.interruptRepeatMs);
    r.stopTimers.push(repeat);
    r.stopTimers.push(
      setTimeout(() => {
        if (this.current !== r || r.report) return;
        const pid = this.proc?.pid;
        const spared = this.shellPid !== undefined ? [this.shellPid] : [];
        // Everything the command started goes; pwsh itself is spared so it can return to its prompt.
        if (pid !== undefined) void killDescendants(pid, this.platform, spared).catch(() => undefined);
        r.stopTimers.push(
          setTimeout(() => {
            if (this.current === r && !r.report) void this.killAll('the command did not stop after Ctrl+C and killing its child processes');
          }, c.killGraceMs),
        );
      }, c.cancelGraceMs),
    );
  }

  private clearStopTimers(r: Running): void {
    for (const t of r.stopTimers) clearTimeout(t);
    r.stopTimers = [];
    if (r.timeout) clearTimeout(r.timeout);
    r.timeout = undefined;
  }

  private async killAll(why: string): Promise<void> {
    const pid = this.proc?.pid;
    if (pid === undefined || this.exitInfo) return;
    this.killReason ??= why;
    try {
      await killDescendants(pid, this.platform);
    } catch {
      // The process table could not be read; killing pwsh below still ends the session.
    }
    if (this.platform === 'win32') {
      await killProcesses([pid], this.platform);
      this.proc?.kill();
      return;
    }
    // A launcher ends by itself once pwsh is gone, collecting pwsh's exit status; kill it only if it lingers.
    const exited = new Promise<boolean>((resolve) => {
      const sub = this.exitEmitter.event(() => {
        sub.dispose();
        resolve(true);
      });
      setTimeout(() => resolve(false), LAUNCHER_EXIT_WAIT_MS).unref();
    });
    if (!(await exited) && !this.exitInfo) this.proc?.kill('SIGKILL');
  }

  private async handleExit(exitCode: number, signal?: number): Promise<void> {
    const reason = this.killReason
      ? `poshpool ended pwsh (${this.killReason})`
      : signal
        ? `pwsh was ended by signal ${signal}`
        : `pwsh exited with code ${exitCode}`;
    this.exitInfo = { exitCode, signal: signal || undefined, reason };
    const ptyPid = this.proc?.pid;
    if (ptyPid !== undefined) {
      // Whatever is left of the pty's session (pwsh behind a launcher that died, its children) goes too.
      await killDescendants(ptyPid, this.platform).catch(() => undefined);
    }
    await this.screen.flush();
    this.ready?.reject(reason);
    const r = this.current;
    if (r) {
      if (r.started) this.screen.endCapture();
      else this.screen.abandonCapture();
      if (r.report?.exited && !r.stopReason) {
        // `exit` outside a script (Invoke-Expression 'exit 4'): pwsh ran its epilogue, then ended.
        this.finish(r, {
          status: 'sessionEnded',
          alive: false,
          exitCode: signal ? null : exitCode,
          message: `${reason}: the command ended pwsh itself (\`exit\` outside a script file, e.g. through Invoke-Expression), so the session is gone; start a new session.`,
        });
      } else if (r.report || r.reportProblem) {
        this.finish(r, { status: r.stopReason ?? 'completed', alive: false, message: `The command finished, then ${reason}; the session is gone.` });
      } else {
        const status: CommandStatus = r.stopReason ?? 'sessionEnded';
        const message =
          status !== 'sessionEnded'
            ? `The command did not stop after Ctrl+C and killing its child processes, so pwsh was ended; start a new session.`
            : this.killReason !== undefined
              ? `${reason} while the command ran, so the session is gone; start a new session.`
              : `${reason} while the command ran, so the session is gone; start a new session. (\`exit\` typed at top level, e.g. through Invoke-Expression, ends the session.)`;
        this.finish(r, { status, alive: false, exitCode: status === 'sessionEnded' && !signal ? exitCode : null, message });
      }
    }
    this.stopInputWatch();
    this.setState('ended');
    this.exitEmitter.fire(this.exitInfo);
  }

  private finish(r: Running, how: { status: CommandStatus; alive?: boolean; exitCode?: number | null; message?: string }): void {
    if (this.current !== r) return;
    this.current = undefined;
    this.clearStopTimers(r);
    r.abortCleanup?.();
    this.stopInputWatch();
    const rep = r.report;
    const out = r.collector.finish();
    // The terminal echoes the Ctrl+C poshpool typed as "^C": that is not the command's output.
    if (r.interrupted) out.output = out.output.replace(/\^C/g, '').replace(/^\s*\n|\n\s*$/g, '');
    const alive = how.alive ?? !this.exitInfo;
    const status = how.status;
    let message = how.message;
    if (status === 'cancelled') message ??= 'The command was cancelled.';
    if (status === 'timedOut') message ??= 'The command ran past its time limit and was stopped.';
    if (r.reportProblem) message = `${message ? `${message} ` : ''}(${r.reportProblem})`;
    const stopped = status === 'cancelled' || status === 'timedOut';
    const exitCode = how.exitCode !== undefined ? how.exitCode : stopped ? null : (rep?.exitCode ?? null);
    const result: CommandResult = {
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
    if (this._state !== 'ended' && alive) this.setState('idle');
    r.resolve(result);
  }

  private startInputWatch(r: Running): void {
    const idle = this.options.config.inputIdleMs;
    this.stopInputWatch();
    this.inputTimer = setInterval(() => {
      if (this.current !== r || r.report || this._state !== 'running') return;
      if (Date.now() - this.lastOutputAt < idle) return;
      if (this.queriedSinceOutput || PROMPT_LIKE.test(this.screen.cursorLine())) this.markWaiting(r);
    }, Math.max(25, Math.floor(idle / 4)));
  }

  private stopInputWatch(): void {
    if (this.inputTimer) clearInterval(this.inputTimer);
    this.inputTimer = undefined;
  }

  private markWaiting(r: Running): void {
    if (this._state === 'waitingForInput') return;
    this.setState('waitingForInput');
    this.inputEmitter.fire({ seq: r.seq, prompt: this.screen.cursorLine().trim(), screenTail: this.screen.tail(10) });
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

import type { PoshpoolEvent } from '../../../common/events.js';
import { Emitter, type Disposable } from '../../core/events/Emitter.js';
import type { HostInfo } from '../hostInfo.js';
import {
  HOST_TO_APP_TYPES,
  isMessage,
  type AppToHost,
  type HostOperation,
  type HostOperations,
  type HostStartOptions,
  type HostSummary,
  type HostToApp,
} from './protocol.js';

/** A started host process, as the supervisor drives it (Electron's UtilityProcess or a Node child fit behind it). */
export interface HostChild {
  readonly pid: number | undefined;
  postMessage(message: AppToHost): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has exited (code null when killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  /** Ends the process at once. */
  kill(): void;
}

/** Where the host process stands. */
export type HostState =
  | { status: 'starting' }
  | { status: 'running'; info: HostInfo; dataDir: string; pid: number | undefined }
  | { status: 'restarting'; reason: string; retryInMs: number; crashes: number }
  | { status: 'failed'; reason: string }
  | { status: 'stopped' };

/** Timings of the supervision; every one has a default. */
export interface SupervisorTimings {
  /** First delay before restarting a host process that crashed; doubles per crash in a row. */
  backoffInitialMs: number;
  /** Longest delay between restarts. */
  backoffMaxMs: number;
  /** A host process that ran this long without crashing resets the backoff. */
  healthyAfterMs: number;
  /** A running host that sends nothing (not even its heartbeat) this long is taken as hung and restarted. */
  silenceLimitMs: number;
  /** Longest a call waits for its answer. */
  callTimeoutMs: number;
  /** Longest a graceful stop may take before the process is killed. */
  stopTimeoutMs: number;
}

export const DEFAULT_SUPERVISOR_TIMINGS: SupervisorTimings = {
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  healthyAfterMs: 60_000,
  silenceLimitMs: 20_000,
  callTimeoutMs: 120_000,
  stopTimeoutMs: 15_000,
};

export interface SupervisorOptions {
  /** Starts a host process (utilityProcess.fork in the app, child_process.fork in tests). */
  spawn: () => HostChild;
  /** The settings the host process reads. */
  start: HostStartOptions;
  /** Receives the host process's log lines and the supervisor's own. */
  log: (line: string) => void;
  timings?: Partial<SupervisorTimings>;
  now?: () => number;
}

type Pending = { resolve: (result: { ok: false; reason: string } | object) => void; timer: NodeJS.Timeout };

/**
 * Keeps the host process running for the tray app: starts it, restarts it with backoff when it
 * crashes or hangs (the tray stays up and says so), relays calls and the host's event batches, and
 * stops it gracefully. A call never goes unanswered: when the host goes away, pending calls are
 * answered with the reason.
 */
export class HostSupervisor implements Disposable {
  private child: HostChild | undefined;
  private _state: HostState = { status: 'stopped' };
  private _summary: HostSummary | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCallId = 1;
  private crashes = 0;
  private startedAt = 0;
  private lastMessageAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly states = new Emitter<HostState>();
  private readonly updates = new Emitter<{ events: PoshpoolEvent[]; summary: HostSummary }>();
  private readonly timings: SupervisorTimings;

  /** The host's state changed. */
  readonly onStateChange = this.states.event;
  /** A batch of the host's events, with the summary after them (heartbeats come with no events). */
  readonly onUpdate = this.updates.event;

  constructor(private readonly options: SupervisorOptions) {
    this.timings = { ...DEFAULT_SUPERVISOR_TIMINGS, ...options.timings };
  }

  get state(): HostState {
    return this._state;
  }

  /** The latest summary (metrics and sessions), or undefined before the first. */
  get summary(): HostSummary | undefined {
    return this._summary;
  }

  /** Starts the host process (again, after a failed start). */
  start(): void {
    if (this.stopping || this.child) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.setState({ status: 'starting' });
    const child = this.options.spawn();
    this.child = child;
    this.startedAt = this.now();
    this.lastMessageAt = this.startedAt;
    child.onMessage((m) => this.receive(child, m));
    child.onExit((code) => this.exited(child, code));
    child.postMessage({ type: 'start', options: this.options.start });
    this.watchdog ??= setInterval(() => this.checkSilence(), Math.max(100, Math.floor(this.timings.silenceLimitMs / 4)));
    this.watchdog.unref?.();
  }

  /** Calls an operation of the host; answers `{ ok: false, reason }` when the host is not there. */
  call<Op extends HostOperation>(op: Op, ...args: HostOperations[Op]['args']): Promise<HostOperations[Op]['result']> {
    const child = this.child;
    if (!child || this._state.status !== 'running') return Promise.resolve({ ok: false, reason: this.unavailableReason() } as HostOperations[Op]['result']);
    const id = this.nextCallId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, reason: `The poshpool host did not answer ${op} within ${Math.round(this.timings.callTimeoutMs / 1000)} s.` } as HostOperations[Op]['result']);
      }, this.timings.callTimeoutMs);
      timer.unref?.();
      this.pending.set(id, { resolve: resolve as Pending['resolve'], timer });
      child.postMessage({ type: 'call', id, op, args });
    });
  }

  /** Stops the host gracefully (its sessions end, host.json is removed); kills it if it takes too long. */
  dispose(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      clearInterval(this.watchdog);
      const child = this.child;
      if (child) {
        const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
        child.postMessage({ type: 'shutdown' });
        const timer = setTimeout(() => {
          this.options.log(`poshpool host did not stop within ${this.timings.stopTimeoutMs} ms; killing it.`);
          child.kill();
        }, this.timings.stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      this.answerPending('poshpool is quitting.');
      this.setState({ status: 'stopped' });
      this.states.dispose();
      this.updates.dispose();
    })();
    return this.stopping;
  }

  private receive(child: HostChild, message: unknown): void {
    if (child !== this.child) return;
    this.lastMessageAt = this.now();
    if (!isMessage<HostToApp>(message, HOST_TO_APP_TYPES)) {
      this.options.log(`poshpool host sent a message outside the protocol: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this._summary = message.summary;
        this.setState({ status: 'running', info: message.info, dataDir: message.dataDir, pid: child.pid });
        return;
      case 'startFailed':
        // Not a crash: the settings are wrong or a port is taken. Restarting would fail the same way.
        this.child = undefined;
        child.postMessage({ type: 'shutdown' });
        this.setState({ status: 'failed', reason: message.reason });
        return;
      case 'result': {
        const p = this.pending.get(message.id);
        if (!p) return;
        this.pending.delete(message.id);
        clearTimeout(p.timer);
        p.resolve(message.result);
        return;
      }
      case 'update':
        this._summary = message.summary;
        this.updates.fire({ events: message.events, summary: message.summary });
        return;
      case 'log':
        this.options.log(message.line);
        return;
      case 'stopped':
        return;
    }
  }

  private exited(child: HostChild, code: number | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.stopping) return;
    const reason = `the poshpool host process ${code === null ? 'was killed' : `exited with code ${code}`}`;
    this.answerPending(`${reason[0]!.toUpperCase()}${reason.slice(1)} while handling this; it is being restarted. Try again in a moment.`);
    if (this.now() - this.startedAt >= this.timings.healthyAfterMs) this.crashes = 0;
    this.crashes++;
    const retryInMs = Math.min(this.timings.backoffMaxMs, this.timings.backoffInitialMs * 2 ** (this.crashes - 1));
    this.options.log(`${reason}; restarting it in ${retryInMs} ms (crash ${this.crashes} in a row).`);
    this.setState({ status: 'restarting', reason, retryInMs, crashes: this.crashes });
    this.restartTimer = setTimeout(() => this.start(), retryInMs);
  }

  private checkSilence(): void {
    const child = this.child;
    if (!child || this._state.status !== 'running') return;
    const silentMs = this.now() - this.lastMessageAt;
    if (silentMs < this.timings.silenceLimitMs) return;
    this.options.log(`poshpool host sent nothing for ${silentMs} ms (its heartbeat is every few seconds): taking it as hung and killing it.`);
    child.kill();
  }

  private answerPending(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ ok: false, reason });
    }
  }

  private unavailableReason(): string {
    const s = this._state;
    switch (s.status) {
      case 'starting':
        return 'The poshpool host is starting; try again in a moment.';
      case 'restarting':
        return `The poshpool host is restarting (${s.reason}); try again in a moment.`;
      case 'failed':
        return `The poshpool host could not start: ${s.reason}`;
      default:
        return 'The poshpool host is not running.';
    }
  }

  private setState(state: HostState): void {
    this._state = state;
    this.states.fire(state);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

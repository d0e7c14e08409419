import type { PoshpoolEvent } from '../../../common/events.js';
import { Batcher } from '../../core/events/Batcher.js';
import type { Disposable } from '../../core/events/Emitter.js';
import type { Host, HostOptions } from '../Host.js';
import { resolveHostSettings } from '../hostSettings.js';
import type { ParentPort } from './parentPort.js';
import { APP_TO_HOST_TYPES, HOST_OPERATIONS, isMessage, type AppToHost, type HostOperation, type HostStartOptions, type HostSummary } from './protocol.js';

/** Timings of the host process. */
export interface HostProcessTimings {
  /** Longest an event waits before its batch goes to the app (ms). */
  batchMs: number;
  /** Events sent in one batch at most. */
  batchMaxEvents: number;
  /** Interval of the summary sent when nothing happens: the app's sign that the host is alive (ms). */
  heartbeatMs: number;
}

export const DEFAULT_HOST_PROCESS_TIMINGS: HostProcessTimings = { batchMs: 50, batchMaxEvents: 500, heartbeatMs: 2000 };

type StartHost = (options: HostOptions) => Promise<{ ok: true; host: Host } | { ok: false; reason: string }>;

/**
 * The host process's side of the app protocol: starts the host when asked, answers calls with the
 * dashboard's actions, sends events in batches with a summary for the tray, and a heartbeat. Ends the
 * host (every session, host.json) on shutdown or when the app goes away.
 */
export class HostProcessServer {
  private host: Host | undefined;
  private starting = false;
  private readonly subs: Disposable[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly port: ParentPort,
    private readonly deps: { startHost: StartHost; exit: (code: number) => void; timings?: Partial<HostProcessTimings> },
  ) {
    port.onMessage((m) => void this.receive(m));
    port.onClose(() => void this.stop(false));
  }

  private async receive(message: unknown): Promise<void> {
    if (!isMessage<AppToHost>(message, APP_TO_HOST_TYPES)) {
      this.log(`ignored a message that is not part of the app protocol: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'start':
        return this.start(message.options);
      case 'call':
        this.port.postMessage({ type: 'result', id: message.id, result: await this.call(message.op, message.args) });
        return;
      case 'shutdown':
        return this.stop(true);
    }
  }

  private async start(options: HostStartOptions): Promise<void> {
    if (this.host || this.starting) return;
    this.starting = true;
    const settings = resolveHostSettings(options ?? {});
    if (!settings.ok) return this.port.postMessage({ type: 'startFailed', reason: settings.reason });
    let started: Awaited<ReturnType<StartHost>>;
    try {
      started = await this.deps.startHost({
        config: settings.config,
        dataDir: settings.dataDir,
        port: settings.config.port,
        configFile: settings.configFile,
        log: (line) => this.log(line),
      });
    } catch (e) {
      // A start that throws (a data dir it cannot create, say) fails like any other start, with the
      // reason, instead of crashing this process into a restart loop.
      started = { ok: false, reason: `poshpool could not start: ${(e as Error).message}` };
    }
    if (!started.ok) return this.port.postMessage({ type: 'startFailed', reason: started.reason });
    const host = started.host;
    this.host = host;
    const timings = { ...DEFAULT_HOST_PROCESS_TIMINGS, ...this.deps.timings };
    const batcher = new Batcher<PoshpoolEvent>({
      intervalMs: timings.batchMs,
      maxItems: timings.batchMaxEvents,
      flush: (events) => this.port.postMessage({ type: 'update', events, summary: this.summary(host) }),
    });
    this.subs.push(host.core.bus.onEvent((e) => batcher.push(e)), batcher);
    this.heartbeat = setInterval(() => this.port.postMessage({ type: 'update', events: [], summary: this.summary(host) }), timings.heartbeatMs);
    this.port.postMessage({ type: 'ready', info: host.info, dataDir: settings.dataDir, summary: this.summary(host) });
  }

  private async call(op: HostOperation, args: unknown[]): Promise<{ ok: false; reason: string } | { ok: true }> {
    if (!(HOST_OPERATIONS as readonly string[]).includes(op) || !Array.isArray(args)) {
      return { ok: false, reason: `Unknown host operation "${String(op)}"; the app and the host process are from different versions. Restart poshpool.` };
    }
    if (!this.host) return { ok: false, reason: 'The poshpool host has not started yet; try again in a moment.' };
    try {
      const fn = this.host.actions[op] as (...a: unknown[]) => unknown;
      return (await fn.apply(this.host.actions, args)) as { ok: true };
    } catch (e) {
      // Every action returns its expected failures as values; a throw is a bug, reported to the person rather than crashing the host.
      this.log(`${op} failed: ${(e as Error).stack ?? String(e)}`);
      return { ok: false, reason: `${op} failed inside poshpool: ${(e as Error).message}` };
    }
  }

  private summary(host: Host): HostSummary {
    const sessions = host.core.manager.listSessions();
    const clientNames: Record<string, string> = {};
    for (const s of sessions) {
      const name = host.core.clients.get(s.clientId)?.name;
      if (name !== undefined) clientNames[s.clientId] = name;
    }
    return { metrics: host.core.metrics(), sessions, clientNames, approvals: host.core.approvals.pending() };
  }

  private log(line: string): void {
    this.port.postMessage({ type: 'log', line });
  }

  /** Ends the host and this process; `announce` tells the app it is done. */
  private stop(announce: boolean): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.heartbeat);
      for (const sub of this.subs.splice(0).reverse()) sub.dispose();
      await this.host?.dispose();
      if (announce) this.port.postMessage({ type: 'stopped' });
      this.deps.exit(0);
    })();
    return this.stopping;
  }
}

/**
 * The dashboard bridge inside the Electron app: DashboardBridge over `window.poshpool`, the API the
 * preload exposes (common/ipc.ts). Only types come from common/; nothing from main/ or preload/.
 */

import type { ConnectionState, DashboardBridge, Unsubscribe } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { InvokeOperation, PoshpoolPreloadApi } from '../../common/ipc.js';

const DISPOSED_REASON = 'The dashboard bridge was disposed.';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * DashboardBridge over IPC. One subscription to each preload channel, opened with the first listener
 * and closed by dispose; each event batch fans out to every onEvent listener, one event at a time.
 * onConnection calls its listener with the current state at once (like the web bridge). The state
 * starts 'connecting'; main reports changes on 'poshpool:connection', and a snapshot answered while
 * 'connecting' means main is there, so the state becomes 'connected' (a push sent before the page
 * subscribed is not lost). Actions never reject: a failed invoke is an { ok: false } value.
 */
export class IpcBridge implements DashboardBridge {
  private readonly eventListeners = new Set<(event: PoshpoolEvent) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private offEvents: Unsubscribe | null = null;
  private offConnection: Unsubscribe | null = null;
  private disposed = false;

  constructor(private readonly api: PoshpoolPreloadApi) {}

  /** The connection state now. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  async snapshot(): ReturnType<DashboardBridge['snapshot']> {
    this.subscribeConnection();
    const result = await this.call('snapshot');
    if (!this.disposed && result.ok && this.state === 'connecting') this.setState('connected');
    return result;
  }

  onEvent(listener: (event: PoshpoolEvent) => void): Unsubscribe {
    if (this.disposed) return () => undefined;
    this.eventListeners.add(listener);
    if (this.offEvents === null) {
      this.offEvents = this.api.onEvents((batch) => {
        if (this.disposed) return;
        for (const event of batch) {
          for (const l of [...this.eventListeners]) l(event);
        }
      });
    }
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    if (this.disposed) return () => undefined;
    this.connectionListeners.add(listener);
    this.subscribeConnection();
    listener(this.state);
    return () => this.connectionListeners.delete(listener);
  }

  cancelCommand(...args: Parameters<DashboardBridge['cancelCommand']>): ReturnType<DashboardBridge['cancelCommand']> {
    return this.call('cancelCommand', ...args);
  }

  terminateSession(...args: Parameters<DashboardBridge['terminateSession']>): ReturnType<DashboardBridge['terminateSession']> {
    return this.call('terminateSession', ...args);
  }

  changePriority(...args: Parameters<DashboardBridge['changePriority']>): ReturnType<DashboardBridge['changePriority']> {
    return this.call('changePriority', ...args);
  }

  cancelRequest(...args: Parameters<DashboardBridge['cancelRequest']>): ReturnType<DashboardBridge['cancelRequest']> {
    return this.call('cancelRequest', ...args);
  }

  jobPage(...args: Parameters<DashboardBridge['jobPage']>): ReturnType<DashboardBridge['jobPage']> {
    return this.call('jobPage', ...args);
  }

  sessionHistory(...args: Parameters<DashboardBridge['sessionHistory']>): ReturnType<DashboardBridge['sessionHistory']> {
    return this.call('sessionHistory', ...args);
  }

  historyEntry(...args: Parameters<DashboardBridge['historyEntry']>): ReturnType<DashboardBridge['historyEntry']> {
    return this.call('historyEntry', ...args);
  }

  historyPage(...args: Parameters<DashboardBridge['historyPage']>): ReturnType<DashboardBridge['historyPage']> {
    return this.call('historyPage', ...args);
  }

  recentCommands(...args: Parameters<DashboardBridge['recentCommands']>): ReturnType<DashboardBridge['recentCommands']> {
    return this.call('recentCommands', ...args);
  }

  backups(...args: Parameters<DashboardBridge['backups']>): ReturnType<DashboardBridge['backups']> {
    return this.call('backups', ...args);
  }

  backupDiff(...args: Parameters<DashboardBridge['backupDiff']>): ReturnType<DashboardBridge['backupDiff']> {
    return this.call('backupDiff', ...args);
  }

  restoreBackup(...args: Parameters<DashboardBridge['restoreBackup']>): ReturnType<DashboardBridge['restoreBackup']> {
    return this.call('restoreBackup', ...args);
  }

  restorePreview(...args: Parameters<DashboardBridge['restorePreview']>): ReturnType<DashboardBridge['restorePreview']> {
    return this.call('restorePreview', ...args);
  }

  setPaused(...args: Parameters<DashboardBridge['setPaused']>): ReturnType<DashboardBridge['setPaused']> {
    return this.call('setPaused', ...args);
  }

  answerApproval(...args: Parameters<DashboardBridge['answerApproval']>): ReturnType<DashboardBridge['answerApproval']> {
    return this.call('answerApproval', ...args);
  }

  readTerminal(...args: Parameters<DashboardBridge['readTerminal']>): ReturnType<DashboardBridge['readTerminal']> {
    return this.call('readTerminal', ...args);
  }

  /** Unsubscribes from the preload and drops every listener; later actions answer { ok: false }. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.offEvents?.();
    this.offConnection?.();
    this.offEvents = null;
    this.offConnection = null;
    this.eventListeners.clear();
    this.connectionListeners.clear();
  }

  private async call<Op extends InvokeOperation>(
    op: Op,
    ...args: Parameters<PoshpoolPreloadApi[Op]>
  ): Promise<Awaited<ReturnType<PoshpoolPreloadApi[Op]>>> {
    type Result = Awaited<ReturnType<PoshpoolPreloadApi[Op]>>;
    if (this.disposed) return { ok: false, reason: DISPOSED_REASON } as Result;
    const method = this.api[op] as (...a: Parameters<PoshpoolPreloadApi[Op]>) => Promise<Result>;
    try {
      const result = await method.call(this.api, ...args);
      if (typeof result !== 'object' || result === null || typeof (result as { ok?: unknown }).ok !== 'boolean') {
        return { ok: false, reason: `poshpool answered ${op} with an unexpected value.` } as Result;
      }
      return result;
    } catch (err) {
      return { ok: false, reason: `poshpool could not ${op}: ${messageOf(err)}` } as Result;
    }
  }

  private subscribeConnection(): void {
    if (this.offConnection !== null || this.disposed) return;
    this.offConnection = this.api.onConnection((state) => {
      if (!this.disposed) this.setState(state);
    });
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.connectionListeners]) listener(state);
  }
}

/** Makes the IPC bridge over the preload's API (in the app: `window.poshpool`). */
export function createIpcBridge(api: PoshpoolPreloadApi): DashboardBridge {
  return new IpcBridge(api);
}

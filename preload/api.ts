/**
 * The object the preload exposes as `window.poshpool` (DESIGN.md §1, §3.2, §4): one named method per
 * operation and `onX(cb)` subscriptions that return an unsubscribe. It never hands the renderer
 * ipcRenderer, a channel name it chooses, or the Electron event object.
 */

import type { ConnectionState, Unsubscribe } from '../common/dashboard.js';
import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels, PoshpoolPreloadApi } from '../common/ipc.js';

/** The part of Electron's ipcRenderer the preload uses (injected, so tests pass a fake). */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

const CONNECTION_STATES: readonly ConnectionState[] = ['connecting', 'connected', 'disconnected', 'signedOut'];

function isConnectionState(value: unknown): value is ConnectionState {
  return typeof value === 'string' && (CONNECTION_STATES as readonly string[]).includes(value);
}

/**
 * Builds `window.poshpool` over `ipc`. A plain object of own function properties: contextBridge copies
 * own properties only (class prototype methods would not cross).
 */
export function createPreloadApi(ipc: PreloadIpc): PoshpoolPreloadApi {
  const invoke = <C extends InvokeChannel>(channel: C, ...args: InvokeChannels[C]['args']): Promise<InvokeChannels[C]['result']> =>
    ipc.invoke(channel, ...args) as Promise<InvokeChannels[C]['result']>;

  /** Listens on `channel`, passes only a payload that passes `accept` (never the event object), and returns an unsubscribe for exactly this listener. */
  const subscribe = <C extends EventChannel>(
    channel: C,
    accept: (payload: unknown) => payload is EventChannels[C],
    listener: (payload: EventChannels[C]) => void,
  ): Unsubscribe => {
    let active = true;
    const wrapper = (_event: unknown, payload: unknown): void => {
      if (active && accept(payload)) listener(payload);
    };
    ipc.on(channel, wrapper);
    return () => {
      if (!active) return;
      active = false;
      ipc.removeListener(channel, wrapper);
    };
  };

  return {
    snapshot: () => invoke('poshpool:snapshot'),
    cancelCommand: (sessionId) => invoke('poshpool:cancelCommand', sessionId),
    terminateSession: (sessionId) => invoke('poshpool:terminateSession', sessionId),
    changePriority: (requestId, priority) => invoke('poshpool:changePriority', requestId, priority),
    cancelRequest: (requestId) => invoke('poshpool:cancelRequest', requestId),
    jobPage: (jobId, page) => invoke('poshpool:jobPage', jobId, page),
    sessionHistory: (sessionId) => invoke('poshpool:sessionHistory', sessionId),
    historyEntry: (sessionId, seq) => invoke('poshpool:historyEntry', sessionId, seq),
    historyPage: (sessionId, seq, page) => invoke('poshpool:historyPage', sessionId, seq, page),
    recentCommands: (limit) => invoke('poshpool:recentCommands', limit),
    backups: (folder, limit) => invoke('poshpool:backups', folder, limit),
    backupDiff: (folder, backupId, against, path) => invoke('poshpool:backupDiff', folder, backupId, against, path),
    restoreBackup: (folder, backupId, path) => invoke('poshpool:restoreBackup', folder, backupId, path),
    restorePreview: (folder, backupId, path) => invoke('poshpool:restorePreview', folder, backupId, path),
    setPaused: (paused) => invoke('poshpool:setPaused', paused),
    answerApproval: (approvalId, answer) => invoke('poshpool:answerApproval', approvalId, answer),
    readTerminal: (sessionId, since, waitMs) => invoke('poshpool:readTerminal', sessionId, since, waitMs),
    onEvents: (listener) => subscribe('poshpool:events', (p): p is EventChannels['poshpool:events'] => Array.isArray(p), listener),
    onConnection: (listener) => subscribe('poshpool:connection', isConnectionState, listener),
  };
}

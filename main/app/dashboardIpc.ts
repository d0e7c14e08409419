import type { Disposable } from '../core/events/Emitter.js';
import type { ConnectionState } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import { Batcher } from '../core/events/Batcher.js';
import type { IpcRouter, IpcTarget } from './IpcRouter.js';
import type { HostLink } from './ports.js';

/** Longest an event waits before its batch is sent to the dashboard window (ms). */
export const RENDERER_BATCH_MS = 50;
/** Events sent to the window in one batch at most. */
export const RENDERER_BATCH_MAX = 1000;

/** What the dashboard is told of the host process: connected while it runs, connecting while it starts, else disconnected. */
export function connectionOf(state: HostState): ConnectionState {
  return state.status === 'running' ? 'connected' : state.status === 'starting' ? 'connecting' : 'disconnected';
}

/**
 * The dashboard's IPC: every invoke channel of common/ipc.ts answered by the host process, and the
 * host's events pushed to the window in batches, with the connection state (connected while the
 * host process runs). Returns what undoes it.
 */
export function connectDashboardIpc(router: IpcRouter, host: HostLink, target: () => IpcTarget | undefined): Disposable {
  router.handle('poshpool:snapshot', () => host.call('snapshot'));
  router.handle('poshpool:cancelCommand', (sessionId) => host.call('cancelCommand', sessionId));
  router.handle('poshpool:terminateSession', (sessionId) => host.call('terminateSession', sessionId));
  router.handle('poshpool:changePriority', (requestId, priority) => host.call('changePriority', requestId, priority));
  router.handle('poshpool:cancelRequest', (requestId) => host.call('cancelRequest', requestId));
  router.handle('poshpool:jobPage', (jobId, page) => host.call('jobPage', jobId, page));
  router.handle('poshpool:sessionHistory', (sessionId) => host.call('sessionHistory', sessionId));
  router.handle('poshpool:historyEntry', (sessionId, seq) => host.call('historyEntry', sessionId, seq));
  router.handle('poshpool:historyPage', (sessionId, seq, page) => host.call('historyPage', sessionId, seq, page));
  router.handle('poshpool:recentCommands', (limit) => host.call('recentCommands', limit));
  router.handle('poshpool:backups', (folder, limit) => host.call('backups', folder, limit));
  router.handle('poshpool:backupDiff', (folder, backupId, against, path) => host.call('backupDiff', folder, backupId, against, path));
  router.handle('poshpool:restoreBackup', (folder, backupId, path) => host.call('restoreBackup', folder, backupId, path));
  router.handle('poshpool:restorePreview', (folder, backupId, path) => host.call('restorePreview', folder, backupId, path));
  router.handle('poshpool:setPaused', (paused) => host.call('setPaused', paused, 'dashboard'));
  router.handle('poshpool:answerApproval', (approvalId, answer) => host.call('answerApproval', approvalId, answer, 'dashboard'));
  router.handle('poshpool:readTerminal', (sessionId, since, waitMs) => host.call('readTerminal', sessionId, since, waitMs));

  const batcher = new Batcher<PoshpoolEvent>({
    intervalMs: RENDERER_BATCH_MS,
    maxItems: RENDERER_BATCH_MAX,
    flush: (events) => router.send(target(), 'poshpool:events', events),
  });
  const updates = host.onUpdate((u) => {
    for (const e of u.events) batcher.push(e);
  });
  const states = host.onStateChange((s) => {
    batcher.flushNow();
    router.send(target(), 'poshpool:connection', connectionOf(s));
  });
  return {
    dispose: () => {
      states.dispose();
      updates.dispose();
      batcher.dispose();
      router.dispose();
    },
  };
}

import type { PoshpoolEvent } from '../../common/events.js';
import { LOCAL_HOST } from '../../common/scheduler.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import { NOTICE_COMMAND_CHARS, oneLine, requesterOf, ruleNames } from './trayApprovals.js';
import type { NotificationSettings } from './trayMenu.js';

export type { NotificationSettings } from './trayMenu.js';

/** A notification to show. */
export interface NotificationSpec {
  title: string;
  body: string;
  /** Coalescing key: one notification per key per quiet period. */
  key: string;
}

/** The part of Electron's Notification the notifier uses. */
export interface NotificationPort {
  isSupported(): boolean;
  /** Shows a notification; clicking it calls onClick. */
  show(spec: NotificationSpec, onClick: () => void): void;
}

/** A notification of the same key is not shown again within this time (ms). */
export const NOTIFY_QUIET_MS = 60_000;

/**
 * Turns the host's events into native notifications for what a person should know about: a
 * command waiting for their approval (a click opens the dashboard's prompt), a session left idle,
 * a failed backup, a pool that cannot start sessions (this machine's, or a remote host's, named; and a host process that crashed). Each kind can be turned off; repeats of one key within {@link NOTIFY_QUIET_MS} are
 * dropped so a flapping folder does not flood the desktop.
 */
export class Notifier {
  private readonly lastShown = new Map<string, number>();

  constructor(
    private readonly port: NotificationPort,
    private readonly deps: { settings: () => NotificationSettings; onClick: () => void; now?: () => number; quietMs?: number },
  ) {}

  /** Handles a batch of the host's events. */
  onEvents(events: readonly PoshpoolEvent[]): void {
    const s = this.deps.settings();
    for (const e of events) {
      if (e.type === 'approval.requested' && s.approvalRequested) {
        const r = e.request;
        this.show({
          // One per request: each waiting command is its own question.
          key: `approval:${r.approvalId}`,
          title: 'A command waits for your approval',
          body: `${requesterOf(r)} wants to run: ${oneLine(r.command, NOTICE_COMMAND_CHARS)}\nRule: ${ruleNames(r)}. Click to answer in the dashboard.`,
        });
      } else if (e.type === 'session.abandoned' && s.sessionAbandoned) {
        this.show({
          key: `abandoned:${e.sessionId}`,
          title: 'A PowerShell session was left idle',
          body: `${e.sessionId} has been idle for ${Math.round(e.idleMs / 60_000)} min. Open the dashboard to end it, or leave it to be reclaimed.`,
        });
      } else if (e.type === 'backup.failed' && s.backupFailed) {
        this.show({ key: `backup:${e.folder}`, title: 'Backup failed', body: `${e.folder}: ${e.error}` });
      } else if (e.type === 'pool.degraded' && s.poolDegraded) {
        if (e.host === undefined || e.host === LOCAL_HOST) {
          this.show({ key: 'degraded', title: 'poshpool cannot start PowerShell sessions', body: `${e.reason} (after ${e.failures} failures). Requests wait or are refused until it recovers.` });
        } else {
          // A remote host that is down is not poshpool broken: named, keyed apart from this machine's pool and from other hosts.
          this.show({
            key: `degraded:${e.host}`,
            title: `poshpool cannot reach host ${e.host}`,
            body: `${e.reason} (after ${e.failures} failures). Requests for ${e.host} wait or are refused until it is back; sessions on this machine go on.`,
          });
        }
      }
    }
  }

  /** Handles a change of the host process's state (a crash is shown under "degraded"). */
  onHostState(state: HostState): void {
    if (!this.deps.settings().poolDegraded) return;
    if (state.status === 'restarting') {
      this.show({ key: 'host', title: 'poshpool restarted its PowerShell host', body: `${state.reason}. Running commands were lost; agents can start new sessions.` });
    } else if (state.status === 'failed') {
      this.show({ key: 'host', title: 'poshpool could not start', body: state.reason });
    }
  }

  private show(spec: NotificationSpec): void {
    if (!this.port.isSupported()) return;
    const now = (this.deps.now ?? Date.now)();
    const last = this.lastShown.get(spec.key);
    if (last !== undefined && now - last < (this.deps.quietMs ?? NOTIFY_QUIET_MS)) return;
    this.lastShown.set(spec.key, now);
    this.port.show(spec, this.deps.onClick);
  }
}

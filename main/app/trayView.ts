import { LOCAL_HOST, type SessionInfo } from '../../common/scheduler.js';
import { CLIENT_IDS, CLIENTS } from '../cli/installClients.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import type { HostSummary } from '../host/process/protocol.js';
import { approvalMenuItems } from './trayApprovals.js';
import { menuLiteral, type NotificationSettings, type TrayMenuItem } from './trayMenu.js';

export type { ClientKind, TrayAction, TrayMenuItem } from './trayMenu.js';
import { acrossHosts, hostsMenuItems, hostsTooltipPart } from './trayHosts.js';

/** The four faces of the tray icon. */
export type TrayIconState = 'idle' | 'busy' | 'queued' | 'degraded';


/** Everything the tray shows. */
export interface TrayInput {
  host: HostState;
  summary: HostSummary | undefined;
  /** Whether poshpool starts at login, or why it cannot be set here. */
  startAtLogin: { supported: true; enabled: boolean } | { supported: false; reason: string };
  notifications: NotificationSettings;
}

/** The tray's look: icon, tooltip and menu. */
export interface TrayView {
  icon: TrayIconState;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Sessions listed in the menu at most (the dashboard lists them all). */
export const MENU_SESSIONS_MAX = 15;
/** Characters of a warning shown in the menu (the status and dashboard give the whole text). */
const WARNING_LABEL_CHARS = 160;
/** Longest tooltip Windows shows (NOTIFYICONDATA.szTip holds 128 characters with its terminator). */
export const TOOLTIP_MAX_CHARS = 127;
/** Characters of a running command shown in a menu label. */
const COMMAND_LABEL_CHARS = 40;

function running(sessions: readonly SessionInfo[]): SessionInfo[] {
  return sessions.filter((s) => s.currentCommand !== null);
}

/**
 * The icon: degraded when sessions cannot start on this machine (or the host process is down), queued
 * when requests or commands awaiting approval wait, busy while commands run. A remote host that is
 * down does not make it degraded (poshpool works; a machine it reaches does not): the tooltip and the
 * Hosts menu say so instead.
 */
export function trayIconState(input: Pick<TrayInput, 'host' | 'summary'>): TrayIconState {
  if (input.host.status !== 'running' || !input.summary) return input.host.status === 'starting' ? 'idle' : 'degraded';
  const m = input.summary.metrics;
  if (m.poolState === 'degraded') return 'degraded';
  if (acrossHosts(m).waiting > 0 || input.summary.approvals.length > 0) return 'queued';
  return running(input.summary.sessions).length > 0 ? 'busy' : 'idle';
}

/** The tooltip with the counts, cut to what Windows shows. */
export function trayTooltip(input: Pick<TrayInput, 'host' | 'summary'>): string {
  const text = ((): string => {
    const h = input.host;
    if (h.status === 'starting') return 'poshpool: starting';
    if (h.status === 'restarting') return `poshpool: restarting after a crash (${h.reason})`;
    if (h.status === 'failed') return `poshpool could not start: ${h.reason}`;
    if (h.status === 'stopped' || !input.summary) return 'poshpool: stopped';
    const m = input.summary.metrics;
    const busy = running(input.summary.sessions).length;
    // Over every host: the sessions listed (and so those running) are every host's too.
    const all = acrossHosts(m);
    const parts = [`${all.active}/${all.max} sessions in use`];
    const awaiting = input.summary.approvals.length;
    if (awaiting > 0) parts.unshift(`${awaiting} awaiting approval`);
    if (busy > 0) parts.push(`${busy} running`);
    if (all.waiting > 0) parts.push(`${all.waiting} waiting`);
    if (m.paused) parts.push('new sessions paused');
    if (m.poolState === 'degraded') parts.push(`cannot start sessions: ${m.poolDegradedReason}`);
    const hosts = hostsTooltipPart(m);
    if (hosts !== undefined) parts.push(hosts);
    if (m.shell?.kind === 'powershell') parts.push('on Windows PowerShell 5.1');
    return `poshpool: ${parts.join(', ')}`;
  })();
  return text.length <= TOOLTIP_MAX_CHARS ? text : `${text.slice(0, TOOLTIP_MAX_CHARS - 1)}…`;
}

function sessionItem(s: SessionInfo, clientName: string | undefined): TrayMenuItem {
  const cmd = s.currentCommand === null ? null : s.currentCommand.replace(/\s+/g, ' ');
  const what = cmd === null ? 'idle' : `running ${cmd.length > COMMAND_LABEL_CHARS ? `${cmd.slice(0, COMMAND_LABEL_CHARS)}…` : cmd}`;
  const items: TrayMenuItem[] = [];
  if (cmd !== null) items.push({ type: 'normal', label: 'Cancel command (Ctrl+C)', enabled: true, action: { kind: 'cancelCommand', sessionId: s.sessionId } });
  items.push({ type: 'normal', label: 'Terminate session', enabled: s.state !== 'ending', action: { kind: 'terminateSession', sessionId: s.sessionId } });
  const who = `${s.host === undefined || s.host === LOCAL_HOST ? '' : ` on ${s.host}`}${clientName === undefined ? '' : ` (${clientName})`}`;
  const flags = `${s.awaitingApproval ? ' (awaiting approval)' : ''}${s.abandoned ? ' (abandoned)' : ''}`;
  return { type: 'submenu', label: menuLiteral(`${s.sessionId}${who}: ${what}${flags}`), enabled: true, submenu: items };
}

/** The menu: commands waiting for approval (while any), open dashboard, sessions (terminate each), pause, connect an agent, copy client config, folders, start at login, notifications, quit. */
export function trayMenu(input: TrayInput): TrayMenuItem[] {
  const up = input.host.status === 'running' && input.summary !== undefined;
  const sessions = up ? input.summary!.sessions : [];
  const paused = up && input.summary!.metrics.paused;
  const names = (up ? input.summary!.clientNames : undefined) ?? {};
  const sessionItems: TrayMenuItem[] = sessions.slice(0, MENU_SESSIONS_MAX).map((s) => sessionItem(s, names[s.clientId]));
  if (sessions.length > MENU_SESSIONS_MAX) {
    sessionItems.push({ type: 'normal', label: `…and ${sessions.length - MENU_SESSIONS_MAX} more (open the dashboard)`, enabled: true, action: { kind: 'openDashboard' } });
  }
  const n = input.notifications;
  const warnings = up ? (input.summary!.metrics.shell?.warnings ?? []) : [];
  const menu: TrayMenuItem[] = [
    // What waits for the person comes first.
    ...approvalMenuItems(up ? input.summary!.approvals : []),
    { type: 'normal', label: trayTooltip(input), enabled: false },
    // What a person should act on (Windows PowerShell 5.1 as a fallback, scripts forbidden by policy).
    ...warnings.map((w): TrayMenuItem => ({ type: 'normal', label: `⚠ ${w.length > WARNING_LABEL_CHARS ? `${w.slice(0, WARNING_LABEL_CHARS - 1)}…` : w}`, enabled: false })),
    { type: 'separator' },
    { type: 'normal', label: 'Open dashboard', enabled: true, action: { kind: 'openDashboard' } },
    sessionItems.length === 0
      ? { type: 'normal', label: up ? 'Sessions: none in use' : 'Sessions: host not running', enabled: false }
      : { type: 'submenu', label: `Sessions (${sessions.length})`, enabled: true, submenu: sessionItems },
    ...hostsMenuItems(up ? input.summary!.metrics : undefined),
    { type: 'checkbox', label: 'Pause new sessions', enabled: up, checked: paused, action: { kind: 'setPaused', paused: !paused } },
  ];
  if (input.host.status === 'failed') menu.push({ type: 'normal', label: 'Retry starting poshpool', enabled: true, action: { kind: 'retryHost' } });
  menu.push(
    { type: 'separator' },
    // Writing a client's config needs no running host: the entry starts the bridge, which finds or starts one.
    {
      type: 'submenu',
      label: 'Connect an agent',
      enabled: true,
      submenu: CLIENT_IDS.map(
        (client): TrayMenuItem => ({
          type: 'submenu',
          label: CLIENTS[client].label,
          enabled: true,
          submenu: [
            { type: 'normal', label: `Add poshpool to ${CLIENTS[client].label}`, enabled: true, action: { kind: 'installClient', client, action: 'install' } },
            { type: 'normal', label: `Remove poshpool from ${CLIENTS[client].label}`, enabled: true, action: { kind: 'installClient', client, action: 'uninstall' } },
          ],
        }),
      ),
    },
    {
      type: 'submenu',
      label: 'Copy client config',
      enabled: up,
      submenu: [
        { type: 'normal', label: 'VS Code (mcp.json)', enabled: up, action: { kind: 'copyConfig', client: 'vscode' } },
        { type: 'normal', label: 'Claude Desktop (claude_desktop_config.json)', enabled: up, action: { kind: 'copyConfig', client: 'claudeDesktop' } },
        { type: 'normal', label: 'Claude Code (command line)', enabled: up, action: { kind: 'copyConfig', client: 'claudeCode' } },
      ],
    },
    { type: 'normal', label: 'Open config folder', enabled: true, action: { kind: 'openConfigFolder' } },
    { type: 'normal', label: 'Open log folder', enabled: true, action: { kind: 'openLogFolder' } },
    {
      type: 'submenu',
      label: 'Notifications',
      enabled: true,
      submenu: [
        { type: 'checkbox', label: 'A command waits for approval', enabled: true, checked: n.approvalRequested, action: { kind: 'setNotification', which: 'approvalRequested', enabled: !n.approvalRequested } },
        { type: 'checkbox', label: 'Session left idle (abandoned)', enabled: true, checked: n.sessionAbandoned, action: { kind: 'setNotification', which: 'sessionAbandoned', enabled: !n.sessionAbandoned } },
        { type: 'checkbox', label: 'Backup failed', enabled: true, checked: n.backupFailed, action: { kind: 'setNotification', which: 'backupFailed', enabled: !n.backupFailed } },
        { type: 'checkbox', label: 'Sessions cannot start (degraded)', enabled: true, checked: n.poolDegraded, action: { kind: 'setNotification', which: 'poolDegraded', enabled: !n.poolDegraded } },
      ],
    },
    input.startAtLogin.supported
      ? { type: 'checkbox', label: 'Start at login', enabled: true, checked: input.startAtLogin.enabled, action: { kind: 'setStartAtLogin', enabled: !input.startAtLogin.enabled } }
      : { type: 'normal', label: `Start at login: ${input.startAtLogin.reason}`, enabled: false },
    { type: 'separator' },
    { type: 'normal', label: 'Quit poshpool', enabled: true, action: { kind: 'quit' } },
  );
  return menu;
}

/** The whole view. */
export function trayView(input: TrayInput): TrayView {
  return { icon: trayIconState(input), tooltip: trayTooltip(input), menu: trayMenu(input) };
}

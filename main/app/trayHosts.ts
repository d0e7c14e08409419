import { LOCAL_HOST, type HostSummary, type MetricsSnapshot } from '../../common/scheduler.js';
import { menuLiteral, type TrayMenuItem } from './trayMenu.js';

/** Characters of a degraded host's reason in its menu line (the status and the dashboard give it whole). */
const HOST_REASON_CHARS = 90;

/** The hosts other than this machine (none in figures from before hosts existed). */
export function remoteHosts(metrics: Pick<MetricsSnapshot, 'hosts'>): HostSummary[] {
  return (metrics.hosts ?? []).filter((h) => h.kind !== 'local' && h.name !== LOCAL_HOST);
}

/** The remote hosts that cannot start sessions now. */
export function downHosts(metrics: Pick<MetricsSnapshot, 'hosts'>): HostSummary[] {
  return remoteHosts(metrics).filter((h) => h.state === 'degraded');
}

/** Sessions in use, the most, and requests waiting, over every host (the top-level figures alone are this machine's). */
export function acrossHosts(m: Pick<MetricsSnapshot, 'hosts' | 'activeSessions' | 'maxSessions' | 'queueDepth'>): { active: number; max: number; waiting: number } {
  if (m.hosts === undefined || m.hosts.length === 0) return { active: m.activeSessions, max: m.maxSessions, waiting: m.queueDepth };
  return m.hosts.reduce((t, h) => ({ active: t.active + h.activeSessions, max: t.max + h.maxSessions, waiting: t.waiting + h.queueDepth }), { active: 0, max: 0, waiting: 0 });
}

/**
 * The tooltip's word on remote hosts that are down: milder than a degraded local pool (poshpool
 * works; one machine it reaches does not), so it names the hosts and nothing turns red.
 */
export function hostsTooltipPart(metrics: Pick<MetricsSnapshot, 'hosts'>): string | undefined {
  const down = downHosts(metrics).map((h) => h.name);
  if (down.length === 0) return undefined;
  return down.length === 1 ? `host ${down[0]} unreachable` : `${down.length} hosts unreachable (${down.join(', ')})`;
}

function cut(text: string, chars: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > chars ? `${line.slice(0, chars - 1)}…` : line;
}

/** One host's line: name, state and sessions (and the queue when requests wait). */
function hostLabel(h: HostSummary): string {
  const name = h.kind === 'local' ? `${h.name} (this machine)` : h.name;
  const state = h.state === 'degraded' ? '⚠ degraded' : h.state;
  const queue = h.queueDepth > 0 ? `, ${h.queueDepth} waiting` : '';
  return menuLiteral(`${name}: ${state}, ${h.activeSessions}/${h.maxSessions} sessions, ${h.warmSessions} warm${queue}`);
}

/**
 * The "Hosts" submenu, only when sessions can run on more than this machine: a line per host with
 * its state and sessions, and under a degraded one why (shortened).
 */
export function hostsMenuItems(metrics: Pick<MetricsSnapshot, 'hosts'> | undefined): TrayMenuItem[] {
  const hosts = metrics?.hosts ?? [];
  if (remoteHosts({ hosts }).length === 0) return [];
  const items: TrayMenuItem[] = [];
  for (const h of hosts) {
    items.push({ type: 'normal', label: hostLabel(h), enabled: false });
    if (h.state === 'degraded') items.push({ type: 'normal', label: menuLiteral(`    ${cut(h.degradedReason || 'sessions cannot start there', HOST_REASON_CHARS)}`), enabled: false });
  }
  const down = downHosts({ hosts }).length;
  return [{ type: 'submenu', label: down === 0 ? `Hosts (${hosts.length})` : `Hosts (${hosts.length}, ${down} down)`, enabled: true, submenu: items }];
}

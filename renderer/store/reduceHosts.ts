/**
 * The hosts in the dashboard's metrics (metrics.hosts: this machine first, then the config's remote
 * hosts), kept current between snapshots: a host's pool events change that host alone (a remote host
 * going down is not this machine's pool going down), and its lent sessions and waiting requests are
 * counted from the sessions and the queue. The top-level figures stay this machine's, as the host
 * sends them.
 */

import type { PoshpoolEvent } from '../../common/events.js';
import type { HostSummary, LOCAL_HOST as CommonLocalHost, MetricsSnapshot, QueuedRequestInfo, SessionInfo } from '../../common/scheduler.js';

/** The name of this machine among the hosts (common's LOCAL_HOST; the renderer takes only types from common/, so the type keeps the two equal). */
export const LOCAL_HOST: typeof CommonLocalHost = 'local';

/** The host a session or request runs on (absent in figures from before hosts: this machine). */
export function hostOf(item: { host?: string }): string {
  return item.host ?? LOCAL_HOST;
}

/** Whether a host name is this machine. */
export function isLocalHost(name: string | undefined): boolean {
  return name === undefined || name === LOCAL_HOST;
}

/** Whether the figures name a host other than this machine (the dashboard then shows hosts). */
export function hasRemoteHosts(metrics: Pick<MetricsSnapshot, 'hosts'> | null): boolean {
  return (metrics?.hosts ?? []).some((h) => !isLocalHost(h.name));
}

/** Requests waiting on every host: the hosts' queues summed, or the one queue in figures from before hosts. */
export function totalQueueDepth(metrics: Pick<MetricsSnapshot, 'hosts' | 'queueDepth'> | null, queueLength: number): number {
  if (metrics === null) return queueLength;
  return metrics.hosts === undefined ? metrics.queueDepth : metrics.hosts.reduce((n, h) => n + h.queueDepth, 0);
}

/**
 * Applies a pool.degraded or pool.recovered event to `metrics` (a copy the caller owns; its hosts
 * array is replaced, never edited): this machine's updates the top-level state and the local host,
 * a remote host's updates that host only.
 */
export function applyPoolEvent(metrics: MetricsSnapshot, e: Extract<PoshpoolEvent, { type: 'pool.degraded' | 'pool.recovered' }>): void {
  const state = e.type === 'pool.degraded' ? 'degraded' : 'healthy';
  const reason = e.type === 'pool.degraded' ? e.reason : '';
  const name = e.host ?? LOCAL_HOST;
  if (isLocalHost(e.host)) {
    metrics.poolState = state;
    metrics.poolDegradedReason = reason;
  }
  if (metrics.hosts !== undefined) metrics.hosts = metrics.hosts.map((h) => (h.name === name ? { ...h, state, degradedReason: reason } : h));
}

/** A session was lent on `host`: a host still starting has shown it can start sessions. */
export function applySessionStarted(metrics: MetricsSnapshot, host: string): void {
  if (metrics.hosts === undefined) return;
  metrics.hosts = metrics.hosts.map((h) => (h.name === host && h.state === 'starting' ? { ...h, state: 'healthy', degradedReason: '' } : h));
}

/**
 * Counts each host's lent sessions (and, when the queue changed, its waiting requests) from the
 * sessions and the queue, and sets the top-level figures to this machine's.
 */
export function recountHosts(metrics: MetricsSnapshot, sessions: readonly SessionInfo[], queue: readonly QueuedRequestInfo[] | null): void {
  const active = new Map<string, number>();
  for (const s of sessions) active.set(hostOf(s), (active.get(hostOf(s)) ?? 0) + 1);
  const waiting = new Map<string, QueuedRequestInfo[]>();
  for (const q of queue ?? []) {
    const list = waiting.get(hostOf(q));
    if (list === undefined) waiting.set(hostOf(q), [q]);
    else list.push(q);
  }

  const localActive = active.get(LOCAL_HOST) ?? 0;
  metrics.activeSessions = localActive;
  metrics.freeSlots = Math.max(0, metrics.maxSessions - localActive);
  if (queue !== null) {
    const local = waiting.get(LOCAL_HOST) ?? [];
    metrics.queueDepth = local.length;
    metrics.queueDepthSync = local.filter((q) => q.priority === 'sync').length;
    metrics.queueDepthAsync = local.length - metrics.queueDepthSync;
    metrics.peakQueueDepth = Math.max(metrics.peakQueueDepth, local.length);
  }
  metrics.peakSessions = Math.max(metrics.peakSessions, localActive);
  if (metrics.hosts === undefined) return;
  metrics.hosts = metrics.hosts.map((h): HostSummary => {
    const n = active.get(h.name) ?? 0;
    const depth = queue === null ? h.queueDepth : (waiting.get(h.name)?.length ?? 0);
    if (n === h.activeSessions && depth === h.queueDepth) return h;
    return { ...h, activeSessions: n, freeSlots: Math.max(0, h.maxSessions - n), queueDepth: depth };
  });
}

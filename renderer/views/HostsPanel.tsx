/**
 * The hosts sessions run on (this machine first, then the config's remote hosts), shown when there
 * is more than this machine: each host's state in words, sessions lent of the most, warm sessions,
 * its queue and the wait a new request would be told, its labels, where ssh connects, and why a
 * degraded host cannot start sessions.
 */

import type { HostSummary } from '../../common/scheduler.js';
import { hasRemoteHosts, isLocalHost } from '../store/reduceHosts.js';
import { useDashboardStore } from './DashboardContext.js';
import { formatCount, formatDuration } from './format.js';

/** A host's state in words (the colour only repeats them). */
export function hostStateText(h: Pick<HostSummary, 'state'>): string {
  switch (h.state) {
    case 'starting':
      return 'starting (connecting)';
    case 'healthy':
      return 'healthy';
    case 'degraded':
      return 'degraded: cannot start sessions';
    case 'disposed':
      return 'stopped';
  }
}

/** The wait a new request for the host would be told, or a dash when it cannot be served. */
function etaText(h: HostSummary): string {
  if (h.state === 'degraded' || h.state === 'disposed') return '—';
  return h.estimatedWaitMs <= 0 ? 'none' : formatDuration(Math.ceil(h.estimatedWaitMs / 1000) * 1000);
}

export function HostsPanel() {
  const metrics = useDashboardStore((s) => s.metrics);
  if (metrics === null || !hasRemoteHosts(metrics)) return null;
  const hosts = metrics.hosts ?? [];
  const down = hosts.filter((h) => h.state === 'degraded').length;

  return (
    <section className="hosts" aria-labelledby="hosts-heading">
      <h2 id="hosts-heading">Hosts</h2>
      <table>
        <caption>
          {formatCount(hosts.length)} hosts{down > 0 ? `, ${formatCount(down)} degraded` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col">Sessions in use</th>
            <th scope="col">Warm</th>
            <th scope="col">Queue</th>
            <th scope="col">ETA</th>
            <th scope="col">Labels</th>
            <th scope="col">Where</th>
            <th scope="col">Why degraded</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => {
            const local = isLocalHost(h.name);
            return (
              <tr key={h.name}>
                <th scope="row">{h.name}</th>
                {/* A remote host that is down is a warning (poshpool works), this machine's pool down is an error. */}
                <td className={`host-state host-${h.state}${local ? ' host-local' : ''}`}>{hostStateText(h)}</td>
                <td>
                  {formatCount(h.activeSessions)} of {formatCount(h.maxSessions)}
                </td>
                <td>{formatCount(h.warmSessions)}</td>
                <td>{formatCount(h.queueDepth)}</td>
                <td>{etaText(h)}</td>
                <td>{h.labels.length === 0 ? '—' : h.labels.join(', ')}</td>
                <td>{local ? 'this machine' : <code>{h.destination ?? '—'}</code>}</td>
                <td className="host-reason">{h.state === 'degraded' ? h.degradedReason || 'No reason given' : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Whether the sessions and queue tables show a Host column: when sessions can run on more than this machine. */

import { hasRemoteHosts, hostOf, isLocalHost } from '../store/reduceHosts.js';
import { useDashboardStore } from './DashboardContext.js';

/** True when the host's figures name a remote host, or a row runs on one (figures can lag a row). */
export function useHostColumn(rows: readonly { host?: string }[]): boolean {
  const remote = useDashboardStore((s) => hasRemoteHosts(s.metrics));
  return remote || rows.some((r) => !isLocalHost(r.host));
}

/** The host a row runs on, as the Host column shows it. */
export function hostLabel(row: { host?: string }): string {
  return hostOf(row);
}

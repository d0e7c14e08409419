import { LOCAL_HOST, type HostSummary, type MetricsSnapshot, type QueuedRequestInfo, type SessionInfo } from '../../common/scheduler.js';

/** What the running host answers on /status. */
export interface StatusBody {
  metrics: MetricsSnapshot;
  sessions: SessionInfo[];
  queue: QueuedRequestInfo[];
}

/** Characters of a running command shown on a session's line. */
const COMMAND_CHARS = 60;

/** Seconds with one decimal, from milliseconds. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** ` on <host>` for a session or request on another machine; nothing for this machine (or figures from before hosts). */
function onHost(host: string | undefined): string {
  return host === undefined || host === LOCAL_HOST ? '' : ` on ${host}`;
}

/**
 * The hosts the sessions run on, one line each (name, state, sessions lent of the most, warm, queue,
 * labels, where), and below a degraded host why, in plain words. The local host's line says "this
 * machine" where a remote one says where ssh connects.
 */
export function hostLines(hosts: readonly HostSummary[]): string[] {
  if (hosts.length === 0) return [];
  const nameWidth = Math.max(...hosts.map((h) => h.name.length));
  const stateWidth = Math.max(...hosts.map((h) => h.state.length));
  const lines = [`hosts: ${hosts.length}`];
  for (const h of hosts) {
    const labels = h.labels.length > 0 ? `, labels ${h.labels.join(', ')}` : '';
    const where = h.kind === 'local' ? 'this machine' : `ssh ${h.destination ?? '?'}`;
    const wait = h.queueDepth > 0 ? ` (ETA ${seconds(h.estimatedWaitMs)} s)` : '';
    lines.push(`  ${h.name.padEnd(nameWidth)}  ${h.state.padEnd(stateWidth)}  sessions ${h.activeSessions}/${h.maxSessions} lent, ${h.warmSessions} warm; queue ${h.queueDepth}${wait}${labels}; ${where}`);
    if (h.state === 'degraded') lines.push(`  ${' '.repeat(nameWidth)}  why: ${h.degradedReason || 'sessions cannot start there (no reason given)'}`);
  }
  return lines;
}

/** The human-readable `poshpool status`: the pool, commands, the shell, the hosts, then each session and waiting request. */
export function statusText(body: StatusBody, host: { pid: number; mcpUrl: string }): string {
  const m = body.metrics;
  const lines = [
    `poshpool host pid ${host.pid} at ${host.mcpUrl}`,
    `pool: ${m.poolState}${m.poolDegradedReason ? ` (${m.poolDegradedReason})` : ''}; sessions ${m.activeSessions}/${m.maxSessions} lent, ${m.warmSessions} warm; queue ${m.queueDepth} (sync ${m.queueDepthSync}, async ${m.queueDepthAsync})`,
    `commands: ${m.commandsRun} run, ${m.commandsFailed} failed; p50 ${m.commandDurationMs.p50 ?? '-'} ms, p95 ${m.commandDurationMs.p95 ?? '-'} ms; restarts ${m.restarts}; sessions reused ${m.sessionsReused ?? 0}, discarded ${m.sessionsDiscarded ?? 0}`,
  ];
  if (m.shell) {
    const sh = m.shell;
    const what = sh.kind === 'powershell' ? 'Windows PowerShell' : 'PowerShell';
    const facts = sh.version ? ` ${sh.version}${sh.edition ? ` (${sh.edition})` : ''}, ${sh.languageMode}, execution policy ${sh.executionPolicy}` : '';
    lines.push(`shell: ${what}${facts} at ${sh.path}`);
    for (const w of sh.warnings) lines.push(`warning: ${w}`);
  }
  lines.push(...hostLines(m.hosts ?? []));
  for (const s of body.sessions) {
    const command = s.currentCommand ? ` — ${s.currentCommand.slice(0, COMMAND_CHARS)}` : '';
    lines.push(`  session ${s.sessionId}${onHost(s.host)} (${s.clientId}): ${s.state}${command}, ${s.commandCount} commands, cwd ${s.cwd ?? '-'}`);
  }
  for (const q of body.queue) lines.push(`  queued ${q.requestId}${onHost(q.host)} (${q.clientId}): ${q.priority}, position ${q.position}, ETA ${seconds(q.etaMs)} s`);
  return `${lines.join('\n')}\n`;
}

/** Text formatting shared by the views. */

import type { ApprovalDecidedBy, ApprovalDecision } from '../../common/approvals.js';
import type { PoshpoolEvent } from '../../common/events.js';
import { LOCAL_HOST } from '../store/reduceHosts.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** A duration as "42s", "3m 05s" or "2h 07m" (whole seconds, rounded down). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m ${pad(total % 60)}s`;
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
}

/** A wait in milliseconds, or a dash when unknown. */
export function formatWait(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** A clock time (local, HH:MM:SS). */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A date and time (local, YYYY-MM-DD HH:MM:SS). */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(epochMs)}`;
}

/** Characters of an id shown in tables (the full id is on hover and copied by its button). */
export const SHORT_ID_CHARS = 8;

/** The first SHORT_ID_CHARS characters of an id (ids that short or shorter are shown whole). */
export function shortId(id: string): string {
  return id.length <= SHORT_ID_CHARS ? id : id.slice(0, SHORT_ID_CHARS);
}

/** A time relative to now: "just now", "12 s ago", "5 min ago", "2 h ago", "3 d ago" (or "in 12 s" ahead). */
export function formatRelative(epochMs: number, now: number): string {
  const diff = now - epochMs;
  const seconds = Math.floor(Math.abs(diff) / 1000);
  if (seconds < 1) return 'just now';
  const amount =
    seconds < 60 ? `${seconds} s` : seconds < 3_600 ? `${Math.floor(seconds / 60)} min` : seconds < 86_400 ? `${Math.floor(seconds / 3_600)} h` : `${Math.floor(seconds / 86_400)} d`;
  return diff >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** Counts are grouped the same way on every machine (screenshots and tests stay stable). */
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands grouped: 12,345. */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** A count and its noun, singular for one: "1 request", "1,024 commands". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** Characters of a command in one event-log line. */
const EVENT_COMMAND_CHARS = 80;

function preview(command: string): string {
  const line = command.replace(/\s+/g, ' ');
  return line.length > EVENT_COMMAND_CHARS ? `${line.slice(0, EVENT_COMMAND_CHARS)}…` : line;
}

const DECISION_WORDS: Record<ApprovalDecision, string> = { approved: 'approved once', approvedForSession: 'approved for the session', denied: 'denied' };

/** Who decided, in words. */
export const DECIDED_BY_WORDS: Record<ApprovalDecidedBy, string> = {
  dashboard: 'from the dashboard',
  tray: 'from the tray',
  client: "by the client's user",
  remembered: 'allowed earlier for this session',
  timeout: 'nobody answered in time',
  cancelled: 'the call was cancelled',
  shutdown: 'poshpool shut down',
};

/** ` on <host>` (or another preposition) for a remote host; nothing for this machine or an event from before hosts. */
function onHost(host: string | undefined, preposition = 'on'): string {
  return host === undefined || host === LOCAL_HOST ? '' : ` ${preposition} ${host}`;
}

/** Whose pool an event is about: this machine's ("Pool") or a remote host's. */
function poolOf(host: string | undefined): string {
  return host === undefined || host === LOCAL_HOST ? 'Pool' : `Host ${host}`;
}

/** One line describing an event for the event log (ids shortened: idsOf gives them whole). */
export function describeEvent(e: PoshpoolEvent): string {
  switch (e.type) {
    case 'session.started':
      return `Session ${shortId(e.sessionId)} lent to ${e.clientId}${onHost(e.host)}`;
    case 'session.state':
      return `Session ${shortId(e.sessionId)} is ${e.state}`;
    case 'session.ended':
      return `Session ${shortId(e.sessionId)} ended (${e.reason})${e.detail ? `: ${e.detail}` : ''}`;
    case 'session.abandoned':
      return `Session ${shortId(e.sessionId)} idle for ${formatDuration(e.idleMs)}`;
    case 'session.reclaimed':
      return `Session ${shortId(e.sessionId)} reclaimed after ${formatDuration(e.idleMs)} idle`;
    case 'request.queued':
      return `Request ${shortId(e.requestId)} (${e.clientId}, ${e.priority}) queued at ${e.position}${onHost(e.host, 'for')}, ETA ${formatDuration(e.etaMs)}`;
    case 'request.position':
      return `Request ${shortId(e.requestId)} now at ${e.position}, ETA ${formatDuration(e.etaMs)}`;
    case 'request.allocated':
      return `Request ${shortId(e.requestId)} got session ${shortId(e.sessionId)} after ${formatDuration(e.waitedMs)}`;
    case 'request.cancelled':
      return `Request ${shortId(e.requestId)} cancelled: ${e.reason}`;
    case 'request.rejected':
      return `Request ${shortId(e.requestId)} rejected: ${e.reason}`;
    case 'command.started':
      return `${shortId(e.sessionId)} #${e.seq}: ${e.command.length > 80 ? `${e.command.slice(0, 80)}…` : e.command}`;
    case 'command.finished':
      return `${shortId(e.sessionId)} #${e.seq} ${e.status}${e.exitCode === null ? '' : ` (exit ${e.exitCode})`} in ${formatDuration(e.durationMs)}`;
    case 'job.finished':
      return `Job ${shortId(e.jobId)} ${e.status}${e.exitCode === null ? '' : ` (exit ${e.exitCode})`}`;
    case 'job.failed':
      return `Job ${shortId(e.jobId)} failed: ${e.reason}`;
    case 'backup.completed':
      return `Backup of ${e.folder}: ${e.filesChanged} files changed (${e.reason})`;
    case 'backup.skipped':
      return `Backup of ${e.folder} skipped (${e.reason})`;
    case 'backup.failed':
      return `Backup of ${e.folder} failed: ${e.error}`;
    case 'pool.degraded':
      return `${poolOf(e.host)} degraded after ${e.failures} failures: ${e.reason}`;
    case 'pool.recovered':
      return `${poolOf(e.host)} recovered after ${formatDuration(e.downMs)}`;
    case 'client.connected':
      return `Client ${e.name}${e.version ? ` ${e.version}` : ''} connected (${shortId(e.clientId)})`;
    case 'pool.paused':
      return `New sessions paused (${e.by})`;
    case 'pool.resumed':
      return `New sessions resumed (${e.by}) after ${formatDuration(e.pausedMs)}`;
    case 'pool.sessionDiscarded':
      return `A returned session was ended instead of reused: ${e.reason}`;
    case 'approval.requested':
      return `${shortId(e.request.sessionId)} waits for approval (${e.request.rules.map((r) => r.name).join(', ')}): ${preview(e.request.command)}`;
    case 'approval.decided':
      return `${shortId(e.request.sessionId)}: ${preview(e.request.command)} ${DECISION_WORDS[e.decision]} (${DECIDED_BY_WORDS[e.by]})`;
  }
}

/** The whole ids an event names (session, request, job, approval), for the event log's hover text. */
export function idsOf(e: PoshpoolEvent): string {
  const ids: string[] = [];
  const named = e as Partial<Record<'sessionId' | 'requestId' | 'jobId', string | null>>;
  if (typeof named.sessionId === 'string') ids.push(`session ${named.sessionId}`);
  if (typeof named.requestId === 'string') ids.push(`request ${named.requestId}`);
  if (typeof named.jobId === 'string') ids.push(`job ${named.jobId}`);
  if (e.type === 'approval.requested' || e.type === 'approval.decided') ids.push(`session ${e.request.sessionId}`, `approval ${e.request.approvalId}`);
  return ids.join(', ');
}

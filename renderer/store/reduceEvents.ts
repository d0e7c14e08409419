/**
 * Pure reducers of the dashboard store: a snapshot replaces the data, a batch of events updates it.
 * A batch copies each touched collection once and then edits the copies, so a burst costs one pass.
 */

import type { ApprovalRequest } from '../../common/approvals.js';
import type { DashboardSnapshot, JobSummary, WatchedFolder } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { MetricsSnapshot, SessionInfo } from '../../common/scheduler.js';
import type { BackupHistory, DashboardData, LoggedEvent, QueueDepthSample, QueueEntry } from './dashboardState.js';
import { applyPoolEvent, applySessionStarted, recountHosts, totalQueueDepth } from './reduceHosts.js';

/** Characters of a running command kept on a session (as the host's SessionInfo does). */
export const COMMAND_PREVIEW_CHARS = 500;

/** Width of one queue chart bucket (360 samples an hour: cheap to keep and to draw). */
export const QUEUE_DEPTH_SAMPLE_MS = 10_000;

/** How far back the queue chart reaches. */
export const QUEUE_DEPTH_WINDOW_MS = 60 * 60_000;

type Data = Pick<
  DashboardData,
  'sessions' | 'queue' | 'jobs' | 'backups' | 'metrics' | 'eventLog' | 'nextEventSeq' | 'queueDepthHistory' | 'clients' | 'approvals'
>;

function byKey<T>(items: readonly T[], key: (item: T) => string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) out[key(item)] = item;
  return out;
}

function sortQueue(queue: QueueEntry[]): QueueEntry[] {
  return queue.sort((a, b) => a.position - b.position || a.enqueuedAt - b.enqueuedAt);
}

/** Adds a sample of `depth` and `waitMs` at `now`: the bucket keeps the highest of each; samples older than the window go. */
export function sampleQueueDepth(history: readonly QueueDepthSample[], depth: number, now: number, waitMs = 0): QueueDepthSample[] {
  const bucket = Math.floor(now / QUEUE_DEPTH_SAMPLE_MS) * QUEUE_DEPTH_SAMPLE_MS;
  const cutoff = now - QUEUE_DEPTH_WINDOW_MS;
  const out = history.filter((s) => s.time > cutoff && s.time <= bucket);
  const last = out[out.length - 1];
  if (last !== undefined && last.time === bucket) out[out.length - 1] = { time: bucket, depth: Math.max(last.depth, depth), waitMs: Math.max(last.waitMs, waitMs) };
  else out.push({ time: bucket, depth, waitMs });
  return out;
}

/** How long the longest-waiting request in `queue` has waited at `now` (0 when none waits). */
export function longestWait(queue: readonly QueueEntry[], now: number): number {
  let oldest = now;
  for (const q of queue) oldest = Math.min(oldest, q.enqueuedAt);
  return Math.max(0, now - oldest);
}

/** Commands waiting for approval in the order they were asked. */
function sortApprovals(approvals: ApprovalRequest[]): ApprovalRequest[] {
  return approvals.sort((a, b) => a.requestedAt - b.requestedAt);
}

/** The data a snapshot gives: sessions, queue, jobs, folders, clients, approvals and metrics replaced; history caches dropped. */
export function reduceSnapshot(
  snapshot: DashboardSnapshot,
  previous: Pick<DashboardData, 'queueDepthHistory'>,
  now: number,
): Pick<DashboardData, 'sessions' | 'queue' | 'jobs' | 'backups' | 'metrics' | 'queueDepthHistory' | 'clients' | 'approvals'> {
  const queue = sortQueue(snapshot.queue.map((q) => ({ ...q, etaGivenAt: snapshot.metrics.time })));
  return {
    sessions: byKey(snapshot.sessions, (s) => s.sessionId),
    queue,
    jobs: byKey(snapshot.jobs, (j) => j.jobId),
    backups: { folders: byKey(snapshot.folders, (f) => f.folder), history: {} },
    metrics: snapshot.metrics,
    queueDepthHistory: sampleQueueDepth(previous.queueDepthHistory, totalQueueDepth(snapshot.metrics, queue.length), now, longestWait(queue, now)),
    clients: byKey(snapshot.clients ?? [], (c) => c.clientId),
    // A host from before approval rules sends none.
    approvals: sortApprovals([...(snapshot.approvals ?? [])]),
  };
}

/** Options of reduceEvents. */
export interface ReduceOptions {
  /** Most events kept in the log. */
  eventLogSize: number;
  /** Now, for the queue-depth chart. */
  now: number;
}

/** The data after a batch of events, applied in order. */
export function reduceEvents(data: Data, events: readonly PoshpoolEvent[], options: ReduceOptions): Data {
  const sessions = { ...data.sessions };
  let queue = data.queue.slice();
  const jobs = { ...data.jobs };
  let clients = data.clients;
  let approvals = data.approvals;
  const folders: Record<string, WatchedFolder> = { ...data.backups.folders };
  const history: Record<string, BackupHistory> = { ...data.backups.history };
  const metrics: MetricsSnapshot | null = data.metrics === null ? null : { ...data.metrics, backups: { ...data.metrics.backups } };
  let queueTouched = false;
  // The longest wait of a request served in this batch, for the queue chart.
  let servedWaitMs = 0;

  const patchSession = (sessionId: string, patch: (s: SessionInfo) => Partial<SessionInfo>): void => {
    const s = sessions[sessionId];
    if (s !== undefined) sessions[sessionId] = { ...s, ...patch(s) };
  };
  const patchJob = (jobId: string, patch: Partial<JobSummary>): void => {
    const j = jobs[jobId];
    if (j !== undefined) jobs[jobId] = { ...j, ...patch };
  };
  const removeRequest = (requestId: string): void => {
    queue = queue.filter((q) => q.requestId !== requestId);
    queueTouched = true;
  };

  for (const e of events) {
    switch (e.type) {
      case 'session.started':
        sessions[e.sessionId] = {
          sessionId: e.sessionId,
          clientId: e.clientId,
          kind: e.kind,
          state: 'starting',
          currentCommand: null,
          commandStartedAt: null,
          cwd: e.cwd ?? null,
          commandCount: 0,
          lastActivity: e.time,
          lentAt: e.time,
          abandoned: false,
          pid: e.pid,
          ...(e.host === undefined ? {} : { host: e.host }),
        };
        if (metrics !== null && e.host !== undefined) applySessionStarted(metrics, e.host);
        break;
      case 'session.state':
        patchSession(e.sessionId, () => ({ state: e.state }));
        break;
      case 'session.ended':
      case 'session.reclaimed':
        delete sessions[e.sessionId];
        break;
      case 'session.abandoned':
        patchSession(e.sessionId, () => ({ abandoned: true }));
        break;
      case 'request.queued':
      case 'request.position': {
        const old = queue.find((q) => q.requestId === e.requestId);
        const entry: QueueEntry = {
          requestId: e.requestId,
          clientId: e.clientId,
          priority: e.priority,
          position: e.position,
          etaMs: e.etaMs,
          enqueuedAt: old?.enqueuedAt ?? e.time,
          etaGivenAt: e.time,
        };
        // request.position does not repeat the host: the request stays where it was queued.
        const host = e.type === 'request.queued' ? e.host : old?.host;
        if (host !== undefined) entry.host = host;
        queue = old === undefined ? [...queue, entry] : queue.map((q) => (q === old ? entry : q));
        queueTouched = true;
        break;
      }
      case 'request.allocated':
        servedWaitMs = Math.max(servedWaitMs, e.waitedMs);
        removeRequest(e.requestId);
        break;
      case 'request.cancelled':
      case 'request.rejected':
        removeRequest(e.requestId);
        break;
      case 'command.started':
        patchSession(e.sessionId, (s) => ({
          currentCommand: e.command.slice(0, COMMAND_PREVIEW_CHARS),
          commandStartedAt: e.time,
          // seq is the session's command number, so it is the count once this one started.
          commandCount: Math.max(s.commandCount, e.seq),
          lastActivity: e.time,
          abandoned: false,
          cwd: e.cwd ?? s.cwd,
        }));
        if (e.jobId !== null && jobs[e.jobId] === undefined) {
          jobs[e.jobId] = {
            jobId: e.jobId,
            clientId: e.clientId,
            sessionId: e.sessionId,
            command: e.command,
            status: 'running',
            startedAt: e.time,
            endedAt: null,
            outputSoFar: null,
            result: null,
            message: null,
          };
        }
        break;
      case 'command.finished':
        patchSession(e.sessionId, (s) => ({ currentCommand: null, commandStartedAt: null, lastActivity: e.time, cwd: e.cwd ?? s.cwd }));
        if (metrics !== null) {
          metrics.commandsRun++;
          if (!e.success) metrics.commandsFailed++;
        }
        break;
      case 'job.finished':
        patchJob(e.jobId, { status: e.status, endedAt: e.status === 'running' ? null : e.time });
        break;
      case 'job.failed':
        patchJob(e.jobId, { status: 'failed', endedAt: e.time, message: e.reason });
        break;
      case 'backup.completed': {
        const f = folders[e.folder];
        folders[e.folder] = { folder: e.folder, running: f?.running ?? true, lastBackupAt: e.time };
        delete history[e.folder];
        if (metrics !== null) metrics.backups.completed++;
        break;
      }
      case 'backup.skipped':
        if (metrics !== null) metrics.backups.skipped++;
        break;
      case 'backup.failed':
        if (metrics !== null) metrics.backups.failed++;
        break;
      case 'pool.degraded':
      case 'pool.recovered':
        // A remote host's pool changes that host alone, not this machine's pool state.
        if (metrics !== null) applyPoolEvent(metrics, e);
        break;
      case 'client.connected':
        clients = { ...clients, [e.clientId]: { clientId: e.clientId, name: e.name, version: e.version, connectedAt: e.time } };
        break;
      case 'pool.paused':
      case 'pool.resumed':
        if (metrics !== null) metrics.paused = e.type === 'pool.paused';
        break;
      case 'approval.requested':
        if (!approvals.some((a) => a.approvalId === e.request.approvalId)) approvals = sortApprovals([...approvals, e.request]);
        patchSession(e.request.sessionId, () => ({ awaitingApproval: true }));
        break;
      case 'approval.decided': {
        approvals = approvals.filter((a) => a.approvalId !== e.request.approvalId);
        const { sessionId } = e.request;
        const s = sessions[sessionId];
        if (s?.awaitingApproval === true && !approvals.some((a) => a.sessionId === sessionId)) {
          const { awaitingApproval: _done, ...rest } = s;
          sessions[sessionId] = rest;
        }
        break;
      }
      case 'pool.sessionDiscarded':
        // Shown in the activity log only: the metrics snapshot carries the counts.
        break;
      default: {
        const unknown: never = e;
        void unknown;
      }
    }
  }

  if (queueTouched) sortQueue(queue);
  // The top-level figures are this machine's; each host's are counted apart.
  if (metrics !== null) recountHosts(metrics, Object.values(sessions), queueTouched ? queue : null);

  const logged: LoggedEvent[] = events.map((event, i) => ({ seq: data.nextEventSeq + i, event }));
  const eventLog = [...data.eventLog, ...logged].slice(-options.eventLogSize);

  return {
    sessions,
    queue,
    jobs,
    backups: { folders, history },
    metrics,
    eventLog,
    nextEventSeq: data.nextEventSeq + events.length,
    clients,
    approvals,
    queueDepthHistory: sampleQueueDepth(
      data.queueDepthHistory,
      totalQueueDepth(metrics, queue.length),
      options.now,
      Math.max(servedWaitMs, longestWait(queue, options.now)),
    ),
  };
}

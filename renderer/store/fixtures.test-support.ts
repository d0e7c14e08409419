/** Builders of snapshots and events for the renderer's tests. */

import type { ApprovalRequest } from '../../common/approvals.js';
import type { DashboardSnapshot, JobSummary } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { MetricsSnapshot, SessionInfo } from '../../common/scheduler.js';

export function metrics(patch: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    time: 1_000,
    poolState: 'healthy',
    poolDegradedReason: '',
    paused: false,
    activeSessions: 0,
    freeSlots: 4,
    maxSessions: 4,
    warmSessions: 2,
    queueDepth: 0,
    queueDepthSync: 0,
    queueDepthAsync: 0,
    peakSessions: 0,
    peakQueueDepth: 0,
    averageWaitMs: { sync: null, async: null },
    estimatedWaitMs: { sync: 0, async: 0 },
    commandsRun: 0,
    commandsFailed: 0,
    restarts: 0,
    sessionsReused: 0,
    sessionsDiscarded: 0,
    startingSessions: 0,
    commandDurationMs: { p50: null, p95: null },
    requestsRejected: 0,
    backups: { completed: 0, skipped: 0, failed: 0 },
    ...patch,
  };
}

export function session(sessionId: string, patch: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId,
    clientId: 'c1',
    kind: 'session',
    state: 'idle',
    currentCommand: null,
    commandStartedAt: null,
    cwd: 'C:\\work',
    commandCount: 0,
    lastActivity: 500,
    lentAt: 500,
    abandoned: false,
    pid: 42,
    ...patch,
  };
}

export function job(jobId: string, patch: Partial<JobSummary> = {}): JobSummary {
  return {
    jobId,
    clientId: 'c1',
    sessionId: 's1',
    command: 'Start-Sleep 60',
    status: 'running',
    startedAt: 900,
    endedAt: null,
    outputSoFar: null,
    result: null,
    message: null,
    ...patch,
  };
}

export function snapshot(patch: Partial<DashboardSnapshot> = {}): DashboardSnapshot {
  return { metrics: metrics(), sessions: [], queue: [], jobs: [], folders: [], clients: [], approvals: [], ...patch };
}

/** A command waiting for approval: Remove-Item -Recurse in session s1 of client c1. */
export function approval(approvalId: string, patch: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    approvalId,
    sessionId: 's1',
    clientId: 'c1',
    clientName: 'Cursor',
    command: "Remove-Item -Recurse 'C:\\work\\build'",
    commandChars: 36,
    cwd: 'C:\\work',
    rules: [{ name: 'recursive delete', description: 'Remove-Item with -Recurse', command: 'Remove-Item' }],
    requestedAt: 1_000,
    expiresAt: 121_000,
    ...patch,
  };
}

/** A pool.recovered event, the smallest event there is. */
export function tick(time: number): PoshpoolEvent {
  return { type: 'pool.recovered', downMs: 0, time };
}

/** The dashboard store's state: one typed slice per thing the dashboard shows. */

import type { ApprovalRequest } from '../../common/approvals.js';
import type { BackupSummary, ConnectionState, JobSummary, WatchedFolder } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { MetricsSnapshot, QueuedRequestInfo, SessionInfo, ClientInfo } from '../../common/scheduler.js';

/** A waiting request, with the moment its etaMs was given so a view can count it down. */
export interface QueueEntry extends QueuedRequestInfo {
  /** Milliseconds since the epoch when `etaMs` was reported. Remaining = etaMs - (now - etaGivenAt). */
  etaGivenAt: number;
}

/** Backups of one folder as last fetched; dropped when the folder is backed up again. */
export interface BackupHistory {
  backups: BackupSummary[];
  fetchedAt: number;
}

/** One point of the queue chart: the highest depth and the longest wait seen in a 10 s bucket. */
export interface QueueDepthSample {
  /** Start of the bucket, milliseconds since the epoch. */
  time: number;
  depth: number;
  /** Longest wait of a request in the bucket (still waiting, or served), milliseconds. */
  waitMs: number;
}

/** One entry of the event log. */
export interface LoggedEvent {
  /** Increasing number, unique within one store (a stable React key). */
  seq: number;
  event: PoshpoolEvent;
}

export interface SessionsSlice {
  sessions: Record<string, SessionInfo>;
}

export interface QueueSlice {
  /** Waiting requests, ordered by position. */
  queue: QueueEntry[];
}

export interface JobsSlice {
  jobs: Record<string, JobSummary>;
}

export interface BackupsSlice {
  backups: {
    folders: Record<string, WatchedFolder>;
    /** Per-folder history cache; a missing key means "not fetched or stale". */
    history: Record<string, BackupHistory>;
  };
}

export interface MetricsSlice {
  /** Null until the first snapshot arrives. */
  metrics: MetricsSnapshot | null;
}

export interface ConnectionSlice {
  connection: { state: ConnectionState; lastError: string | null };
}

export interface EventLogSlice {
  /** The last `eventLogSize` events, oldest first. */
  eventLog: LoggedEvent[];
  /** Sequence number the next logged event gets. */
  nextEventSeq: number;
}

export interface ClientsSlice {
  /** The MCP clients by id, as they named themselves. */
  clients: Record<string, ClientInfo>;
}

export interface QueueDepthSlice {
  /** Samples over the last hour, oldest first, at most one per 10 s. */
  queueDepthHistory: QueueDepthSample[];
}

export interface ApprovalsSlice {
  /** Commands waiting for a person's approval, oldest first. */
  approvals: ApprovalRequest[];
}

/** All the data slices. */
export type DashboardData = SessionsSlice &
  QueueSlice &
  JobsSlice &
  BackupsSlice &
  MetricsSlice &
  ConnectionSlice &
  EventLogSlice &
  ClientsSlice &
  QueueDepthSlice &
  ApprovalsSlice;

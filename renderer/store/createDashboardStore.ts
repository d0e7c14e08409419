/** The dashboard's one zustand store (vanilla, so it is fed outside React), made per dashboard by a factory. */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackupSummary, ConnectionState, DashboardSnapshot } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { DashboardData } from './dashboardState.js';
import { longestWait, reduceEvents, reduceSnapshot, sampleQueueDepth } from './reduceEvents.js';
import { totalQueueDepth } from './reduceHosts.js';

/** Events kept in the event log unless told otherwise. */
export const DEFAULT_EVENT_LOG_SIZE = 500;

/** What the store can be asked to do. Each action is exactly one store update. */
export interface DashboardActions {
  /** Replaces sessions, queue, jobs, folders, clients, approvals and metrics with a snapshot (history caches are dropped). */
  applySnapshot(snapshot: DashboardSnapshot): void;
  /** Applies a batch of events in order, as one update. An empty batch changes nothing. */
  applyEvents(events: readonly PoshpoolEvent[]): void;
  /** Records the connection state, and the last error when given (kept when not). */
  setConnection(state: ConnectionState, error?: string): void;
  /** Caches a folder's backup history (fetched through the bridge). */
  setBackupHistory(folder: string, backups: BackupSummary[]): void;
  /** Adds a queue-depth sample now, so the chart moves while no events arrive. */
  sampleQueueDepth(): void;
}

/** The whole store state: data slices plus actions. */
export type DashboardState = DashboardData & DashboardActions;

/** A dashboard store. */
export type DashboardStore = StoreApi<DashboardState>;

/** Options of createDashboardStore. */
export interface DashboardStoreOptions {
  /** Events kept in the event log (default 500, at least 1). */
  eventLogSize?: number;
  /** Clock for the queue-depth chart (default Date.now). */
  now?: () => number;
}

/** Makes a dashboard store with empty slices, connection 'connecting'. */
export function createDashboardStore(options: DashboardStoreOptions = {}): DashboardStore {
  const eventLogSize = options.eventLogSize ?? DEFAULT_EVENT_LOG_SIZE;
  if (!Number.isInteger(eventLogSize) || eventLogSize < 1) throw new RangeError(`eventLogSize must be a positive integer, got ${eventLogSize}.`);
  const now = options.now ?? Date.now;

  return createStore<DashboardState>()((set, get) => ({
    sessions: {},
    queue: [],
    jobs: {},
    backups: { folders: {}, history: {} },
    metrics: null,
    connection: { state: 'connecting', lastError: null },
    eventLog: [],
    nextEventSeq: 0,
    queueDepthHistory: [],
    clients: {},
    approvals: [],

    applySnapshot: (snapshot) => set((s) => reduceSnapshot(snapshot, s, now())),
    applyEvents: (events) => {
      if (events.length === 0) return;
      set((s) => reduceEvents(s, events, { eventLogSize, now: now() }));
    },
    setConnection: (state, error) =>
      set((s) => ({ connection: { state, lastError: error ?? s.connection.lastError } })),
    setBackupHistory: (folder, backups) =>
      set((s) => ({ backups: { ...s.backups, history: { ...s.backups.history, [folder]: { backups, fetchedAt: now() } } } })),
    sampleQueueDepth: () => {
      const s = get();
      const t = now();
      set({ queueDepthHistory: sampleQueueDepth(s.queueDepthHistory, totalQueueDepth(s.metrics, s.queue.length), t, longestWait(s.queue, t)) });
    },
  }));
}

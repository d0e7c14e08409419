/** Test helpers for the views: a realistic snapshot, a fake bridge, and a render with a filled store. */

import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import type { ConnectionState, DashboardBridge, DashboardSnapshot } from '../../common/dashboard.js';
import type { SessionHistory } from '../../common/history.js';
import { createDashboardStore, type DashboardStore } from '../store/createDashboardStore.js';
import { DashboardProvider } from './DashboardContext.js';

/** "Now" in every view test: 2025-06-01 12:00:00 UTC. */
export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/** A snapshot with two sessions (one running), two waiting requests, two jobs and a watched folder. */
export function makeSnapshot(): DashboardSnapshot {
  return {
    metrics: {
      time: T0,
      poolState: 'healthy',
      poolDegradedReason: '',
    paused: false,
      activeSessions: 2,
      freeSlots: 2,
      maxSessions: 4,
      warmSessions: 1,
      queueDepth: 2,
      queueDepthSync: 1,
      queueDepthAsync: 1,
      peakSessions: 3,
      peakQueueDepth: 4,
      averageWaitMs: { sync: 1_500, async: 12_000 },
      estimatedWaitMs: { sync: 5_000, async: 20_000 },
      commandsRun: 42,
      commandsFailed: 3,
      restarts: 0,
      sessionsReused: 0,
      sessionsDiscarded: 0,
      startingSessions: 0,
      commandDurationMs: { p50: 800, p95: 9_000 },
      requestsRejected: 0,
      backups: { completed: 7, skipped: 1, failed: 0 },
    },
    sessions: [
      {
        sessionId: 's-1',
        kind: 'session',
        clientId: 'claude-code',
        state: 'running',
        currentCommand: 'npm test',
        commandStartedAt: T0 - 65_000,
        cwd: 'C:\\src\\app',
        commandCount: 5,
        lastActivity: T0 - 65_000,
        lentAt: T0 - 600_000,
        abandoned: false,
        pid: 4242,
      },
      {
        sessionId: 's-2',
        kind: 'default',
        clientId: 'cursor',
        state: 'idle',
        currentCommand: null,
        commandStartedAt: null,
        cwd: '/home/me/site',
        commandCount: 2,
        lastActivity: T0 - 30_000,
        lentAt: T0 - 300_000,
        abandoned: false,
        pid: 4343,
      },
    ],
    queue: [
      { requestId: 'r-1', clientId: 'codex', priority: 'sync', position: 1, etaMs: 5_000, enqueuedAt: T0 - 2_000 },
      { requestId: 'r-2', clientId: 'cursor', priority: 'async', position: 2, etaMs: 20_000, enqueuedAt: T0 - 1_000 },
    ],
    jobs: [
      {
        jobId: 'j-1',
        clientId: 'claude-code',
        sessionId: 's-1',
        command: 'npm run build',
        status: 'succeeded',
        startedAt: T0 - 120_000,
        endedAt: T0 - 90_000,
        outputSoFar: null,
        result: null,
        message: null,
      },
      {
        jobId: 'j-2',
        clientId: 'cursor',
        sessionId: 's-2',
        command: 'Get-ChildItem -Recurse',
        status: 'running',
        startedAt: T0 - 10_000,
        endedAt: null,
        outputSoFar: { output: 'Directory: /home/me/site', outputBytes: 24, truncated: false },
        result: null,
        message: null,
      },
    ],
    folders: [{ folder: '/home/me/site', lastBackupAt: T0 - 60_000, running: true }],
    clients: [],
    approvals: [],
  };
}

/** A session's history: a succeeded command, a failed one (2 errors, exit 1), one with a long output, one running. */
export function makeHistory(sessionId: string): SessionHistory {
  const base = { sessionId, clientId: 'claude-code', commandChars: 0, cwd: '/home/me/site', jobId: null, message: null, truncated: false, outputBytes: 20 };
  return {
    sessionId,
    clientId: 'claude-code',
    ended: null,
    dropped: 0,
    commands: [
      { ...base, seq: 1, command: 'Get-Date', startedAt: T0 - 60_000, durationMs: 120, status: 'completed', exitCode: 0, success: true, errorCount: 0 },
      { ...base, seq: 2, command: 'Get-Item nope', startedAt: T0 - 50_000, durationMs: 80, status: 'completed', exitCode: 1, success: false, errorCount: 2 },
      { ...base, seq: 3, command: '1..100000', startedAt: T0 - 40_000, durationMs: 900, status: 'completed', exitCode: 0, success: true, errorCount: 0, truncated: true, outputBytes: 200_000 },
      { ...base, seq: 4, command: 'npm test', startedAt: T0 - 5_000, durationMs: null, status: 'running', exitCode: null, success: null, errorCount: 0, outputBytes: 0 },
    ],
  };
}

/** A DashboardBridge whose every method is a vi.fn answering success. */
export function makeFakeBridge() {
  return {
    snapshot: vi.fn<DashboardBridge['snapshot']>(async () => ({ ok: true, snapshot: makeSnapshot() })),
    onEvent: vi.fn<DashboardBridge['onEvent']>(() => () => undefined),
    onConnection: vi.fn<DashboardBridge['onConnection']>(() => () => undefined),
    cancelCommand: vi.fn<DashboardBridge['cancelCommand']>(async () => ({ ok: true, wasRunning: true })),
    terminateSession: vi.fn<DashboardBridge['terminateSession']>(async () => ({ ok: true })),
    changePriority: vi.fn<DashboardBridge['changePriority']>(async () => ({ ok: true, position: 1, etaMs: 3_000 })),
    cancelRequest: vi.fn<DashboardBridge['cancelRequest']>(async () => ({ ok: true })),
    setPaused: vi.fn<DashboardBridge['setPaused']>(async () => ({ ok: true, changed: true })),
    answerApproval: vi.fn<DashboardBridge['answerApproval']>(async () => ({ ok: true })),
    // A long poll with nothing new: never answers unless a test says otherwise.
    readTerminal: vi.fn<DashboardBridge['readTerminal']>(() => new Promise(() => undefined)),
    jobPage: vi.fn<DashboardBridge['jobPage']>(async (_jobId, page) => ({
      ok: true,
      page: { ref: 'out-1', page, pages: 3, text: `page ${page + 1} text`, totalBytes: 3_000 },
    })),
    sessionHistory: vi.fn<DashboardBridge['sessionHistory']>(async (sessionId) => ({ ok: true, history: makeHistory(sessionId) })),
    historyEntry: vi.fn<DashboardBridge['historyEntry']>(async (sessionId, seq) => {
      const command = makeHistory(sessionId).commands.find((c) => c.seq === seq);
      if (command === undefined) return { ok: false, reason: `No command ${seq}` };
      const failed = command.success === false;
      return {
        ok: true,
        entry: {
          ...command,
          output: failed ? 'partial output' : `output of ${command.command}`,
          errors: failed ? [{ message: 'Cannot find path', fullyQualifiedErrorId: 'PathNotFound', category: 'ObjectNotFound', exceptionType: 'System.Management.Automation.ItemNotFoundException', targetName: '', position: 'At line:1 char:1', scriptStackTrace: '' }] : [],
          paged: command.truncated,
        },
      };
    }),
    recentCommands: vi.fn<DashboardBridge['recentCommands']>(async () => ({ ok: true, commands: makeHistory('s-2').commands.slice().reverse() })),
    historyPage: vi.fn<DashboardBridge['historyPage']>(async (_sessionId, _seq, page) => ({
      ok: true,
      page: { ref: 'out-2', page, pages: 2, text: `whole output page ${page + 1}`, totalBytes: 200_000 },
    })),
    backups: vi.fn<DashboardBridge['backups']>(async () => ({
      ok: true,
      backups: [
        {
          id: 'b-2',
          time: T0 - 60_000,
          message: 'quiet',
          filesChanged: 2,
          files: [
            { path: 'index.html', status: 'M', additions: 3, deletions: 1 },
            { path: 'app.js', status: 'A', additions: 10, deletions: 0 },
          ],
        },
        { id: 'b-1', time: T0 - 3_600_000, message: 'maxDelay', filesChanged: 1, files: [{ path: 'index.html', status: 'A', additions: 5, deletions: 0 }] },
      ],
    })),
    backupDiff: vi.fn<DashboardBridge['backupDiff']>(async () => ({ ok: true, diff: '--- a/index.html\n+++ b/index.html\n-<p>old</p>\n+<p>new</p>' })),
    restoreBackup: vi.fn<DashboardBridge['restoreBackup']>(async () => ({ ok: true, undoId: 'undo-77', restored: ['index.html'], removed: ['app.js'] })),
    restorePreview: vi.fn<DashboardBridge['restorePreview']>(async (_folder, _id, path) => ({
      ok: true,
      backupId: 'b-2-full',
      files: path === undefined ? [{ path: 'index.html', change: 'overwrite' }, { path: 'app.js', change: 'remove' }] : [{ path, change: 'overwrite' }],
    })),
    dispose: vi.fn<DashboardBridge['dispose']>(),
  } satisfies DashboardBridge;
}

export type FakeBridge = ReturnType<typeof makeFakeBridge>;

/** A store at T0 filled from makeSnapshot(), in the given connection state. */
export function makeStore(state: ConnectionState = 'connected', snapshot: DashboardSnapshot | null = makeSnapshot()): DashboardStore {
  const store = createDashboardStore({ now: () => T0 });
  if (snapshot !== null) store.getState().applySnapshot(snapshot);
  store.getState().setConnection(state);
  return store;
}

/** Renders `ui` inside a DashboardProvider; the clock is Date.now (fake it) or T0 when `fixedClock`. */
export function renderDashboard(
  ui: ReactElement,
  options: { store?: DashboardStore; bridge?: FakeBridge; fixedClock?: boolean } = {},
): RenderResult & { store: DashboardStore; bridge: FakeBridge } {
  const store = options.store ?? makeStore();
  const bridge = options.bridge ?? makeFakeBridge();
  const now = options.fixedClock === false ? undefined : () => T0;
  const result = render(
    <DashboardProvider store={store} bridge={bridge} now={now}>
      {ui}
    </DashboardProvider>,
  );
  return Object.assign(result, { store, bridge });
}

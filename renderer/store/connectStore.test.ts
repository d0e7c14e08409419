import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionResult, ConnectionState, DashboardBridge, DashboardSnapshot } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import { connectStore, DEFAULT_FLUSH_MS, DEFAULT_HOSTS_REFRESH_MS } from './connectStore.js';
import { createDashboardStore } from './createDashboardStore.js';
import { job, metrics, session, snapshot, tick } from './fixtures.test-support.js';

/** An in-test bridge: snapshots answered from a queue of deferreds, events and states pushed by hand. */
class FakeBridge implements DashboardBridge {
  readonly eventListeners = new Set<(e: PoshpoolEvent) => void>();
  readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  readonly pending: ((r: ActionResult<{ snapshot: DashboardSnapshot }>) => void)[] = [];
  snapshotCalls = 0;

  snapshot(): Promise<ActionResult<{ snapshot: DashboardSnapshot }>> {
    this.snapshotCalls++;
    return new Promise((resolve) => this.pending.push(resolve));
  }
  onEvent(listener: (e: PoshpoolEvent) => void) {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }
  onConnection(listener: (s: ConnectionState) => void) {
    this.connectionListeners.add(listener);
    return () => void this.connectionListeners.delete(listener);
  }
  emit(e: PoshpoolEvent): void {
    for (const l of this.eventListeners) l(e);
  }
  state(s: ConnectionState): void {
    for (const l of this.connectionListeners) l(s);
  }
  async answer(r: ActionResult<{ snapshot: DashboardSnapshot }>): Promise<void> {
    this.pending.shift()!(r);
    await vi.advanceTimersByTimeAsync(0);
  }
  cancelCommand = async () => ({ ok: true as const, wasRunning: false });
  terminateSession = async () => ({ ok: true as const });
  changePriority = async () => ({ ok: true as const, position: 1, etaMs: 0 });
  cancelRequest = async () => ({ ok: true as const });
  jobPage = async () => ({ ok: false as const, reason: 'none' });
  sessionHistory = async () => ({ ok: false as const, reason: 'none' });
  historyEntry = async () => ({ ok: false as const, reason: 'none' });
  historyPage = async () => ({ ok: false as const, reason: 'none' });
  recentCommands = async () => ({ ok: true as const, commands: [] });
  backups = async () => ({ ok: true as const, backups: [] });
  backupDiff = async () => ({ ok: true as const, diff: '' });
  restoreBackup = async () => ({ ok: true as const, undoId: 'u', restored: [], removed: [] });
  restorePreview = async () => ({ ok: true as const, backupId: 'b', files: [] });
  setPaused = async () => ({ ok: true as const, changed: true });
  answerApproval = async () => ({ ok: true as const });
  readTerminal = async () => ({ ok: true as const, data: '', next: 0, reset: false, ended: true });
  dispose(): void {}
}

describe('connectStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(flushMs?: number) {
    const bridge = new FakeBridge();
    const store = createDashboardStore({ now: () => 0 });
    let updates = 0;
    store.subscribe(() => updates++);
    const dispose = connectStore(bridge, store, { flushMs, sampleMs: 0 });
    return { bridge, store, dispose, updates: () => updates };
  }

  it('loads the snapshot and subscribes', async () => {
    const { bridge, store } = setup();
    expect(bridge.snapshotCalls).toBe(1);
    expect(bridge.eventListeners.size).toBe(1);
    expect(bridge.connectionListeners.size).toBe(1);
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s1')] }) });
    expect(Object.keys(store.getState().sessions)).toEqual(['s1']);
  });

  it('flushes buffered events at most once per DEFAULT_FLUSH_MS (50 ms), in one update', async () => {
    const { bridge, store, updates } = setup();
    await bridge.answer({ ok: true, snapshot: snapshot() });
    const before = updates();
    expect(DEFAULT_FLUSH_MS).toBe(50);
    for (let i = 0; i < 50; i++) bridge.emit(tick(2_000 + i));
    vi.advanceTimersByTime(49);
    expect(store.getState().eventLog).toHaveLength(0);
    expect(updates()).toBe(before);
    vi.advanceTimersByTime(1);
    expect(store.getState().eventLog).toHaveLength(50);
    expect(updates()).toBe(before + 1);
    bridge.emit(tick(3_000));
    vi.advanceTimersByTime(50);
    expect(store.getState().eventLog).toHaveLength(51);
    expect(updates()).toBe(before + 2);
    vi.advanceTimersByTime(1_000);
    expect(updates()).toBe(before + 2);
  });

  it('honours a configured flush interval', async () => {
    const { bridge, store } = setup(250);
    await bridge.answer({ ok: true, snapshot: snapshot() });
    bridge.emit(tick(2_000));
    vi.advanceTimersByTime(249);
    expect(store.getState().eventLog).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(store.getState().eventLog).toHaveLength(1);
  });

  it('holds events while the snapshot loads, then drops those older than it', async () => {
    const { bridge, store } = setup();
    bridge.emit(tick(500));
    bridge.emit(tick(1_500));
    vi.advanceTimersByTime(500);
    expect(store.getState().eventLog).toHaveLength(0);
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ time: 1_000 }) }) });
    vi.advanceTimersByTime(100);
    expect(store.getState().eventLog.map((l) => l.event.time)).toEqual([1_500]);
  });

  it('loads again once the event stream connects: a job started between the first snapshot and the stream is not lost', async () => {
    const { bridge, store } = setup();
    // The first snapshot was taken before the stream was open; the job started after it.
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ time: 1_000 }) }) });
    bridge.state('connected');
    expect(bridge.snapshotCalls).toBe(2);
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ time: 2_000 }), jobs: [job('j1')] }) });
    expect(Object.keys(store.getState().jobs)).toEqual(['j1']);
    // Connected and loaded: a repeated 'connected' does not load again.
    bridge.state('connected');
    expect(bridge.snapshotCalls).toBe(2);
  });

  it('loads once when the bridge is already connected as the store connects', async () => {
    const bridge = new FakeBridge();
    const onConnection = bridge.onConnection.bind(bridge);
    bridge.onConnection = (listener) => {
      const off = onConnection(listener);
      listener('connected');
      return off;
    };
    const store = createDashboardStore({ now: () => 0 });
    connectStore(bridge, store, { sampleMs: 0 });
    expect(bridge.snapshotCalls).toBe(1);
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s1')] }) });
    expect(Object.keys(store.getState().sessions)).toEqual(['s1']);
  });

  it('records connection states and re-fetches the snapshot after a reconnect', async () => {
    const { bridge, store } = setup();
    bridge.state('connected');
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s0')] }) });
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s1')] }) });
    expect(store.getState().connection.state).toBe('connected');
    expect(Object.keys(store.getState().sessions)).toEqual(['s1']);
    expect(bridge.snapshotCalls).toBe(2);
    bridge.state('disconnected');
    expect(store.getState().connection.state).toBe('disconnected');
    expect(bridge.snapshotCalls).toBe(2);
    bridge.state('connected');
    expect(bridge.snapshotCalls).toBe(3);
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s2')] }) });
    expect(Object.keys(store.getState().sessions)).toEqual(['s2']);
    bridge.state('signedOut');
    expect(store.getState().connection.state).toBe('signedOut');
  });

  it('loads again on "connected" after a failed load, without a disconnect between (the host was still starting)', async () => {
    const { bridge, store } = setup();
    await bridge.answer({ ok: false, reason: 'The poshpool host is starting; try again in a moment.' });
    bridge.state('connected');
    expect(bridge.snapshotCalls).toBe(2);
    await bridge.answer({ ok: true, snapshot: snapshot({ sessions: [session('s1')] }) });
    expect(Object.keys(store.getState().sessions)).toEqual(['s1']);
    // Loaded now: another 'connected' does not load again.
    bridge.state('connected');
    expect(bridge.snapshotCalls).toBe(2);
  });

  it('records a failed snapshot as the last error', async () => {
    const { bridge, store } = setup();
    await bridge.answer({ ok: false, reason: 'host busy' });
    expect(store.getState().connection.lastError).toBe('host busy');
    expect(store.getState().metrics).toBeNull();
  });

  it('dispose unsubscribes and stops the timers', async () => {
    const { bridge, store, dispose } = setup();
    await bridge.answer({ ok: true, snapshot: snapshot() });
    bridge.emit(tick(2_000));
    dispose();
    expect(bridge.eventListeners.size).toBe(0);
    expect(bridge.connectionListeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(store.getState().eventLog).toHaveLength(0);
  });

  it('samples the queue depth every 10 s while connected', async () => {
    const bridge = new FakeBridge();
    let now = 0;
    const store = createDashboardStore({ now: () => now });
    const dispose = connectStore(bridge, store);
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ queueDepth: 3 }) }) });
    for (let i = 0; i < 3; i++) {
      now += 10_000;
      vi.advanceTimersByTime(10_000);
    }
    expect(store.getState().queueDepthHistory).toEqual([
      { time: 0, depth: 3, waitMs: 0 },
      { time: 10_000, depth: 3, waitMs: 0 },
      { time: 20_000, depth: 3, waitMs: 0 },
      { time: 30_000, depth: 3, waitMs: 0 },
    ]);
    dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('loads the snapshot again every 3 s while connected and a host is still starting, and stops once none is', async () => {
    const bridge = new FakeBridge();
    const store = createDashboardStore({ now: () => 0 });
    const dispose = connectStore(bridge, store, { sampleMs: 0 });
    const lane = (name: string, state: 'starting' | 'healthy' | 'degraded') => ({
      name, kind: 'ssh' as const, destination: `${name}.lan`, labels: [], state, degradedReason: state === 'degraded' ? 'refused' : '',
      activeSessions: 0, maxSessions: 2, freeSlots: 2, warmSessions: 0, startingSessions: 0, queueDepth: 0, estimatedWaitMs: 0, commandsRun: 0, commandsFailed: 0, restarts: 0,
    });
    bridge.state('connected');
    // The first load, and the one 'connected' starts (the first began before the stream was open).
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ hosts: [lane('buildbox', 'starting')] }) }) });
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ hosts: [lane('buildbox', 'starting')] }) }) });
    expect(bridge.snapshotCalls).toBe(2);
    vi.advanceTimersByTime(DEFAULT_HOSTS_REFRESH_MS);
    expect(bridge.snapshotCalls).toBe(3);
    // No second load while one is in flight.
    vi.advanceTimersByTime(DEFAULT_HOSTS_REFRESH_MS);
    expect(bridge.snapshotCalls).toBe(3);
    await bridge.answer({ ok: true, snapshot: snapshot({ metrics: metrics({ time: 6_000, hosts: [lane('buildbox', 'degraded')] }) }) });
    expect(store.getState().metrics?.hosts?.[0]?.state).toBe('degraded');
    vi.advanceTimersByTime(DEFAULT_HOSTS_REFRESH_MS * 3);
    expect(bridge.snapshotCalls).toBe(3);
    dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not reload for a starting host while disconnected', async () => {
    const bridge = new FakeBridge();
    const store = createDashboardStore({ now: () => 0 });
    const dispose = connectStore(bridge, store, { sampleMs: 0, hostsRefreshMs: 1_000 });
    const starting = snapshot({
      metrics: metrics({
        poolState: 'starting',
        hosts: [{ name: 'local', kind: 'local', destination: null, labels: [], state: 'starting', degradedReason: '', activeSessions: 0, maxSessions: 4, freeSlots: 4, warmSessions: 0, startingSessions: 2, queueDepth: 0, estimatedWaitMs: 0, commandsRun: 0, commandsFailed: 0, restarts: 0 }],
      }),
    });
    bridge.state('connected');
    await bridge.answer({ ok: true, snapshot: starting });
    await bridge.answer({ ok: true, snapshot: starting });
    expect(bridge.snapshotCalls).toBe(2);
    bridge.state('disconnected');
    vi.advanceTimersByTime(5_000);
    expect(bridge.snapshotCalls).toBe(2);
    dispose();
  });
});

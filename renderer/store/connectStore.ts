/**
 * Feeds a dashboard store from a DashboardBridge, outside React: the snapshot first, then events in
 * batches (at most one store update per flush interval), a fresh snapshot after every reconnect.
 */

import type { DashboardBridge, DashboardSnapshot } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { DashboardStore } from './createDashboardStore.js';
import { QUEUE_DEPTH_SAMPLE_MS } from './reduceEvents.js';

/**
 * Longest time an event waits in the buffer before it reaches the store. The wait is spread evenly
 * over 0..this, so it sets the event -> screen p95: at 100 ms it sat on the 100 ms budget (p95 101 ms
 * at 500 events/s, e2e/responsiveness.spec.ts); at 50 ms the screen redraws at most 20 times a second.
 */
export const DEFAULT_FLUSH_MS = 50;

/**
 * How often the snapshot is loaded again while a host is still starting (ms). No event says a pool
 * went from starting to healthy (only degraded and recovered are events), and a remote host takes
 * seconds to connect, so without this a host would read "starting" until the next reconnect.
 */
export const DEFAULT_HOSTS_REFRESH_MS = 3_000;

/** The timer functions connectStore uses (injectable for tests). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of connectStore. */
export interface ConnectStoreOptions {
  /** Flush interval for buffered events (default 100 ms). */
  flushMs?: number;
  /** Interval of the queue-depth chart's idle samples (default 2 s); 0 turns them off. */
  sampleMs?: number;
  /** Interval of the snapshot reloads while a host is starting (default 3 s); 0 turns them off. */
  hostsRefreshMs?: number;
  /** Timers (default the global ones). */
  timers?: Timers;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof globalThis.setInterval>),
};

/**
 * Connects `bridge` to `store` and loads the first snapshot, and loads it again once the event
 * stream is connected (and after every reconnect). Events that arrive while a snapshot is loading are
 * held; once it lands, those older than the snapshot are dropped (it already has them) and the rest
 * are applied. Returns a dispose that unsubscribes and stops the timers (it does not
 * dispose the bridge, which its owner made).
 */
export function connectStore(bridge: DashboardBridge, store: DashboardStore, options: ConnectStoreOptions = {}): () => void {
  const flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
  const sampleMs = options.sampleMs ?? QUEUE_DEPTH_SAMPLE_MS;
  const timers = options.timers ?? globalTimers;
  const hostsRefreshMs = options.hostsRefreshMs ?? DEFAULT_HOSTS_REFRESH_MS;

  let buffer: PoshpoolEvent[] = [];
  let flushTimer: unknown = null;
  let loading = 0; // snapshot loads in flight; events are held while > 0
  let loadGeneration = 0;
  /** The last snapshot load failed (e.g. the app's host was still starting): the next 'connected' loads again. */
  let lastLoadFailed = false;
  let lastState = store.getState().connection.state;
  /**
   * A snapshot load started while the bridge was 'connected'. Only such a snapshot is sure to have
   * nothing missing: one taken before the event stream was open can miss events that happened
   * between the snapshot and the stream's start, and would miss them for good (a job started then
   * would never show). So the first 'connected' loads again unless a load already started under it.
   */
  let loadedWhileConnected = false;
  let disposed = false;

  const flush = (): void => {
    flushTimer = null;
    if (disposed || loading > 0 || buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    store.getState().applyEvents(batch);
  };

  const scheduleFlush = (): void => {
    if (flushTimer === null && loading === 0) flushTimer = timers.setTimeout(flush, flushMs);
  };

  const applyLoaded = (snapshot: DashboardSnapshot): void => {
    store.getState().applySnapshot(snapshot);
    buffer = buffer.filter((e) => e.time >= snapshot.metrics.time);
  };

  const loadSnapshot = async (): Promise<void> => {
    const generation = ++loadGeneration;
    loadedWhileConnected = lastState === 'connected';
    loading++;
    try {
      const result = await bridge.snapshot();
      // A newer load started meanwhile: its answer wins.
      if (disposed || generation !== loadGeneration) return;
      lastLoadFailed = !result.ok;
      if (result.ok) applyLoaded(result.snapshot);
      else store.getState().setConnection(store.getState().connection.state, result.reason);
    } catch (err) {
      // The bridge turns failures into values; a throw is a bug we show rather than lose.
      lastLoadFailed = true;
      if (!disposed) store.getState().setConnection(store.getState().connection.state, err instanceof Error ? err.message : String(err));
    } finally {
      loading--;
      if (!disposed && buffer.length > 0) scheduleFlush();
    }
  };

  const offEvent = bridge.onEvent((event) => {
    if (disposed) return;
    buffer.push(event);
    scheduleFlush();
  });

  const offConnection = bridge.onConnection((state) => {
    if (disposed) return;
    lastState = state;
    store.getState().setConnection(state);
    if (state !== 'connected') loadedWhileConnected = false;
    else if (!loadedWhileConnected || (lastLoadFailed && loading === 0)) void loadSnapshot();
  });

  const sampler = sampleMs > 0 ? timers.setInterval(() => store.getState().sampleQueueDepth(), sampleMs) : null;

  // While connected and some host is still starting, load the snapshot again (see DEFAULT_HOSTS_REFRESH_MS).
  const refreshStartingHosts = (): void => {
    if (disposed || loading > 0 || lastState !== 'connected') return;
    if (store.getState().metrics?.hosts?.some((h) => h.state === 'starting') === true) void loadSnapshot();
  };
  const hostsRefresher = hostsRefreshMs > 0 ? timers.setInterval(refreshStartingHosts, hostsRefreshMs) : null;

  // Show data at once; if the bridge was already connected, its listener above has started the load.
  if (loading === 0) void loadSnapshot();

  return () => {
    if (disposed) return;
    disposed = true;
    offEvent();
    offConnection();
    if (flushTimer !== null) timers.clearTimeout(flushTimer);
    if (sampler !== null) timers.clearInterval(sampler);
    if (hostsRefresher !== null) timers.clearInterval(hostsRefresher);
    buffer = [];
  };
}

/**
 * The dashboard bridge for a browser: fetch against the headless host's /api/ and an EventSource on
 * /events, same origin, cookie auth. fetch, EventSource and timers are injected so it runs in tests.
 */

import type {
  ActionResult,
  BackupSummary,
  ConnectionState,
  DashboardBridge,
  DashboardSnapshot,
  RestorePreviewFile,
  TerminalRead,
  Unsubscribe,
} from '../../common/dashboard.js';
import type { ApprovalAnswer } from '../../common/approvals.js';
import type { PoshpoolEvent, PoshpoolEventType, Priority } from '../../common/events.js';
import type { HistoryCommand, HistoryEntry, SessionHistory } from '../../common/history.js';
import type { OutputPage } from '../../common/shell.js';

/** First wait before reconnecting the event stream. */
export const RECONNECT_INITIAL_MS = 1_000;

/** Longest wait between reconnects (the wait doubles up to it). */
export const RECONNECT_MAX_MS = 30_000;

/** Every event type the host streams; each is an SSE `event:` name. */
export const EVENT_TYPES = [
  'client.connected',
  'session.started',
  'session.state',
  'session.ended',
  'session.abandoned',
  'session.reclaimed',
  'request.queued',
  'request.position',
  'request.allocated',
  'request.cancelled',
  'request.rejected',
  'command.started',
  'command.finished',
  'job.finished',
  'job.failed',
  'backup.completed',
  'backup.skipped',
  'backup.failed',
  'pool.degraded',
  'pool.recovered',
  'pool.paused',
  'pool.resumed',
  'pool.sessionDiscarded',
  'approval.requested',
  'approval.decided',
] as const satisfies readonly PoshpoolEventType[];

// Fails to compile when the event union grows and EVENT_TYPES does not.
const everyTypeListed: [Exclude<PoshpoolEventType, (typeof EVENT_TYPES)[number]>] extends [never] ? true : false = true;
void everyTypeListed;

/** The part of a fetch Response the bridge reads. */
export interface FetchResponseLike {
  status: number;
  json(): Promise<unknown>;
}

/** The part of fetch the bridge uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<FetchResponseLike>;

/** The part of an EventSource the bridge uses. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** Opens an EventSource on a URL. */
export type EventSourceFactory = (url: string) => EventSourceLike;

/** Options of WebBridge. */
export interface WebBridgeOptions {
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Default: `new EventSource(url)`. */
  eventSource?: EventSourceFactory;
  /** Prefix of every path (default '' = same origin). */
  baseUrl?: string;
  /** Default: the global timers. */
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

const SIGNED_OUT_REASON = 'Signed out of poshpool: open the dashboard link from the tray or `poshpool serve` again.';

function isActionResult(value: unknown): value is ActionResult<object> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * DashboardBridge over HTTP. The event stream opens with the first onEvent/onConnection listener and
 * reconnects with backoff (1 s doubling to 30 s), reporting 'disconnected' meanwhile. Any 401 means
 * signed out: the state becomes 'signedOut' and the stream stops reconnecting.
 */
export class WebBridge implements DashboardBridge {
  private readonly fetchFn: FetchLike;
  private readonly openEventSource: EventSourceFactory;
  private readonly baseUrl: string;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly eventListeners = new Set<(event: PoshpoolEvent) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private source: EventSourceLike | null = null;
  private reconnectTimer: unknown = null;
  private reconnectDelay = RECONNECT_INITIAL_MS;
  private started = false;
  private disposed = false;

  constructor(options: WebBridgeOptions = {}) {
    this.fetchFn = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.openEventSource = options.eventSource ?? ((url) => new EventSource(url));
    this.baseUrl = options.baseUrl ?? '';
    this.setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  }

  /** The connection state now. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  snapshot(): Promise<ActionResult<{ snapshot: DashboardSnapshot }>> {
    return this.call('GET', '/api/snapshot');
  }

  onEvent(listener: (event: PoshpoolEvent) => void): Unsubscribe {
    this.eventListeners.add(listener);
    this.start();
    return () => this.eventListeners.delete(listener);
  }

  /** Calls the listener with the current state at once, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    listener(this.state);
    this.start();
    return () => this.connectionListeners.delete(listener);
  }

  cancelCommand(sessionId: string): Promise<ActionResult<{ wasRunning: boolean }>> {
    return this.call('POST', `/api/sessions/${encodeURIComponent(sessionId)}/cancel`);
  }

  terminateSession(sessionId: string): Promise<ActionResult> {
    return this.call('POST', `/api/sessions/${encodeURIComponent(sessionId)}/terminate`);
  }

  changePriority(requestId: string, priority: Priority): Promise<ActionResult<{ position: number; etaMs: number }>> {
    return this.call('POST', `/api/requests/${encodeURIComponent(requestId)}/priority`, { priority });
  }

  cancelRequest(requestId: string): Promise<ActionResult> {
    return this.call('POST', `/api/requests/${encodeURIComponent(requestId)}/cancel`);
  }

  setPaused(paused: boolean): Promise<ActionResult<{ changed: boolean }>> {
    return this.call('POST', '/api/pause', { paused });
  }

  answerApproval(approvalId: string, answer: ApprovalAnswer): Promise<ActionResult> {
    return this.call('POST', `/api/approvals/${encodeURIComponent(approvalId)}/answer`, { answer });
  }

  readTerminal(sessionId: string, since: number, waitMs: number): Promise<ActionResult<TerminalRead>> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(sessionId)}/terminal?since=${since}&wait=${waitMs}`);
  }

  jobPage(jobId: string, page: number): Promise<ActionResult<{ page: OutputPage }>> {
    return this.call('GET', `/api/jobs/${encodeURIComponent(jobId)}/pages/${page}`);
  }

  sessionHistory(sessionId: string): Promise<ActionResult<{ history: SessionHistory }>> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(sessionId)}/history`);
  }

  historyEntry(sessionId: string, seq: number): Promise<ActionResult<{ entry: HistoryEntry }>> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(sessionId)}/history/${seq}`);
  }

  historyPage(sessionId: string, seq: number, page: number): Promise<ActionResult<{ page: OutputPage }>> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(sessionId)}/history/${seq}/pages/${page}`);
  }

  recentCommands(limit?: number): Promise<ActionResult<{ commands: HistoryCommand[] }>> {
    return this.call('GET', limit === undefined ? '/api/history' : `/api/history?limit=${limit}`);
  }

  backups(folder: string, limit?: number): Promise<ActionResult<{ backups: BackupSummary[] }>> {
    const q = new URLSearchParams({ folder });
    if (limit !== undefined) q.set('limit', String(limit));
    return this.call('GET', `/api/backups?${q.toString()}`);
  }

  backupDiff(folder: string, backupId: string, against: 'parent' | 'now', path?: string): Promise<ActionResult<{ diff: string }>> {
    const q = new URLSearchParams({ folder, id: backupId, against });
    if (path !== undefined) q.set('path', path);
    return this.call('GET', `/api/backups/diff?${q.toString()}`);
  }

  restoreBackup(folder: string, backupId: string, path?: string): Promise<ActionResult<{ undoId: string; restored: string[]; removed: string[] }>> {
    return this.call('POST', '/api/backups/restore', path === undefined ? { folder, id: backupId } : { folder, id: backupId, path });
  }

  restorePreview(folder: string, backupId: string, path?: string): Promise<ActionResult<{ backupId: string; files: RestorePreviewFile[] }>> {
    const q = new URLSearchParams({ folder, id: backupId });
    if (path !== undefined) q.set('path', path);
    return this.call('GET', `/api/backups/restore-preview?${q.toString()}`);
  }

  /** Closes the stream, stops reconnecting and drops every listener. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closeSource();
    if (this.reconnectTimer !== null) this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
    this.eventListeners.clear();
    this.connectionListeners.clear();
  }

  private async call<T extends object>(method: 'GET' | 'POST', path: string, body?: object): Promise<ActionResult<T>> {
    if (this.disposed) return { ok: false, reason: 'The dashboard bridge was disposed.' };
    const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    // The host takes JSON bodies only on POST (415 otherwise), so every POST carries one, if only {}.
    if (method === 'POST' || body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body ?? {});
    }
    let res: FetchResponseLike;
    try {
      res = await this.fetchFn(this.baseUrl + path, init);
    } catch (err) {
      return { ok: false, reason: `Cannot reach poshpool: ${describe(err)}` };
    }
    if (res.status === 401) {
      this.signOut();
      return { ok: false, reason: SIGNED_OUT_REASON };
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      // Not JSON (a proxy's error page, a cut connection): say so as a value.
      return { ok: false, reason: `poshpool answered HTTP ${res.status} without a JSON body.` };
    }
    if (!isActionResult(json)) return { ok: false, reason: `poshpool answered HTTP ${res.status} with an unexpected body.` };
    return json as ActionResult<T>;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.connectionListeners]) listener(state);
  }

  private signOut(): void {
    if (this.disposed) return;
    this.closeSource();
    if (this.reconnectTimer !== null) this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
    this.setState('signedOut');
  }

  private start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.connect();
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.disposed || this.state === 'signedOut') return;
    const source = this.openEventSource(`${this.baseUrl}/events`);
    this.source = source;
    let opened = false;
    const current = (): boolean => this.source === source && !this.disposed;
    source.addEventListener('open', () => {
      if (!current()) return;
      opened = true;
      this.reconnectDelay = RECONNECT_INITIAL_MS;
      this.setState('connected');
    });
    source.addEventListener('error', () => {
      if (!current()) return;
      this.dropped(!opened);
    });
    // The host cut a slow reader: reconnect (the store re-fetches the snapshot).
    source.addEventListener('overflow', () => {
      if (current()) this.dropped(false);
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        if (!current()) return;
        const event = this.parse(message.data);
        if (event === null) return;
        for (const listener of [...this.eventListeners]) listener(event);
      });
    }
  }

  private parse(data: unknown): PoshpoolEvent | null {
    if (typeof data !== 'string') return null;
    try {
      const value: unknown = JSON.parse(data);
      return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as PoshpoolEvent) : null;
    } catch {
      // A malformed frame is skipped; the next snapshot corrects whatever it carried.
      return null;
    }
  }

  private closeSource(): void {
    const source = this.source;
    this.source = null;
    source?.close();
  }

  /** The stream failed: report it, and reconnect after the backoff unless signed out. */
  private dropped(neverOpened: boolean): void {
    this.closeSource();
    this.setState('disconnected');
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = this.setTimer(() => this.connect(), delay);
    // EventSource hides the HTTP status; a stream refused at once may be a 401, so ask the API.
    if (neverOpened) void this.call('GET', '/api/snapshot');
  }
}

/** Makes the web bridge (same origin, cookie auth). */
export function createWebBridge(options: WebBridgeOptions = {}): DashboardBridge {
  return new WebBridge(options);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PoshpoolEvent, PoshpoolEventType } from '../../../common/events.js';
import type { Disposable } from '../../core/events/Emitter.js';
import { sendJson } from './respond.js';

/** How often a comment line keeps an idle event stream (and the proxies in between) alive. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Events held for a client that reads too slowly before its stream is dropped. */
export const DEFAULT_MAX_BUFFERED_EVENTS = 1000;
/** After an overflow, how long the final message may take to leave before the socket is cut. */
export const DEFAULT_OVERFLOW_GRACE_MS = 2_000;
/** Reconnect delay suggested to EventSource clients (`retry:`), in ms. */
export const RETRY_HINT_MS = 3_000;

/** Every event type, so `?types=` can be checked; the Record type keeps it in step with the union. */
const EVENT_TYPES: Record<PoshpoolEventType, true> = {
  'session.started': true,
  'session.state': true,
  'session.ended': true,
  'client.connected': true,
  'session.abandoned': true,
  'session.reclaimed': true,
  'request.queued': true,
  'request.position': true,
  'request.allocated': true,
  'request.cancelled': true,
  'request.rejected': true,
  'command.started': true,
  'command.finished': true,
  'job.finished': true,
  'job.failed': true,
  'backup.completed': true,
  'backup.skipped': true,
  'backup.failed': true,
  'approval.requested': true,
  'approval.decided': true,
  'pool.degraded': true,
  'pool.recovered': true,
  'pool.paused': true,
  'pool.resumed': true,
  'pool.sessionDiscarded': true,
};

/** Where events come from (the EventBus fits). */
export interface EventFeed {
  onEvent(listener: (event: PoshpoolEvent) => void): Disposable;
}

export interface EventStreamOptions {
  /** Interval of the `: heartbeat` comment, in ms (default {@link DEFAULT_HEARTBEAT_MS}). */
  heartbeatMs?: number;
  /** Events held while the client is not reading (default {@link DEFAULT_MAX_BUFFERED_EVENTS}). */
  maxBufferedEvents?: number;
  /** Grace for the final overflow message, in ms (default {@link DEFAULT_OVERFLOW_GRACE_MS}). */
  overflowGraceMs?: number;
}

/**
 * Streams the event bus as Server-Sent Events: one `id: <n>` / `event: <type>` / `data: <json>`
 * frame per event (ids count from 1 on each stream), a comment heartbeat, and an optional
 * `?types=a,b` filter. When the client reads too slowly, events wait in a bounded buffer; past it
 * the stream ends with an `event: overflow` frame and the connection is dropped. The bus
 * subscription ends when the connection closes.
 */
export function handleEvents(req: IncomingMessage, res: ServerResponse, bus: EventFeed, options: EventStreamOptions = {}): void {
  if (req.method !== 'GET') {
    sendJson(res, 405, { error: `The event stream is read with GET (got ${req.method ?? 'no method'}).` }, { allow: 'GET' });
    return;
  }
  const filter = parseTypes(req.url ?? '/');
  if (!filter.ok) {
    sendJson(res, 400, { error: filter.message });
    return;
  }
  const types = filter.types;
  const maxBuffered = Math.max(1, options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS);
  const overflowGraceMs = options.overflowGraceMs ?? DEFAULT_OVERFLOW_GRACE_MS;

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-accel-buffering': 'no',
  });
  const socket = res.socket;
  socket?.setNoDelay(true);

  const pending: string[] = [];
  let nextId = 1;
  let blocked = false;
  let done = false;
  let graceTimer: NodeJS.Timeout | undefined;

  const write = (frame: string): void => {
    if (blocked) {
      if (pending.length >= maxBuffered) overflow();
      else pending.push(frame);
      return;
    }
    if (!res.write(frame)) blocked = true;
  };

  const overflow = (): void => {
    stop();
    pending.length = 0;
    const data = JSON.stringify({
      reason: `The client read events too slowly: more than ${maxBuffered} were waiting to be sent. Reconnect for a fresh stream.`,
      maxBufferedEvents: maxBuffered,
    });
    // Once the final frame has left, the connection goes too (a kept-alive one would linger).
    res.end(`: overflow\nevent: overflow\ndata: ${data}\n\n`, () => socket?.destroy());
    // The client is not reading, so the final frame may never leave: cut the socket after a grace.
    graceTimer = setTimeout(() => {
      res.destroy();
      socket?.destroy();
    }, overflowGraceMs);
    graceTimer.unref();
  };

  res.on('drain', () => {
    if (done) return;
    blocked = false;
    while (pending.length > 0 && !blocked) {
      const frame = pending.shift() as string;
      if (!res.write(frame)) blocked = true;
    }
  });

  const subscription = bus.onEvent((event) => {
    if (done || (types !== null && !types.has(event.type))) return;
    write(`id: ${nextId++}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => {
    if (!blocked) write(': heartbeat\n\n');
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  function stop(): void {
    if (done) return;
    done = true;
    subscription.dispose();
    clearInterval(heartbeat);
  }
  res.on('close', () => {
    stop();
    if (graceTimer !== undefined) clearTimeout(graceTimer);
  });

  // Sent once subscribed: a client that sees it will get every event published from then on.
  write(`retry: ${RETRY_HINT_MS}\n: connected\n\n`);
}

type TypeFilter = { ok: true; types: ReadonlySet<string> | null } | { ok: false; message: string };

/** Reads `?types=a,b`: null for every type, or the named ones; unknown names are refused. */
function parseTypes(url: string): TypeFilter {
  const raw = new URL(url, 'http://127.0.0.1').searchParams.getAll('types');
  const names = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (names.length === 0) return { ok: true, types: null };
  const unknown = names.filter((n) => !Object.hasOwn(EVENT_TYPES, n));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u.slice(0, 60))).join(', ')} in ?types=; known types: ${Object.keys(EVENT_TYPES).join(', ')}.`,
    };
  }
  return { ok: true, types: new Set(names) };
}

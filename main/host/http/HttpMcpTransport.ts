import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { checkIncoming } from '../socket/jsonRpcIncoming.js';
import { sendJson } from './respond.js';
import { MAX_STORED_BYTES, MAX_STORED_EVENTS, SseEventStore } from './sseEventStore.js';

/** The first protocol version whose clients expect a priming event (an id, no data) when a stream opens. */
const PRIMING_PROTOCOL_VERSION = '2025-11-25';
/** The stream key of the session's GET stream in event ids. */
const GET_STREAM = 'get';
/** A comment on an open event stream this often, so a peer that vanished is noticed. */
const KEEP_ALIVE_MS = 25_000;

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** One POST that carried requests: answered as JSON, or as an event stream once something must go first. */
interface Exchange {
  res: ServerResponse;
  /** Request ids still owed an answer, in the order they came. */
  ids: RequestId[];
  answers: Map<RequestId, JSONRPCMessage>;
  batch: boolean;
  /** The client accepts an event stream (needed to send a notification before the answer). */
  sseOk: boolean;
  /** The client accepts a JSON body (the answer without a stream). */
  jsonOk: boolean;
  /** The answer became an event stream (a notification or request went first). */
  sse: boolean;
  /** Its key in event ids, once it is an event stream. */
  stream?: string;
  /** The client's connection is open (false after it was cut; a resume attaches a new one). */
  attached: boolean;
  done: boolean;
  keepAlive?: NodeJS.Timeout;
}

function accepts(req: IncomingMessage): { json: boolean; sse: boolean } {
  const a = (req.headers.accept ?? '').toLowerCase();
  const any = a.includes('*/*');
  return { json: any || a.includes('application/json') || a.includes('application/*'), sse: any || a.includes('text/event-stream') || a.includes('text/*') };
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, id: RequestId | null = null): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id }, headers);
}

function sseEvent(id: string, data: string): string {
  return `id: ${id}\nevent: message\ndata: ${data}\n\n`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * MCP's Streamable HTTP transport for one MCP session, on node:http directly (the SDK's server
 * transport converts every request and answer to web streams and back, a measured ~0.5 ms of each
 * round trip here, and always answers with an event stream).
 *
 * A POST of requests is answered with a plain JSON body when the answer is the first thing to send,
 * which is the usual case; it becomes an event stream (the spec lets the server choose) as soon as a
 * notification or request related to it must go first, such as progress. GET opens the session's
 * stream for messages not tied to a request; DELETE ends the session.
 *
 * Resumable: every event on an event stream carries an id, and a client whose stream was cut
 * reconnects with GET and `Last-Event-ID` (the SDK's client does so on its own) and gets the events
 * it missed, then the stream goes on. Events are kept in a bounded per-session store (the newest
 * MAX_STORED_EVENTS, at most MAX_STORED_BYTES: see sseEventStore.ts), also while the stream is cut;
 * a request whose event stream was cut keeps running and its answer is stored for the resume. A
 * resume from before what the store still holds gets what it holds and then a warning (a
 * notifications/message, level warning) that says events were lost: the stream goes on rather than
 * failing (a failed reconnect makes the SDK client give up the stream for good). A message for the
 * GET stream before the client ever opened one is not stored (there is nothing to resume).
 */
export class HttpMcpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly exchanges = new Map<RequestId, Exchange>();
  /** Request streams not yet done, by their key in event ids. */
  private readonly streams = new Map<string, Exchange>();
  private readonly events = new SseEventStore();
  private streamCount = 0;
  private standalone: { res: ServerResponse; keepAlive: NodeJS.Timeout } | undefined;
  /** The client opened the GET stream at some time: messages for it are stored for a resume. */
  private getOpened = false;
  private initialized = false;
  private closed = false;
  /** When the client last sent a request or an exchange or stream of it ended (ms, Date.now()). */
  private lastSeen: number;
  /** The client had its event stream open, and it closed: the usual sign of a client that left. */
  private streamGone = false;

  constructor(
    readonly sessionId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSeen = now();
  }

  /**
   * Whether the client looks gone at `now`: nothing of it is open (no request waiting for its answer,
   * no event stream) and it has been quiet for `goneMs` after its event stream closed, or for
   * `idleMs` when it never kept one open. A gone client's session can be ended (HTTP has no
   * disconnect of its own: the SDK client's close() sends no DELETE).
   */
  isAbandoned(idleMs: number, goneMs: number): boolean {
    if (this.closed || this.standalone) return false;
    for (const ex of this.exchanges.values()) if (ex.attached) return false;
    const quiet = this.now() - this.lastSeen;
    return quiet >= (this.streamGone ? goneMs : idleMs);
  }

  /** An initialize request was accepted (the session exists for the client from then on). */
  get isInitialized(): boolean {
    return this.initialized && !this.closed;
  }

  async start(): Promise<void> {
    // Requests arrive through handle(); nothing to open.
  }

  /** Serves one request of this session; `body` is the parsed JSON of a POST. */
  async handle(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    const headers = { 'mcp-session-id': this.sessionId };
    this.seen();
    if (this.closed) return rpcError(res, 404, -32001, `MCP session "${this.sessionId}" has ended; initialize a new one.`);
    if (req.method === 'POST') return this.post(req, res, body);
    if (req.method === 'GET') return this.openStream(req, res);
    if (req.method === 'DELETE') {
      sendJson(res, 200, { ended: this.sessionId }, headers);
      await this.close();
      return;
    }
    rpcError(res, 405, -32000, `Method ${req.method ?? '?'} is not allowed on /mcp: POST messages, GET the event stream, DELETE to end the session.`, { allow: 'GET, POST, DELETE' });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    const isAnswer = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    const related = isAnswer ? message.id : options?.relatedRequestId;
    const ex = related === undefined ? undefined : this.exchanges.get(related);
    if (related === undefined || ex === undefined || ex.done) {
      // Not tied to an open request: the session's own stream (stored for a resume once the client opened one).
      if (!isAnswer && this.getOpened) {
        const data = JSON.stringify(message);
        const id = this.events.add(GET_STREAM, data);
        if (this.standalone) this.standalone.res.write(sseEvent(id, data));
      }
      return;
    }
    if (!isAnswer) {
      if (!ex.sse) {
        if (!ex.sseOk) return;
        this.beginStream(ex);
      }
      this.writeEvent(ex, message);
      return;
    }
    ex.answers.set(related, message);
    this.exchanges.delete(related);
    if (ex.sse) this.writeEvent(ex, message);
    if (ex.answers.size < ex.ids.length) return;
    ex.done = true;
    clearInterval(ex.keepAlive);
    if (ex.sse) {
      if (ex.stream !== undefined) this.streams.delete(ex.stream);
      ex.res.end();
      return;
    }
    const answers = ex.ids.map((id) => ex.answers.get(id)!);
    const text = JSON.stringify(ex.batch ? answers : answers[0]);
    if (ex.res.destroyed) return;
    ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'mcp-session-id': this.sessionId });
    ex.res.end(text);
  }

  /** Ends the session: requests still owed an answer get an error saying so; streams end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const owed = new Set(this.exchanges.values());
    this.exchanges.clear();
    this.streams.clear();
    for (const ex of owed) {
      clearInterval(ex.keepAlive);
      for (const id of ex.ids) {
        if (!ex.answers.has(id)) ex.answers.set(id, { jsonrpc: '2.0', id, error: { code: -32000, message: 'The MCP session ended before this request was answered.' } });
      }
      if (ex.sse) {
        for (const id of ex.ids) this.writeEvent(ex, ex.answers.get(id)!);
        ex.res.end();
      } else if (!ex.res.destroyed) {
        const answers = ex.ids.map((id) => ex.answers.get(id)!);
        sendJson(ex.res, 200, ex.batch ? answers : answers[0], { 'mcp-session-id': this.sessionId });
      }
    }
    if (this.standalone) {
      clearInterval(this.standalone.keepAlive);
      this.standalone.res.end();
      this.standalone = undefined;
    }
    this.onclose?.();
  }

  private async post(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const headers = { 'mcp-session-id': this.sessionId };
    // A client that sends requests is there, stream or not.
    this.streamGone = false;
    const ok = accepts(req);
    if (!ok.json && !ok.sse) {
      return rpcError(res, 406, -32000, 'The Accept header must list application/json and text/event-stream (MCP Streamable HTTP).', headers);
    }
    // The same checks as the socket's (jsonRpcIncoming.ts): an invalid request is answered with its id when it has one.
    const checked = checkIncoming(body);
    if (!checked.ok) return rpcError(res, 400, checked.code, checked.message, headers, checked.id);
    const messages = checked.messages;
    const init = messages.some(isInitializeRequest);
    if (init) {
      if (this.initialized) return rpcError(res, 400, -32600, 'This MCP session is already initialized; send initialize only once, without an Mcp-Session-Id header.', headers);
      this.initialized = true;
    } else {
      const version = req.headers['mcp-protocol-version'];
      const v = Array.isArray(version) ? version[0] : version;
      if (v !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(v)) {
        return rpcError(res, 400, -32000, `Unsupported MCP-Protocol-Version "${v}"; poshpool supports ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.`, headers);
      }
    }
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    const requests = messages.filter(isJSONRPCRequest);
    if (requests.length === 0) {
      res.writeHead(202, headers).end();
      for (const m of messages) this.onmessage?.(m, extra);
      return;
    }
    for (const r of requests) {
      if (this.exchanges.has(r.id)) return rpcError(res, 400, -32600, `Request id ${JSON.stringify(r.id)} is already in use by a request not yet answered; use a new id.`, headers);
    }
    const ex: Exchange = {
      res,
      ids: requests.map((r) => r.id),
      answers: new Map(),
      batch: checked.batch,
      sseOk: ok.sse,
      jsonOk: ok.json,
      sse: false,
      attached: true,
      done: false,
    };
    for (const id of ex.ids) this.exchanges.set(id, ex);
    this.watchExchange(ex, res);
    // A client that accepts only an event stream gets one from the start (primed, so it can resume before the first message).
    if (!ok.json) this.beginStream(ex, header(req, 'mcp-protocol-version'));
    for (const m of messages) this.onmessage?.(m, extra);
  }

  private seen(): void {
    this.lastSeen = this.now();
  }

  /** What happens when the connection of an exchange (first, or one that resumed it) closes. */
  private watchExchange(ex: Exchange, res: ServerResponse): void {
    res.once('close', () => {
      this.seen();
      if (ex.res !== res || ex.done) return;
      clearInterval(ex.keepAlive);
      ex.attached = false;
      // An event stream can be resumed: its request goes on and its answer is stored. A plain JSON
      // answer cannot: the client went away before it and it has nowhere to go.
      if (ex.sse) return;
      for (const id of ex.ids) if (this.exchanges.get(id) === ex) this.exchanges.delete(id);
      ex.done = true;
    });
  }

  private writeEvent(ex: Exchange, message: JSONRPCMessage): void {
    const data = JSON.stringify(message);
    const id = this.events.add(ex.stream!, data);
    if (ex.attached) ex.res.write(sseEvent(id, data));
  }

  private beginStream(ex: Exchange, protocolVersion?: string): void {
    ex.sse = true;
    ex.stream = `r${++this.streamCount}`;
    this.streams.set(ex.stream, ex);
    this.startEventStream(ex.res, ex.stream, protocolVersion);
    ex.keepAlive = this.keepAlive(ex.res);
  }

  /** Sends an event stream's headers, and a priming event to clients of a protocol that expects one. */
  private startEventStream(res: ServerResponse, stream: string, protocolVersion: string | undefined): void {
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    res.flushHeaders();
    if (protocolVersion !== undefined && protocolVersion >= PRIMING_PROTOCOL_VERSION) res.write(`id: ${this.events.add(stream, null)}\ndata: \n\n`);
  }

  private keepAlive(res: ServerResponse): NodeJS.Timeout {
    const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    timer.unref();
    return timer;
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    const headers = { 'mcp-session-id': this.sessionId };
    if (!accepts(req).sse) return rpcError(res, 406, -32000, 'GET /mcp opens an event stream: the Accept header must list text/event-stream.', headers);
    const lastEventId = header(req, 'last-event-id');
    if (lastEventId !== undefined) return this.resume(res, lastEventId);
    if (this.standalone) return rpcError(res, 409, -32000, 'This MCP session already has its event stream open; close it before opening another.', headers);
    this.startEventStream(res, GET_STREAM, header(req, 'mcp-protocol-version'));
    this.attachStandalone(res);
  }

  private attachStandalone(res: ServerResponse): void {
    const stream = { res, keepAlive: this.keepAlive(res) };
    this.standalone = stream;
    this.getOpened = true;
    this.streamGone = false;
    res.once('close', () => {
      clearInterval(stream.keepAlive);
      this.seen();
      if (this.standalone === stream) {
        this.standalone = undefined;
        this.streamGone = true;
      }
    });
  }

  /** GET with Last-Event-ID: the events of that stream the client missed, then the stream goes on. */
  private resume(res: ServerResponse, lastEventId: string): void {
    const headers = { 'mcp-session-id': this.sessionId };
    const at = SseEventStore.parseId(lastEventId);
    const known = at !== undefined && this.events.issued(at.seq) && (at.stream === GET_STREAM ? this.getOpened : this.streams.has(at.stream) || this.events.knows(at.stream));
    if (!at || !known) {
      const shown = lastEventId.length > 80 ? `${lastEventId.slice(0, 80)}…` : lastEventId;
      return rpcError(res, 400, -32000, `Last-Event-ID ${JSON.stringify(shown)} is not an event of this MCP session; open the event stream without it (GET without Last-Event-ID).`, headers);
    }
    const ex = at.stream === GET_STREAM ? undefined : this.streams.get(at.stream);
    if ((at.stream === GET_STREAM && this.standalone) || ex?.attached) {
      return rpcError(res, 409, -32000, 'That event stream is open on another connection; close it before resuming it.', headers);
    }
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    const replay = this.events.after(at.stream, at.seq);
    for (const e of replay.events) res.write(sseEvent(e.id, e.data));
    if (replay.missed) {
      const warning: JSONRPCMessage = {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: {
          level: 'warning',
          logger: 'poshpool',
          data: `Events of this stream sent while you were away were lost: the session keeps only its last ${MAX_STORED_EVENTS} events (${MAX_STORED_BYTES / 1024 / 1024} MiB). What is kept came again; check the state you depend on (list_sessions, get_job).`,
        },
      };
      const data = JSON.stringify(warning);
      res.write(sseEvent(this.events.add(at.stream, data), data));
    }
    if (at.stream === GET_STREAM) {
      this.attachStandalone(res);
    } else if (ex && !ex.done) {
      ex.res = res;
      ex.attached = true;
      ex.keepAlive = this.keepAlive(res);
      this.watchExchange(ex, res);
    } else {
      // The request was answered while the client was away: its answer was in the replay.
      this.seen();
      res.end();
    }
  }
}

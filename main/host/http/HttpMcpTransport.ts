import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { sendJson } from './respond.js';

/** Most messages one POST may batch (the 2025-03-26 protocol allowed batches). */
const MAX_BATCH = 100;
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
  done: boolean;
  keepAlive?: NodeJS.Timeout;
}

function accepts(req: IncomingMessage): { json: boolean; sse: boolean } {
  const a = (req.headers.accept ?? '').toLowerCase();
  const any = a.includes('*/*');
  return { json: any || a.includes('application/json') || a.includes('application/*'), sse: any || a.includes('text/event-stream') || a.includes('text/*') };
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * MCP's Streamable HTTP transport for one MCP session, on node:http directly (the SDK's server
 * transport converts every request and answer to web streams and back, a measured ~0.5 ms of each
 * round trip here, and always answers with an event stream).
 *
 * A POST of requests is answered with a plain JSON body when the answer is the first thing to send,
 * which is the usual case; it becomes an event stream (the spec lets the server choose) as soon as a
 * notification or request related to it must go first, such as progress. GET opens the session's
 * stream for messages not tied to a request; DELETE ends the session. Without an event store there
 * is no resumption: a message for a stream that is not open is dropped, as the SDK's transport does.
 */
export class HttpMcpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly exchanges = new Map<RequestId, Exchange>();
  private standalone: { res: ServerResponse; keepAlive: NodeJS.Timeout } | undefined;
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
    if (this.closed || this.standalone || this.exchanges.size > 0) return false;
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
      // Not tied to an open request: the session's own stream, if the client opened one.
      if (!isAnswer && this.standalone) this.standalone.res.write(sseEvent(message));
      return;
    }
    if (!isAnswer) {
      if (!ex.sse) {
        if (!ex.sseOk) return;
        this.beginStream(ex);
      }
      ex.res.write(sseEvent(message));
      return;
    }
    ex.answers.set(related, message);
    this.exchanges.delete(related);
    if (ex.sse) ex.res.write(sseEvent(message));
    if (ex.answers.size < ex.ids.length) return;
    ex.done = true;
    clearInterval(ex.keepAlive);
    if (ex.sse) {
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
    for (const ex of owed) {
      clearInterval(ex.keepAlive);
      for (const id of ex.ids) {
        if (!ex.answers.has(id)) ex.answers.set(id, { jsonrpc: '2.0', id, error: { code: -32000, message: 'The MCP session ended before this request was answered.' } });
      }
      if (ex.sse) {
        for (const id of ex.ids) ex.res.write(sseEvent(ex.answers.get(id)!));
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
    const raw = Array.isArray(body) ? body : [body];
    if (raw.length === 0 || raw.length > MAX_BATCH) {
      return rpcError(res, 400, -32600, `A POST must carry one JSON-RPC message or a batch of 1 to ${MAX_BATCH}; got ${raw.length}.`, headers);
    }
    const messages: JSONRPCMessage[] = [];
    for (const [i, m] of raw.entries()) {
      const parsed = JSONRPCMessageSchema.safeParse(m);
      if (!parsed.success) {
        const where = Array.isArray(body) ? ` (item ${i} of the batch)` : '';
        return rpcError(res, 400, -32600, `Not a JSON-RPC 2.0 message${where}: it needs "jsonrpc": "2.0" and a "method" (request or notification) or an "id" with a "result" or "error" (response).`, headers);
      }
      messages.push(parsed.data);
    }
    const init = messages.some(isInitializeRequest);
    if (init) {
      if (this.initialized) return rpcError(res, 400, -32600, 'This MCP session is already initialized; send initialize only once, without an Mcp-Session-Id header.', headers);
      if (messages.length > 1) return rpcError(res, 400, -32600, 'initialize must be sent alone, not in a batch.', headers);
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
    const ex: Exchange = { res, ids: requests.map((r) => r.id), answers: new Map(), batch: Array.isArray(body), sseOk: ok.sse, jsonOk: ok.json, sse: false, done: false };
    // A client that accepts only an event stream gets one from the start.
    if (!ok.json) this.beginStream(ex);
    for (const id of ex.ids) this.exchanges.set(id, ex);
    res.once('close', () => {
      this.seen();
      clearInterval(ex.keepAlive);
      // The client went away before its answers: they have nowhere to go.
      if (!ex.done) for (const id of ex.ids) if (this.exchanges.get(id) === ex) this.exchanges.delete(id);
      ex.done = true;
    });
    for (const m of messages) this.onmessage?.(m, extra);
  }

  private seen(): void {
    this.lastSeen = this.now();
  }

  private beginStream(ex: Exchange): void {
    ex.sse = true;
    ex.res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    ex.res.flushHeaders();
    ex.keepAlive = setInterval(() => ex.res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    ex.keepAlive.unref();
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    const headers = { 'mcp-session-id': this.sessionId };
    if (!accepts(req).sse) return rpcError(res, 406, -32000, 'GET /mcp opens an event stream: the Accept header must list text/event-stream.', headers);
    if (this.standalone) return rpcError(res, 409, -32000, 'This MCP session already has its event stream open; close it before opening another.', headers);
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const stream = { res, keepAlive };
    this.standalone = stream;
    this.streamGone = false;
    res.once('close', () => {
      clearInterval(keepAlive);
      this.seen();
      if (this.standalone === stream) {
        this.standalone = undefined;
        this.streamGone = true;
      }
    });
  }
}

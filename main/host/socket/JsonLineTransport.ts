import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { errorAnswer, INVALID_REQUEST, parseIncoming } from './jsonRpcIncoming.js';
import { OwedRequests } from './owedRequests.js';

/** Largest incoming message (one line) a connection may send; a longer one is answered with an error and skipped. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The two directions of a line connection, and how to end it. */
export interface LineChannel {
  input: Readable;
  output: Writable;
  /** Ends the connection once what was written is flushed. */
  end(): void;
}

/** Options of a {@link JsonLineTransport}. */
export interface JsonLineTransportOptions {
  /** Bytes that already arrived (after a handshake line); they are read before the input's. */
  initial?: Buffer;
  /** Largest incoming line in bytes (default {@link DEFAULT_MAX_MESSAGE_BYTES}). */
  maxMessageBytes?: number;
  /**
   * The id of this connection (the host sets a random one). Leave it unset on a client's end: the
   * SDK's Client takes a transport with a session id for a reconnection and skips `initialize`.
   */
  sessionId?: string;
  /** The working directory of the `poshpool bridge` on the other end (its hello's `cwd`), if it said. */
  clientCwd?: string;
}

/** A batch whose answers are collected to go back as one array, in the order of its requests. */
interface PendingBatch {
  keys: string[];
  answers: Map<string, JSONRPCMessage>;
}

const NEWLINE = 0x0a;

function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

/**
 * An MCP transport of newline-delimited JSON-RPC (the framing of MCP's stdio transport) over any
 * pair of streams. Unlike the SDK's stdio transports, which report a bad line to `onerror` and
 * drop it (the client then waits for its own timeout), every line is answered the way the HTTP
 * transport answers a body (see jsonRpcIncoming.ts): a parse error, an invalid request and an
 * oversized line get a JSON-RPC error, and a batch gets one array of answers. Blank lines are
 * skipped. It counts the requests still owed an answer ({@link whenAnswered}).
 */
export class JsonLineTransport implements Transport {
  /** The id of this connection, when one was given. */
  readonly sessionId: string | undefined;
  /** The working directory of the bridge on the other end, where the client's sessions begin without roots. */
  readonly clientCwd: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly owed = new OwedRequests();
  private readonly batches = new Map<string, PendingBatch>();
  private readonly maxBytes: number;
  private started = false;
  private closed = false;
  private pending: Buffer | undefined;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside a line that went over the size cap: its bytes are dropped up to the next newline. */
  private skipping = false;

  constructor(
    private readonly channel: LineChannel,
    options: JsonLineTransportOptions = {},
  ) {
    this.maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.sessionId = options.sessionId;
    this.clientCwd = options.clientCwd;
    this.pending = options.initial && options.initial.length > 0 ? options.initial : undefined;
  }

  /** Starts reading; the SDK's Protocol.connect() calls it. */
  async start(): Promise<void> {
    if (this.started) throw new Error(`${this.constructor.name} already started: McpServer.connect() starts it, do not call start() as well.`);
    this.started = true;
    if (this.closed) return;
    if (this.pending) {
      const initial = this.pending;
      this.pending = undefined;
      this.onData(initial);
    }
    if (this.closed) return;
    this.channel.input.on('data', this.onData);
    this.channel.input.resume();
  }

  /** Writes one message as a JSON line; resolves once it is handed on, rejects when the connection is gone. */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.channel.output.destroyed || !this.channel.output.writable) return Promise.reject(new Error('the connection is closed'));
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const batch = message.id === undefined ? undefined : this.batches.get(idKey(message.id));
      if (batch && message.id !== undefined) {
        batch.answers.set(idKey(message.id), message);
        this.batches.delete(idKey(message.id));
        if (batch.answers.size < batch.keys.length) return Promise.resolve();
        const answers = batch.keys.map((k) => batch.answers.get(k)!);
        return this.write(answers, answers);
      }
    }
    return this.write(message, message);
  }

  /**
   * Resolves when every request read so far has been answered, or after `timeoutMs` with the ids
   * still unanswered (an empty list: all answered).
   */
  whenAnswered(timeoutMs: number): Promise<RequestId[]> {
    return this.owed.settled(timeoutMs);
  }

  /** Closes the connection (pending writes are flushed first); `onclose` runs once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.channel.end();
    this.finish();
  }

  /** The connection is gone: stop reading and report close once. */
  protected finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.input.off('data', this.onData);
    this.partial = [];
    this.batches.clear();
    this.owed.dispose();
    this.onclose?.();
  }

  private write(value: unknown, sent: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.channel.output.write(`${JSON.stringify(value)}\n`, (error) => {
        if (error) {
          reject(error);
          return;
        }
        this.owed.toClient(sent);
        resolve();
      });
    });
  }

  private answerError(id: RequestId | null, code: number, message: string): void {
    // The peer may be gone already; there is no one left to tell.
    this.write(errorAnswer(id, code, message), null).catch(() => undefined);
  }

  private readonly onData = (chunk: Buffer): void => {
    let from = 0;
    while (!this.closed) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl === -1) {
        this.keep(chunk.subarray(from));
        return;
      }
      const piece = chunk.subarray(from, nl);
      from = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.partialBytes + piece.length > this.maxBytes) {
        this.tooLong();
        this.skipping = false;
        continue;
      }
      const line = this.partial.length === 0 ? piece : Buffer.concat([...this.partial, piece]);
      this.partial = [];
      this.partialBytes = 0;
      this.onLine(line.toString('utf8'));
    }
  };

  private keep(rest: Buffer): void {
    if (rest.length === 0 || this.skipping) return;
    if (this.partialBytes + rest.length > this.maxBytes) {
      this.tooLong();
      return;
    }
    this.partial.push(Buffer.from(rest));
    this.partialBytes += rest.length;
  }

  /** A line over the cap: answered at once, and its bytes are dropped up to its newline. */
  private tooLong(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = true;
    this.answerError(null, INVALID_REQUEST, `A message longer than ${this.maxBytes} bytes was dropped unread; the connection stays open. Send smaller messages (large input in parts, or from a file).`);
  }

  private onLine(text: string): void {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.trim().length === 0) return;
    const incoming = parseIncoming(line);
    if (!incoming.ok) {
      this.answerError(incoming.id, incoming.code, incoming.message);
      return;
    }
    if (incoming.batch) {
      const keys: string[] = [];
      for (const m of incoming.messages) if ('method' in m && 'id' in m) keys.push(idKey(m.id));
      const clash = keys.find((k) => this.batches.has(k));
      if (clash !== undefined) {
        this.answerError(null, INVALID_REQUEST, `Request id ${clash.slice(1)} is already in use by a batched request not yet answered; use a new id.`);
        return;
      }
      const batch: PendingBatch = { keys, answers: new Map() };
      for (const k of keys) this.batches.set(k, batch);
    }
    for (const m of incoming.messages) {
      if (this.closed) return;
      this.owed.fromClient(m);
      this.onmessage?.(m);
    }
  }
}

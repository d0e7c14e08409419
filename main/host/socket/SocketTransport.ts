import type { Socket } from 'node:net';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Largest incoming message (one line) a connection may buffer before it is dropped as abusive. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Options of a {@link SocketTransport}. */
export interface SocketTransportOptions {
  /** Bytes that already arrived after the handshake line; they are read before the socket's. */
  initial?: Buffer;
  /** Largest incoming line in bytes (default {@link DEFAULT_MAX_MESSAGE_BYTES}). */
  maxMessageBytes?: number;
  /**
   * The id of this connection (the host sets a random one). Leave it unset on a client's end: the
   * SDK's Client takes a transport with a session id for a reconnection and skips `initialize`.
   */
  sessionId?: string;
}

/**
 * An MCP transport over an authenticated local socket: newline-delimited JSON-RPC, the framing of
 * the SDK's stdio transport. A line that is not valid JSON-RPC is reported to `onerror` and skipped;
 * the connection stays up. Only a line over the size cap ends it.
 */
export class SocketTransport implements Transport {
  /** The id of this connection, when one was given. */
  readonly sessionId: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly readBuffer: ReadBuffer;
  private started = false;
  private closed = false;
  private pending: Buffer | undefined;

  constructor(
    private readonly socket: Socket,
    options: SocketTransportOptions = {},
  ) {
    this.readBuffer = new ReadBuffer({ maxBufferSize: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
    this.sessionId = options.sessionId;
    this.pending = options.initial && options.initial.length > 0 ? options.initial : undefined;
    // Listening from construction on, so an error before start() is reported rather than thrown.
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
  }

  /** Starts reading; the SDK's Protocol.connect() calls it. */
  async start(): Promise<void> {
    if (this.started) throw new Error('SocketTransport already started: McpServer.connect() starts it, do not call start() as well.');
    this.started = true;
    if (this.closed) return;
    if (this.pending) {
      const initial = this.pending;
      this.pending = undefined;
      this.onData(initial);
    }
    if (this.closed) return;
    this.socket.on('data', this.onData);
    this.socket.resume();
  }

  /** Writes one message as a JSON line; resolves once it is handed to the OS, rejects when the connection is gone. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed || this.socket.destroyed || !this.socket.writable) {
        reject(new Error('the socket connection is closed'));
        return;
      }
      this.socket.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the connection (pending writes are flushed first); `onclose` runs once. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Ends the socket once pending writes are flushed, then destroys it.
    this.socket.destroySoon();
    this.finish();
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.readBuffer.append(chunk);
    } catch (e) {
      // Only the size cap throws here: a sender of an endless line is cut off.
      this.onerror?.(e as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (e) {
        // A malformed line: the buffer has already moved past it, so report it and read on.
        this.onerror?.(e as Error);
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message);
      if (this.closed) break;
    }
  };

  private readonly onSocketError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onSocketClose = (): void => {
    this.finish();
  };

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.off('data', this.onData);
    this.readBuffer.clear();
    this.onclose?.();
  }
}

import type { Socket } from 'node:net';
import { JsonLineTransport, type JsonLineTransportOptions } from './JsonLineTransport.js';

export { DEFAULT_MAX_MESSAGE_BYTES } from './JsonLineTransport.js';

/** Options of a {@link SocketTransport}. */
export type SocketTransportOptions = JsonLineTransportOptions;

/**
 * An MCP transport over an authenticated local socket: newline-delimited JSON-RPC, the framing of
 * the SDK's stdio transport. Every line is answered or served (see {@link JsonLineTransport}): a
 * line that is not valid JSON-RPC gets a JSON-RPC error and the connection stays up.
 */
export class SocketTransport extends JsonLineTransport {
  constructor(socket: Socket, options: SocketTransportOptions = {}) {
    // destroySoon: ends the socket once pending writes are flushed, then destroys it.
    super({ input: socket, output: socket, end: () => socket.destroySoon() }, options);
    // Listening from construction on, so an error before start() is reported rather than thrown.
    socket.on('error', (error: Error) => this.onerror?.(error));
    socket.on('close', () => this.finish());
  }
}

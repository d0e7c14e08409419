import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { acceptHandshake, type HandshakeLimits } from './handshake.js';
import { RefusalLog } from './refusalLog.js';
import { isNamedPipePath, prepareSocketPath, restrictSocketFile } from './socketPath.js';
import { SocketTransport } from './SocketTransport.js';

/** What {@link SocketServer.listen} needs. */
export interface SocketServerOptions {
  /** A Unix socket path (its directory is made private) or a Windows named pipe `\\.\pipe\...`. */
  path: string;
  /** The secret every connection must present in the handshake. */
  token: string;
  /** Called with each authenticated connection; typically connects a new McpServer to it. */
  onConnection: (transport: SocketTransport) => void;
  /** Time and size limits of the hello line. */
  handshake?: HandshakeLimits;
  /** Largest incoming MCP message in bytes (see SocketTransport). */
  maxMessageBytes?: number;
  /** Where notes about refused connections go (default: stderr), throttled (see RefusalLog). Never receives the token. */
  log?: (line: string) => void;
  /** Shortest time between two notes about refused connections (ms, default REFUSAL_SUMMARY_MS). */
  refusalSummaryMs?: number;
}

/** A listening server, or why it could not listen. */
export type ListenResult = { ok: true; server: SocketServer } | { ok: false; reason: string };

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * The host's local socket (Unix socket or named pipe) for `poshpool bridge`. Every connection must
 * pass the token handshake before a byte of it reaches MCP.
 */
export class SocketServer {
  private readonly sockets = new Set<net.Socket>();
  private disposing: Promise<void> | undefined;
  private readonly refusals: RefusalLog;

  private constructor(
    private readonly server: net.Server,
    /** Where this server listens. */
    readonly path: string,
    private readonly options: SocketServerOptions,
    private readonly log: (line: string) => void,
  ) {
    this.refusals = new RefusalLog(path, log, options.refusalSummaryMs);
    server.on('connection', this.onSocket);
  }

  /**
   * Listens at `options.path`. On POSIX the directory is checked and made private first, a stale
   * socket of ours is replaced, and the socket is chmod-ed 0600 once it exists.
   */
  static async listen(options: SocketServerOptions): Promise<ListenResult> {
    if (options.token.length === 0) return { ok: false, reason: 'the socket server needs a non-empty token.' };
    const pipe = isNamedPipePath(options.path);
    if (!pipe) {
      const prepared = await prepareSocketPath(options.path);
      if (!prepared.ok) return prepared;
    }
    const server = net.createServer({ pauseOnConnect: true });
    const listening = await new Promise<{ ok: true } | { ok: false; reason: string }>((resolve) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const hint = e.code === 'EADDRINUSE' ? ': something else is listening there' : '';
        resolve({ ok: false, reason: `cannot listen at ${options.path}${hint} (${e.message})` });
      };
      server.once('error', onError);
      server.listen(options.path, () => {
        server.off('error', onError);
        resolve({ ok: true });
      });
    });
    if (!listening.ok) return listening;
    const socketServer = new SocketServer(server, options.path, options, options.log ?? writeStderr);
    // A server that stays up keeps going after a failed accept; say so rather than crash.
    server.on('error', (e) => socketServer.log(`poshpool: socket server error at ${options.path}: ${e.message}`));
    if (!pipe) {
      const restricted = await restrictSocketFile(options.path);
      if (!restricted.ok) {
        await socketServer.dispose();
        return restricted;
      }
    }
    return { ok: true, server: socketServer };
  }

  /** Open connections, authenticated or still in the handshake. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /**
   * Stops listening, closes every connection (their transports report close) and removes the socket
   * file. With `graceMs`, a connection is ended rather than cut, so what was written to it (the
   * answer to a call that just finished) still arrives; one still open after graceMs is cut.
   */
  dispose(options: { graceMs?: number } = {}): Promise<void> {
    this.disposing ??= this.shutDown(options.graceMs ?? 0);
    return this.disposing;
  }

  private async shutDown(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (graceMs > 0 && this.sockets.size > 0) {
      const gone = Promise.all([...this.sockets].map((socket) => new Promise<void>((done) => socket.once('close', () => done()))));
      for (const socket of this.sockets) socket.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise<void>((done) => (timer = setTimeout(done, graceMs)))]);
      clearTimeout(timer);
    }
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.refusals.dispose();
    if (isNamedPipePath(this.path)) return;
    try {
      // Node removes the socket file on close; this covers the case where it did not.
      if ((await fs.lstat(this.path)).isSocket()) await fs.unlink(this.path);
    } catch {
      // Already gone (the usual case) or not ours to remove: nothing to do.
    }
  }

  private readonly onSocket = (socket: net.Socket): void => {
    if (this.disposing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    void this.authenticate(socket);
  };

  private async authenticate(socket: net.Socket): Promise<void> {
    const result = await acceptHandshake(socket, this.options.token, this.options.handshake);
    if (!result.ok) {
      // A peer that just hung up (e.g. another host probing for a live socket) is not worth a note.
      if (result.kind !== 'closed') this.refusals.refused(result.reason);
      return;
    }
    if (this.disposing || socket.destroyed) {
      socket.destroy();
      return;
    }
    const transport = new SocketTransport(socket, { initial: result.rest, maxMessageBytes: this.options.maxMessageBytes, sessionId: randomUUID(), clientCwd: result.cwd });
    try {
      this.options.onConnection(transport);
    } catch (e) {
      this.log(`poshpool: the connection handler failed: ${(e as Error).message}`);
      socket.destroy();
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Core } from '../../core/createCore.js';
import { createMcpServer } from '../../mcp/createMcpServer.js';
import type { McpSettings } from '../../mcp/tools/shared.js';
import { HttpMcpTransport } from './HttpMcpTransport.js';

interface HttpMcpSession {
  transport: HttpMcpTransport;
  dispose(): Promise<void>;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** When an HTTP MCP session whose client shows no sign of life is ended. */
export interface HttpSessionExpiry {
  /** Quiet time after which a session that never kept an event stream open ends (ms). */
  idleMs: number;
  /** Quiet time after the client's event stream closed (the SDK client's close() sends no DELETE) (ms). */
  goneMs: number;
}

/**
 * Streamable HTTP at /mcp, stateful: one McpServer and one transport per MCP session (the session id
 * is crypto-random and is the client's identity), a GET stream for notifications, DELETE ends the
 * session, an unknown session id gets 404. The request was already guarded (host, origin, token).
 * A session whose client is gone (see HttpSessionExpiry) is ended by a sweeper, as a DELETE would.
 */
export class McpHttpSessions {
  private readonly sessions = new Map<string, HttpMcpSession>();
  private disposed = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly core: Core,
    private readonly settings: Partial<McpSettings> = {},
    private readonly expiry: HttpSessionExpiry = { idleMs: 1_800_000, goneMs: 60_000 },
  ) {
    // A quarter of the shorter wait, between 0.25 and 15 s: a gone client is noticed within ~25 % late.
    const every = Math.min(15_000, Math.max(250, Math.min(expiry.idleMs, expiry.goneMs) / 4));
    this.sweeper = setInterval(() => void this.endAbandoned(), every);
    this.sweeper.unref();
  }

  /** Ends the MCP sessions whose clients are gone: their sessions end and their queued requests are removed. */
  async endAbandoned(): Promise<number> {
    const gone = [...this.sessions.values()].filter((s) => s.transport.isAbandoned(this.expiry.idleMs, this.expiry.goneMs));
    // close() runs onclose: the session leaves the map and its McpServer is disposed (releasing what it holds).
    await Promise.all(gone.map((s) => s.transport.close()));
    return gone.length;
  }

  /** MCP sessions open now. */
  get size(): number {
    return this.sessions.size;
  }

  /** Handles one request to /mcp; `body` is the parsed JSON body of a POST. */
  async handle(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    if (this.disposed) return jsonRpcError(res, 503, -32000, 'poshpool is shutting down.');
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, `Unknown MCP session "${sessionId}": it ended or never existed. Initialize a new session (POST initialize without an Mcp-Session-Id header).`);
      await session.transport.handle(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request of a session must be a POST of an initialize request.');
    }
    // The session id is made here, so the client's identity is known before its server exists.
    const id = randomUUID();
    const server = createMcpServer({ core: this.core, clientId: id, settings: this.settings });
    const transport = new HttpMcpTransport(id);
    transport.onclose = () => {
      this.sessions.delete(id);
      void server.dispose();
    };
    await server.server.connect(transport);
    await transport.handle(req, res, body);
    // An initialize that was refused leaves no session behind.
    if (transport.isInitialized) this.sessions.set(id, { transport, dispose: server.dispose });
    else await server.dispose();
  }

  /** Closes every MCP session (their clients' sessions end). */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => {
      await s.transport.close().catch(() => undefined);
      await s.dispose();
    }));
  }
}

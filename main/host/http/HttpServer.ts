import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CookieValidator } from './cookie.js';
import { checkRequest, discardBody, type GuardOptions } from './guard.js';
import { sendJson } from './respond.js';

export { sendJson } from './respond.js';

/** The only address the HTTP server binds: IPv4 loopback. */
export const LOOPBACK_ADDRESS = '127.0.0.1';
/** Longest request path quoted back in a 404. */
const PATH_QUOTE_LIMIT = 200;

/** Serves one path. Called only after the guard passed. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The bearer token every request must carry (or a session cookie, see `sessions`). */
  token: string;
  /** Where the token is kept, named in 401 messages. */
  tokenFile: string;
  /** Request paths (no query) to handlers: exact, or "/prefix/*" for every path under /prefix/. */
  routes: ReadonlyMap<string, RouteHandler>;
  /** Largest request body accepted; a larger Content-Length is refused (413) before any route. */
  maxBodyBytes: number;
  /** Accepts a dashboard session cookie in place of the bearer token. */
  sessions?: CookieValidator;
  /**
   * Paths whose route authenticates requests itself (the dashboard's one-time code sign-in): the
   * bearer token is not required there; Host, Origin and Content-Type still are.
   */
  authExemptPaths?: ReadonlySet<string>;
  /** Where errors of routes are reported (default stderr). Never given the token. */
  log?: (line: string) => void;
}

/**
 * The headless host's HTTP server: plain node:http bound to 127.0.0.1 only, with {@link checkRequest}
 * run before every route (unknown paths included), JSON 404s, and a dispose() that also cuts open
 * connections (SSE streams included) so it resolves promptly.
 */
export class HttpServer {
  private readonly sockets = new Set<Socket>();
  /** Responses still owed to requests that answer once (every method but GET, whose long streams never end). */
  private readonly owed = new Set<ServerResponse>();
  private disposing: Promise<void> | null = null;
  private bound: AddressInfo = { address: LOOPBACK_ADDRESS, family: 'IPv4', port: 0 };
  private readonly log: (line: string) => void;

  private constructor(
    private readonly server: Server,
    private readonly options: HttpServerOptions,
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res));
  }

  /** Starts a server on 127.0.0.1:`port`. Rejects with a message naming the port when it cannot listen. */
  static async listen(options: HttpServerOptions): Promise<HttpServer> {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`The HTTP port must be an integer from 0 to 65535 (0 picks a free one), got ${options.port}.`);
    }
    if (!Number.isInteger(options.maxBodyBytes) || options.maxBodyBytes <= 0) {
      throw new RangeError(`maxBodyBytes must be a positive integer, got ${options.maxBodyBytes}.`);
    }
    if (options.token.length === 0) throw new RangeError('The HTTP server needs a non-empty bearer token.');
    // Node would answer a missing Host with a bare 400; the guard answers 403 with what to do.
    const server = createServer({ requireHostHeader: false });
    const instance = new HttpServer(server, options);
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const hint = e.code === 'EADDRINUSE' ? ' The port is in use: pick another port, or 0 for any free one.' : '';
        reject(new Error(`Cannot listen on ${LOOPBACK_ADDRESS}:${options.port}: ${e.message}.${hint}`, { cause: e }));
      };
      server.once('error', onError);
      // Host is fixed here and not an option: poshpool never listens beyond loopback.
      server.listen({ host: LOOPBACK_ADDRESS, port: options.port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    instance.bound = server.address() as AddressInfo;
    server.on('error', (e) => instance.log(`poshpool: HTTP server error: ${e.message}`));
    return instance;
  }

  /** The bound address (always 127.0.0.1), as reported by the socket when listening started. */
  get address(): AddressInfo {
    return { ...this.bound };
  }

  /** The bound port. */
  get port(): number {
    return this.bound.port;
  }

  /** The server's base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://${LOOPBACK_ADDRESS}:${this.port}`;
  }

  /** The body cap routes should pass to readJsonBody. */
  get maxBodyBytes(): number {
    return this.options.maxBodyBytes;
  }

  /**
   * Stops listening and destroys every open connection; resolves once they have all closed (so
   * routes' close handlers, such as an event stream's unsubscribe, have run). Idempotent.
   */
  /**
   * Stops listening, waits up to `graceMs` (default 0) for the answers still owed to requests that
   * answer once (a tool call finishing as its session ends), then cuts every connection, SSE streams
   * included.
   */
  dispose(options: { graceMs?: number } = {}): Promise<void> {
    this.disposing ??= (async () => {
      // close() reports ERR_SERVER_NOT_RUNNING if already closed; either way the server is down.
      const stopped = new Promise<void>((done) => this.server.close(() => done()));
      const graceMs = options.graceMs ?? 0;
      if (graceMs > 0 && this.owed.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const answered = Promise.all([...this.owed].map((res) => new Promise<void>((done) => res.once('close', () => done()))));
        await Promise.race([answered, new Promise<void>((done) => (timer = setTimeout(done, graceMs)))]);
        clearTimeout(timer);
      }
      const closed = [...this.sockets].map((socket) => new Promise<void>((done) => socket.once('close', () => done())));
      for (const socket of this.sockets) socket.destroy();
      await Promise.all([stopped, ...closed]);
    })();
    return this.disposing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      this.owed.add(res);
      res.once('close', () => this.owed.delete(res));
    }
    const target = req.url ?? '';
    const path = target.startsWith('/') ? (target.split(/[?#]/, 1)[0] ?? '/') : null;
    const guardOptions: GuardOptions = {
      token: this.options.token,
      tokenFile: this.options.tokenFile,
      port: this.port,
      sessions: this.options.sessions,
      requireAuth: path === null || !this.isAuthExempt(path),
    };
    const verdict = checkRequest(req, guardOptions);
    if (!verdict.ok) {
      discardBody(req);
      sendJson(res, verdict.status, { error: verdict.message }, verdict.headers);
      return;
    }
    if (path === null) {
      discardBody(req);
      sendJson(res, 400, { error: 'The request target must be a path such as /metrics, not an absolute URL.' });
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.options.maxBodyBytes) {
      discardBody(req);
      sendJson(res, 413, {
        error: `The request body is larger than ${this.options.maxBodyBytes} bytes, the most poshpool accepts; send less.`,
      });
      return;
    }
    const route = this.options.routes.get(path) ?? this.prefixRoute(path);
    if (route === undefined) {
      discardBody(req);
      const shown = path.length > PATH_QUOTE_LIMIT ? `${path.slice(0, PATH_QUOTE_LIMIT)}…` : path;
      sendJson(res, 404, { error: `Nothing at ${JSON.stringify(shown)}; poshpool serves ${[...this.options.routes.keys()].join(', ') || 'no paths'}.` });
      return;
    }
    let outcome: void | Promise<void>;
    try {
      outcome = route(req, res);
    } catch (e) {
      this.routeFailed(path, res, e);
      return;
    }
    if (outcome instanceof Promise) outcome.catch((e: unknown) => this.routeFailed(path, res, e));
  }

  /** Paths that authenticate themselves or hold no data: exact, or "/prefix/*". */
  private isAuthExempt(path: string): boolean {
    for (const p of this.options.authExemptPaths ?? []) {
      if (p === path || (p.endsWith('/*') && path.startsWith(p.slice(0, -1)))) return true;
    }
    return false;
  }

  /** A route registered as "/prefix/*" serves every path under /prefix/. */
  private prefixRoute(path: string): RouteHandler | undefined {
    for (const [key, handler] of this.options.routes) {
      if (key.endsWith('/*') && path.startsWith(key.slice(0, -1))) return handler;
    }
    return undefined;
  }

  private routeFailed(path: string, res: ServerResponse, e: unknown): void {
    this.log(`poshpool: HTTP route ${path} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: `poshpool failed while serving ${path}; its log (stderr) has the details.` });
  }
}

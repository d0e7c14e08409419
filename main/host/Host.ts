import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { PoshpoolConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { processStartIdentity } from '../core/platform/processIdentity.js';
import { makeUserOnlyDir } from '../core/platform/userOnly.js';
import type { McpSettings } from '../mcp/tools/shared.js';
import { removeHostInfo, writeHostInfo, type HostInfo } from './hostInfo.js';
import { CodeIssuer } from './http/cookie.js';
import { DashboardActions } from './DashboardActions.js';
import { dashboardApi } from './http/dashboardApi.js';
import { handleEvents } from './http/events.js';
import { readJsonBody } from './http/guard.js';
import { HttpServer, sendJson, type RouteHandler } from './http/HttpServer.js';
import type { McpHttpSessions } from './http/mcpRoute.js';
import { handleMetrics } from './http/metrics.js';
import { codesRoute, noDashboard, signInRoute } from './http/signIn.js';
import { findDashboardDir, staticFiles } from './http/staticFiles.js';
import { ensureToken } from './http/token.js';
import { newPipeId, socketPathFor } from './socket/socketPath.js';
import type { SocketServer } from './socket/SocketServer.js';

/** What the host needs to start. */
export interface HostOptions {
  config: PoshpoolConfig;
  /** Data dir: token, host.json, outputs, session temp files, logs. */
  dataDir: string;
  /** HTTP port on 127.0.0.1 (0 = any free port). */
  port: number;
  /** Working directory of new sessions. */
  cwd?: string;
  /** The config file the config came from (named in errors that tell a user what to change). */
  configFile?: string;
  mcpSettings?: Partial<McpSettings>;
  /** The built dashboard (default: dist/renderer next to the compiled host, when built). */
  dashboardDir?: string;
  /** Publish host.json for bridges and `poshpool status` (default true). */
  publish?: boolean;
  /** The OS decisions (default: this OS's). */
  platform?: Platform;
  log?: (line: string) => void;
}

/** How long a stopping host waits for the answers to calls its shutdown ended to reach their clients. */
export const SHUTDOWN_ANSWER_GRACE_MS = 2_000;

/**
 * The one composition root of the headless host: the core, the MCP layer and its transports
 * (Streamable HTTP with /events and /metrics, the local socket for the stdio bridge), wired once and
 * disposed in reverse order of creation.
 */
export class Host {
  private disposing: Promise<void> | undefined;
  private readonly inProcess = new Set<() => Promise<void>>();

  private constructor(
    readonly core: Core,
    /** What a person may do (the dashboard's and the tray's actions). */
    readonly actions: DashboardActions,
    readonly info: HostInfo,
    private readonly http: HttpServer,
    private readonly mcp: McpHttpSessions,
    private readonly socket: SocketServer,
    private readonly codes: CodeIssuer,
    private readonly options: HostOptions,
  ) {}

  /** Starts everything; fails with a reason a person can act on. */
  static async start(options: HostOptions): Promise<{ ok: true; host: Host } | { ok: false; reason: string }> {
    const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
    const platform = options.platform ?? currentPlatform();
    // The token, host.json and the audit log live here: the user's alone, whatever folder it is.
    const secured = await makeUserOnlyDir(options.dataDir, platform);
    if (!secured.ok) return secured;
    for (const note of secured.notes ?? []) log(`poshpool: ${note}`);
    const token = await ensureToken(options.dataDir, { platform });
    if (!token.ok) return { ok: false, reason: token.reason };
    const made = createCore({ config: options.config, dataDir: options.dataDir, cwd: options.cwd, configFile: options.configFile });
    if (!made.ok) return made;
    const core = made.core;
    // The audit log never holds the token, even in a command that carries it.
    core.audit.addSecret(token.token);
    // The pool is starting its first PowerShell now: the MCP modules (the SDK is most of this
    // process's start-up) load while it starts rather than before, which a cold `poshpool bridge`
    // client waits for.
    const [{ McpHttpSessions }, { SocketServer }, { SERVER_VERSION }] = await Promise.all([
      import('./http/mcpRoute.js'),
      import('./socket/SocketServer.js'),
      import('../mcp/createMcpServer.js'),
    ]);
    await core.backups.start();
    const actions = new DashboardActions(core);
    const mcp = new McpHttpSessions(core, options.mcpSettings, {
      idleMs: options.config.httpSessionIdleSeconds * 1000,
      goneMs: options.config.httpStreamGoneSeconds * 1000,
    });
    const maxBodyBytes = options.config.httpMaxBodyBytes;
    const mcpRoute: RouteHandler = async (req, res) => {
      let body: unknown;
      if (req.method === 'POST') {
        const read = await readJsonBody(req, maxBodyBytes);
        if (!read.ok) return sendJson(res, read.status, { jsonrpc: '2.0', error: { code: -32700, message: read.message }, id: null });
        body = read.body;
      }
      await mcp.handle(req, res, body);
    };
    const codes = new CodeIssuer({ sessionsFile: path.join(path.dirname(token.file), 'dashboard-sessions.json') });
    const dashboardDir = options.dashboardDir ?? findDashboardDir();
    // The dashboard's files hold no data (that comes from /api and /events, which need the cookie).
    const app = dashboardDir ? staticFiles(dashboardDir) : noDashboard;
    let base = '';
    const routes = new Map<string, RouteHandler>([
      ['/', signInRoute(codes, app)],
      ['/assets/*', app],
      ['/api/codes', codesRoute(codes, () => base)],
      ['/api/*', dashboardApi(actions)],
      ['/mcp', mcpRoute],
      ['/events', (req, res) => handleEvents(req, res, core.bus)],
      ['/metrics', (req, res) => handleMetrics(req, res, () => core.metrics())],
      ['/status', (_req, res) => sendJson(res, 200, actions.snapshotNow())],
    ]);
    let http: HttpServer;
    try {
      http = await HttpServer.listen({
        port: options.port,
        token: token.token,
        tokenFile: token.file,
        routes,
        maxBodyBytes,
        log,
        sessions: codes,
        authExemptPaths: new Set(['/', '/assets/*']),
      });
    } catch (e) {
      await mcp.dispose();
      await core.dispose();
      return { ok: false, reason: (e as Error).message };
    }
    const socketPath = socketPathFor(platform, options.dataDir, undefined, { env: process.env, pipeId: platform.hostChannel === 'namedPipe' ? newPipeId() : undefined });
    const socket = await SocketServer.listen({
      path: socketPath,
      token: token.token,
      log,
      onConnection: (transport) => void Host.serveTransport(core, transport, options.mcpSettings),
    });
    if (!socket.ok) {
      await http.dispose();
      await mcp.dispose();
      await core.dispose();
      return { ok: false, reason: `The local socket for \`poshpool bridge\` could not be opened: ${socket.reason}` };
    }
    base = http.url.replace(/\/$/, '');
    const processStart = processStartIdentity(platform, process.pid);
    const info: HostInfo = {
      pid: process.pid,
      ...(processStart === undefined ? {} : { processStart }),
      version: SERVER_VERSION,
      startedAt: new Date().toISOString(),
      mcpUrl: `${base}/mcp`,
      eventsUrl: `${base}/events`,
      metricsUrl: `${base}/metrics`,
      socketPath,
      tokenFile: token.file,
    };
    if (options.publish !== false) writeHostInfo(options.dataDir, info);
    return { ok: true, host: new Host(core, actions, info, http, mcp, socket.server, codes, options) };
  }

  /** Serves one MCP client over a transport (a socket connection, or the embedded bridge's stdio). */
  static async serveTransport(core: Core, transport: Transport, settings?: Partial<McpSettings>): Promise<() => Promise<void>> {
    const { createMcpServer } = await import('../mcp/createMcpServer.js');
    const mcp = createMcpServer({ core, clientId: randomUUID(), settings });
    mcp.server.server.onclose = () => void mcp.dispose();
    await mcp.server.connect(transport);
    return mcp.dispose;
  }

  /** Serves one client in this process (the embedded host of `poshpool bridge`). */
  async serve(transport: Transport): Promise<void> {
    const dispose = await Host.serveTransport(this.core, transport, this.options.mcpSettings);
    this.inProcess.add(dispose);
  }

  /**
   * Stops serving, ends every session and removes host.json. The work ends first, while every
   * transport is still open: waiting requests are refused and running commands end, and the agents
   * that asked get those answers ("poshpool is shutting down") rather than a cut connection that
   * leaves their call hanging until their own timeout. Then the transports close, each given
   * {@link SHUTDOWN_ANSWER_GRACE_MS} for the answers still on their way.
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      if (this.options.publish !== false) removeHostInfo(this.options.dataDir, process.pid, { platform: this.options.platform });
      await this.core.dispose();
      // Reads waiting on a session's terminal are answered now, before the transports close.
      this.actions.dispose();
      await Promise.all([this.socket.dispose({ graceMs: SHUTDOWN_ANSWER_GRACE_MS }), this.http.dispose({ graceMs: SHUTDOWN_ANSWER_GRACE_MS })]);
      await this.mcp.dispose();
      await Promise.all([...this.inProcess].map((d) => d()));
      this.codes.dispose();
    })();
    return this.disposing;
  }
}

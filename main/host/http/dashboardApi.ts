import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActionResult, DashboardSnapshot } from '../../../common/dashboard.js';
import type { Core } from '../../core/createCore.js';
import { readJsonBody } from './guard.js';
import { sendJson } from './respond.js';

/** Longest request body of a dashboard action. */
const ACTION_BODY_BYTES = 64 * 1024;

type Handler = (params: string[], query: URLSearchParams, body: Record<string, unknown>) => Promise<ActionResult<object>> | ActionResult<object>;

interface ApiRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Everything the dashboard shows, at one moment. */
export function dashboardSnapshot(core: Core): DashboardSnapshot {
  return {
    metrics: core.metrics(),
    sessions: core.manager.listSessions(),
    queue: core.manager.listQueue(),
    jobs: core.jobs.list().map((j) => ({ ...j, clientId: core.jobs.ownerOf(j.jobId) ?? '' })),
    folders: core.backups.list(),
  };
}

/**
 * The dashboard's API under /api/ (the person watching acts on every client's sessions and
 * requests). Guarded like every route: the dashboard's session cookie or the bearer token.
 */
export function dashboardApi(core: Core): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { manager, jobs, backups } = core;
  const bySession = (sessionId: string): ActionResult<{ clientId: string }> => {
    const clientId = manager.ownerOfSession(sessionId);
    return clientId === undefined ? { ok: false, reason: `No session "${sessionId}": it ended or never existed.` } : { ok: true, clientId };
  };
  const byRequest = (requestId: string): ActionResult<{ clientId: string }> => {
    const clientId = manager.ownerOfRequest(requestId);
    return clientId === undefined ? { ok: false, reason: `No request "${requestId}" is waiting or holds a session.` } : { ok: true, clientId };
  };
  const routes: ApiRoute[] = [
    { method: 'GET', pattern: /^\/api\/snapshot$/, handler: () => ({ ok: true, snapshot: dashboardSnapshot(core) }) },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/cancel$/,
      handler: ([id]) => {
        const owner = bySession(id!);
        return owner.ok ? manager.cancelCommand(owner.clientId, id!) : owner;
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/sessions\/([^/]+)\/terminate$/,
      handler: async ([id]) => {
        const owner = bySession(id!);
        return owner.ok ? manager.endSession(owner.clientId, id!, 'terminated from the dashboard') : owner;
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/requests\/([^/]+)\/priority$/,
      handler: ([id], _q, body) => {
        const owner = byRequest(id!);
        if (!owner.ok) return owner;
        if (body.priority !== 'sync' && body.priority !== 'async') return { ok: false, reason: 'priority must be "sync" or "async".' };
        return manager.changePriority(owner.clientId, id!, body.priority);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/requests\/([^/]+)\/cancel$/,
      handler: async ([id]) => {
        const owner = byRequest(id!);
        return owner.ok ? manager.cancelRequest(owner.clientId, id!, 'now') : owner;
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/jobs\/([^/]+)\/pages\/(\d+)$/,
      handler: ([id, page]) => {
        const clientId = jobs.ownerOf(id!);
        return clientId === undefined ? { ok: false, reason: `No job "${id}".` } : jobs.readPage(clientId, id!, Number(page));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/backups$/,
      handler: async (_p, q) => {
        const folder = q.get('folder');
        if (!folder) return { ok: true, folders: backups.list() };
        const limit = Number(q.get('limit') ?? 50);
        const h = await backups.history(folder, Number.isFinite(limit) && limit > 0 ? limit : 50);
        return h.ok ? { ok: true, backups: h.backups } : h;
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/backups\/diff$/,
      handler: async (_p, q) => {
        const folder = q.get('folder');
        const id = q.get('id');
        const against = q.get('against') === 'now' ? 'now' : 'parent';
        if (!folder || !id) return { ok: false, reason: 'folder and id are required.' };
        return backups.diff(folder, id, against, q.get('path') ?? undefined);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/backups\/restore$/,
      handler: async (_p, _q, body) => {
        const folder = str(body.folder);
        const id = str(body.id);
        if (!folder || !id) return { ok: false, reason: 'folder and id are required.' };
        return backups.restore(folder, id, str(body.path));
      },
    },
  ];
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    for (const route of routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      if (req.method !== route.method) return sendJson(res, 405, { ok: false, reason: `Use ${route.method} for ${url.pathname}.` }, { allow: route.method });
      let body: Record<string, unknown> = {};
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      if (route.method === 'POST' && hasBody) {
        const read = await readJsonBody(req, ACTION_BODY_BYTES);
        if (!read.ok) return sendJson(res, read.status, { ok: false, reason: read.message });
        body = read.body !== null && typeof read.body === 'object' ? (read.body as Record<string, unknown>) : {};
      }
      const params = m.slice(1).map((p) => decodeURIComponent(p));
      const result = await route.handler(params, url.searchParams, body);
      return sendJson(res, result.ok ? 200 : 400, result);
    }
    sendJson(res, 404, { ok: false, reason: `No dashboard action at ${url.pathname}.` });
  };
}

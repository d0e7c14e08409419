import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActionResult } from '../../../common/dashboard.js';
import { APPROVAL_ANSWERS, isApprovalAnswer, type DashboardActions } from '../DashboardActions.js';
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

/**
 * The dashboard's API under /api/ (the person watching acts on every client's sessions and
 * requests), a thin HTTP face of {@link DashboardActions}. Guarded like every route: the dashboard's
 * session cookie or the bearer token.
 */
export function dashboardApi(actions: DashboardActions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const routes: ApiRoute[] = [
    { method: 'GET', pattern: /^\/api\/snapshot$/, handler: () => actions.snapshot() },
    { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/cancel$/, handler: ([id]) => actions.cancelCommand(id!) },
    { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/terminate$/, handler: ([id]) => actions.terminateSession(id!) },
    {
      method: 'POST',
      pattern: /^\/api\/requests\/([^/]+)\/priority$/,
      handler: ([id], _q, body) =>
        body.priority === 'sync' || body.priority === 'async' ? actions.changePriority(id!, body.priority) : { ok: false, reason: 'priority must be "sync" or "async".' },
    },
    { method: 'POST', pattern: /^\/api\/requests\/([^/]+)\/cancel$/, handler: ([id]) => actions.cancelRequest(id!) },
    {
      method: 'POST',
      pattern: /^\/api\/pause$/,
      handler: (_p, _q, body) => (typeof body.paused === 'boolean' ? actions.setPaused(body.paused, 'dashboard') : { ok: false, reason: 'Send {"paused": true} to pause new sessions, {"paused": false} to resume.' }),
    },
    {
      method: 'POST',
      pattern: /^\/api\/approvals\/([^/]+)\/answer$/,
      handler: ([id], _q, body) =>
        isApprovalAnswer(body.answer)
          ? actions.answerApproval(id!, body.answer, 'dashboard')
          : { ok: false, reason: `Send {"answer": ${APPROVAL_ANSWERS.map((a) => `"${a}"`).join(' | ')}}: run it once, run it and allow its rules for the rest of its session, or deny it.` },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/terminal$/,
      handler: ([id], q) => actions.readTerminal(id!, Number(q.get('since') ?? 0), Number(q.get('wait') ?? 0)),
    },
    { method: 'GET', pattern: /^\/api\/jobs\/([^/]+)\/pages\/(\d+)$/, handler: ([id, page]) => actions.jobPage(id!, Number(page)) },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/history$/, handler: ([id]) => actions.sessionHistory(id!) },
    { method: 'GET', pattern: /^\/api\/history$/, handler: (_p, q) => actions.recentCommands(q.has('limit') ? Number(q.get('limit')) : undefined) },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/history\/(\d+)$/, handler: ([id, seq]) => actions.historyEntry(id!, Number(seq)) },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([^/]+)\/history\/(\d+)\/pages\/(\d+)$/,
      handler: ([id, seq, page]) => actions.historyPage(id!, Number(seq), Number(page)),
    },
    {
      method: 'GET',
      pattern: /^\/api\/backups$/,
      handler: (_p, q) => {
        const folder = q.get('folder');
        if (!folder) return { ok: true, folders: actions.folders() };
        return actions.backups(folder, Number(q.get('limit') ?? NaN));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/backups\/diff$/,
      handler: (_p, q) => {
        const folder = q.get('folder');
        const id = q.get('id');
        if (!folder || !id) return { ok: false, reason: 'folder and id are required.' };
        return actions.backupDiff(folder, id, q.get('against') === 'now' ? 'now' : 'parent', q.get('path') ?? undefined);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/backups\/restore$/,
      handler: (_p, _q, body) => {
        const folder = str(body.folder);
        const id = str(body.id);
        if (!folder || !id) return { ok: false, reason: 'folder and id are required.' };
        // A path that is there but not a name must not fall back to restoring the whole folder.
        if (body.path !== undefined && str(body.path) === undefined) return { ok: false, reason: 'path must be a file or directory relative to the folder (leave it out for the whole folder).' };
        return actions.restoreBackup(folder, id, str(body.path));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/backups\/restore-preview$/,
      handler: (_p, q) => {
        const folder = q.get('folder');
        const id = q.get('id');
        if (!folder || !id) return { ok: false, reason: 'folder and id are required.' };
        return actions.restorePreview(folder, id, q.get('path') ?? undefined);
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

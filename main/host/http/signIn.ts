import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CodeIssuer } from './cookie.js';
import { sendJson } from './respond.js';

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>poshpool — ${title}</title></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'self'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * `/`: with `?code=`, redeems a one-time sign-in code for an HttpOnly SameSite=Strict session cookie
 * and sends the browser on without the code in its address bar; without one, `serveApp` answers.
 * This path needs no token (the code is the credential); it shows no data by itself.
 */
export function signInRoute(codes: CodeIssuer, serveApp: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const code = url.searchParams.get('code');
    if (code === null) return serveApp(req, res);
    const redeemed = codes.redeem(code);
    if (!redeemed.ok) return page(res, 401, 'Sign-in link not valid', `${redeemed.reason} Run <code>poshpool open</code> for a new link.`);
    res.writeHead(303, { 'set-cookie': redeemed.setCookie, location: '/', 'cache-control': 'no-store' });
    res.end();
  };
}

/** POST /api/codes: a new one-time sign-in link (for `poshpool open`). Guarded: bearer token or cookie. */
export function codesRoute(codes: CodeIssuer, baseUrl: () => string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, reason: 'Use POST to make a sign-in code.' }, { allow: 'POST' });
    const code = codes.issue();
    sendJson(res, 200, { ok: true, code, url: `${baseUrl()}/?code=${encodeURIComponent(code)}` }, { 'cache-control': 'no-store' });
  };
}

/** Until the dashboard is built: a page that says what is there. */
export function noDashboard(_req: IncomingMessage, res: ServerResponse): void {
  page(res, 404, 'Dashboard not built', 'The dashboard has not been built into this copy of poshpool. The MCP server, /events and /metrics work.');
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_TYPES, DASHBOARD_CSP } from '../host/http/staticFiles.js';

/**
 * The dashboard is served to the app window from a private scheme, not file:// (Electron's security
 * checklist: file:// pages may read any local file), with the same strict CSP as over HTTP.
 */
export const APP_SCHEME = 'poshpool-app';
/** The dashboard's origin inside the app. */
export const APP_ORIGIN = `${APP_SCHEME}://dashboard`;
/** The page the window loads. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * How the scheme is registered (before the app is ready): a standard, secure origin with fetch, and
 * CORS-enabled because Chromium loads the dashboard's module scripts (`<script type="module">`) in
 * CORS mode, which it refuses for a scheme without it. No response carries CORS headers, so no
 * other origin may read these files.
 */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } } as const;

/** Whether a URL belongs to the dashboard inside the app. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'dashboard';
  } catch {
    return false;
  }
}

/**
 * Answers a request on the app scheme from the built dashboard in `root`: GET only, the dashboard
 * host only, never a file outside `root`, unknown paths 404 (the app has one page).
 */
export async function serveAppRequest(request: { url: string; method: string }, root: string): Promise<Response> {
  const headers = { 'content-security-policy': DASHBOARD_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405, headers: { ...headers, allow: 'GET, HEAD' } });
  if (!isAppUrl(request.url)) return new Response('not found', { status: 404, headers });
  const base = path.resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return new Response('bad request', { status: 400, headers });
  }
  const file = path.resolve(base, `.${pathname === '/' ? '/index.html' : pathname}`);
  if (!file.startsWith(base + path.sep)) return new Response('not found', { status: 404, headers });
  try {
    if (!(await stat(file)).isFile()) return new Response('not found', { status: 404, headers });
    const body = await readFile(file);
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...headers, 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' },
    });
  } catch {
    // Missing or unreadable: the page asked for something the build does not have.
    return new Response('not found', { status: 404, headers });
  }
}

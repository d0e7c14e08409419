import type { ServerResponse } from 'node:http';

/** Sends `body` as a JSON response with `status` (no-store, nosniff, with a Content-Length). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  if (res.headersSent) {
    // Too late for a status line: the client sees a cut response rather than a wrong one.
    res.destroy();
    return;
  }
  const all: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  };
  res.writeHead(status, all);
  res.end(text);
}

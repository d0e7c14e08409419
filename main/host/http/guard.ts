import type { IncomingMessage } from 'node:http';
import type { CookieValidator } from './cookie.js';
import { tokensEqual } from './token.js';

/** Host names the HTTP server answers to by default: loopback only. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

/** Methods whose body must be JSON. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Longest piece of a client's header quoted back in a refusal. */
const QUOTE_LIMIT = 100;
/**
 * Most bytes of a refused request body read and dropped after an early reply, so the client gets to
 * read that reply and the connection can be reused; past it the connection is cut.
 */
export const DEFAULT_DISCARD_LIMIT_BYTES = 1024 * 1024;

export interface GuardOptions {
  /** The bearer token. Compared in constant time; never written into a message. */
  token: string;
  /** Where the token is kept: refusals tell the client to read it there. */
  tokenFile: string;
  /** The port the server listens on (Host and Origin must name it). */
  port: number;
  /** Host names accepted in Host and Origin (default {@link LOOPBACK_HOSTS}). */
  allowedHosts?: readonly string[];
  /** Accepts a dashboard session cookie in place of the bearer token. */
  sessions?: CookieValidator;
  /**
   * False only for a route that authenticates the request itself (the dashboard's one-time code
   * sign-in); Host, Origin and Content-Type are still checked. Default true.
   */
  requireAuth?: boolean;
}

/** The part of a request the guard reads. */
export type GuardRequest = Pick<IncomingMessage, 'headers' | 'method'>;

/** Whether a request may reach a route; a refusal carries the status, a message and headers to send. */
export type GuardResult = { ok: true } | { ok: false; status: 401 | 403 | 415; message: string; headers: Record<string, string> };

/** A JSON body, or why it was refused. */
export type JsonBodyResult = { ok: true; body: unknown } | { ok: false; status: 413 | 400; message: string };

/**
 * The check run before every route: Host must name this loopback server (403, which also stops DNS
 * rebinding); Origin, when sent, must be this server (403); `Authorization: Bearer <token>` or a
 * valid session cookie is required (401); POST/PUT/PATCH must be `application/json` (415).
 */
export function checkRequest(req: GuardRequest, options: GuardOptions): GuardResult {
  const hosts = (options.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase());
  const port = options.port;
  const named = hosts.map((h) => `${h}:${port}`).join(' or ');

  const host = req.headers.host;
  if (host === undefined || !hosts.some((h) => host.toLowerCase() === `${h}:${port}`)) {
    const got = host === undefined ? 'no Host header' : `Host ${quote(host)}`;
    return refuse(
      403,
      `Refused: the Host header must be ${named}, got ${got}. poshpool serves this machine only; connect to http://${hosts[0] ?? '127.0.0.1'}:${port} directly, not through another name or a proxy.`,
    );
  }

  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}:${port}`)) {
    return refuse(
      403,
      `Refused: requests from web pages are accepted only from poshpool's own dashboard (${hosts.map((h) => `http://${h}:${port}`).join(' or ')}); this one came from ${quote(origin)}.`,
    );
  }

  if (options.requireAuth !== false && !options.sessions?.validCookie(req)) {
    const presented = bearerToken(req.headers.authorization);
    if (presented === null || !tokensEqual(presented, options.token)) {
      const what = presented === null ? 'Missing bearer token' : 'Wrong bearer token';
      return refuse(
        401,
        `${what}: send "Authorization: Bearer <token>" with the token kept in ${options.tokenFile} (readable only by the user running poshpool). A new token is made if that file is deleted.`,
        { 'www-authenticate': 'Bearer realm="poshpool"' },
      );
    }
  }

  if (BODY_METHODS.has((req.method ?? '').toUpperCase()) && !isJsonContentType(req.headers['content-type'])) {
    const got = req.headers['content-type'];
    return refuse(
      415,
      `Send the body as UTF-8 JSON with "Content-Type: application/json" (got ${got === undefined ? 'no Content-Type' : quote(got)}).`,
    );
  }
  return { ok: true };
}

/**
 * Reads the request body as JSON, keeping at most `maxBytes`: a larger body (by Content-Length or
 * by what arrives) is refused with 413 at once and nothing past the cap is kept; the rest is handed
 * to {@link discardBody}. Invalid UTF-8 or JSON is refused with 400 and the parser's message.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBodyResult> {
  const tooLarge: JsonBodyResult = {
    ok: false,
    status: 413,
    message: `The request body is larger than ${maxBytes} bytes, the most poshpool accepts; send less (for large output, read it by page).`,
  };
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve({ ok: false, status: 400, message: 'The request body was already read.' });
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      discardBody(req);
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: JsonBodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onBroken);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        settle(tooLarge);
        discardBody(req);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(parseJson(Buffer.concat(chunks)));
    const onBroken = (): void =>
      settle({ ok: false, status: 400, message: 'The request body ended before it was complete; send the request again.' });
    req.on('data', onData).on('end', onEnd).on('error', onBroken).on('close', onBroken);
  });
}

/**
 * Drops the rest of a request body that will not be read (after an early reply): up to `limitBytes`
 * more are read and thrown away, so a client still sending sees the reply instead of a reset and a
 * kept-alive connection stays usable; past that the connection is cut.
 */
export function discardBody(req: IncomingMessage, limitBytes: number = DEFAULT_DISCARD_LIMIT_BYTES): void {
  if (req.readableEnded) return;
  let seen = 0;
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > limitBytes) {
      req.off('data', onData);
      req.socket.destroy();
    }
  };
  req.on('data', onData);
  req.once('end', () => req.off('data', onData));
  req.resume();
}

/** `application/json`, optionally with a UTF-8 charset (JSON is UTF-8, RFC 8259). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function parseJson(bytes: Buffer): JsonBodyResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, message: 'The request body is not valid UTF-8; send UTF-8 JSON.' };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, status: 400, message: `The request body is not valid JSON (${(e as Error).message}); send one JSON document.` };
  }
}

function refuse(status: 401 | 403 | 415, message: string, headers: Record<string, string> = {}): GuardResult {
  return { ok: false, status, message, headers };
}

/** A client's header value, JSON-quoted and cut, for a refusal message. */
function quote(value: string): string {
  return JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value);
}

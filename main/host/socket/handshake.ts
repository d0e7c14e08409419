import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

/**
 * The auth handshake on the host's socket, before any MCP byte. The client sends one line
 * `{"poshpool":1,"token":"<token>","cwd":"<dir>"}\n` (`cwd`, optional: the bridge's working
 * directory, where the client's sessions begin when it declares no roots; older bridges leave it
 * out, older hosts ignore it); the host answers `{"ok":true}\n`, or `{"ok":false,"reason":"..."}\n`
 * and closes. The token is never echoed or logged.
 */

/** Version of the handshake, the value of the hello's `poshpool` field. */
export const HANDSHAKE_VERSION = 1;
/** How long the host waits for the hello line (and the client for the answer) by default. */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;
/** Longest hello (or answer) line, newline included, by default. */
export const DEFAULT_MAX_HELLO_BYTES = 4 * 1024;
/** After refusing, how long the host lets the peer read the answer and hang up before cutting it off. */
export const REFUSED_CLOSE_GRACE_MS = 1_000;

/** Why a handshake failed: the other side refused, was silent, sent too much, hung up, or sent nonsense. */
export type HandshakeFailureKind = 'refused' | 'timeout' | 'tooLong' | 'closed' | 'invalid';

/** The outcome of a handshake; `rest` holds bytes that arrived after the line (they belong to MCP). */
export type HandshakeResult = { ok: true; rest: Buffer; cwd?: string } | { ok: false; kind: HandshakeFailureKind; reason: string };

/** Limits of one handshake. */
export interface HandshakeLimits {
  /** Time allowed for the line to arrive (default {@link DEFAULT_HELLO_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Longest line in bytes, newline included (default {@link DEFAULT_MAX_HELLO_BYTES}). */
  maxLineBytes?: number;
}

type LineResult = { ok: true; line: string; rest: Buffer } | { ok: false; kind: HandshakeFailureKind; reason: string };

/**
 * Reads one newline-terminated line from `socket` within the limits, then pauses the socket and
 * detaches, so whoever reads next (the MCP transport) gets every later byte.
 */
function readLine(socket: Socket, timeoutMs: number, maxLineBytes: number, what: string): Promise<LineResult> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (result: LineResult): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if ((newline === -1 && buffered.length >= maxLineBytes) || newline + 1 > maxLineBytes) {
        finish({ ok: false, kind: 'tooLong', reason: `the ${what} line is longer than ${maxLineBytes} bytes` });
        return;
      }
      if (newline === -1) return;
      const line = buffered.toString('utf8', 0, newline).replace(/\r$/, '');
      finish({ ok: true, line, rest: Buffer.from(buffered.subarray(newline + 1)) });
    };
    const onEnd = (): void => finish({ ok: false, kind: 'closed', reason: `the connection closed before the ${what} line` });
    const onError = (e: Error): void => finish({ ok: false, kind: 'closed', reason: `the connection failed before the ${what} line (${e.message})` });
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', reason: `no ${what} line within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

/** Compares two tokens in constant time (over their SHA-256 digests, so lengths do not leak either). */
export function tokensMatch(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: the caller answers with a fixed reason; the parser's message may quote the input (the token).
    return undefined;
  }
}

/** Checks a hello line against the token. The reason never contains anything the client sent. */
export function checkHello(line: string, token: string): { ok: true; cwd?: string } | { ok: false; kind: 'refused' | 'invalid'; reason: string } {
  const hello = parseObject(line);
  if (!hello) return { ok: false, kind: 'invalid', reason: 'the hello is not a JSON object; send {"poshpool":1,"token":"<token>"} and a newline' };
  if (hello.poshpool !== HANDSHAKE_VERSION) {
    const version = typeof hello.poshpool === 'number' ? ` ${hello.poshpool}` : '';
    return { ok: false, kind: 'invalid', reason: `unsupported handshake version${version}; this host speaks "poshpool":${HANDSHAKE_VERSION}` };
  }
  if (typeof hello.token !== 'string') return { ok: false, kind: 'invalid', reason: 'the hello has no "token" string' };
  if (!tokensMatch(token, hello.token)) return { ok: false, kind: 'refused', reason: 'wrong token: read it from the host\'s token file' };
  // A cwd that is not a non-empty string is left out: the client's sessions then begin where the host's do.
  return typeof hello.cwd === 'string' && hello.cwd.length > 0 ? { ok: true, cwd: hello.cwd } : { ok: true };
}

/** Sends the refusal line, lets the peer read it and hang up, and cuts the connection off after a grace period. */
function refuse(socket: Socket, reason: string): void {
  // Later errors (the peer resetting) mean nothing more to us; the connection is being dropped.
  socket.on('error', () => {});
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), REFUSED_CLOSE_GRACE_MS);
  socket.once('close', () => clearTimeout(timer));
  socket.end(`${JSON.stringify({ ok: false, reason })}\n`);
  // Whatever else the peer sends is read and dropped, never processed.
  socket.resume();
}

/**
 * The host's side: waits for the hello, checks the token, answers, and on failure closes the
 * connection. On success the socket is paused with nothing consumed past the hello line.
 */
export async function acceptHandshake(socket: Socket, token: string, limits: HandshakeLimits = {}): Promise<HandshakeResult> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  const maxLineBytes = limits.maxLineBytes ?? DEFAULT_MAX_HELLO_BYTES;
  const read = await readLine(socket, timeoutMs, maxLineBytes, 'hello');
  if (!read.ok) {
    refuse(socket, read.reason);
    return read;
  }
  const checked = checkHello(read.line, token);
  if (!checked.ok) {
    refuse(socket, checked.reason);
    return checked;
  }
  if (socket.destroyed || !socket.writable) return { ok: false, kind: 'closed', reason: 'the connection closed during the handshake' };
  socket.write(`${JSON.stringify({ ok: true })}\n`);
  return { ok: true, rest: read.rest, ...(checked.cwd === undefined ? {} : { cwd: checked.cwd }) };
}

/**
 * The client's side: sends the hello with `token` (and `cwd`, the bridge's working directory) and
 * reads the host's answer. On failure the caller still owns (and should destroy) the socket.
 */
export async function offerHandshake(socket: Socket, token: string, limits: HandshakeLimits = {}, cwd?: string): Promise<HandshakeResult> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  const maxLineBytes = limits.maxLineBytes ?? DEFAULT_MAX_HELLO_BYTES;
  // A cwd too long for the hello line (deep paths) is left out rather than fail the connection.
  const sendCwd = cwd !== undefined && Buffer.byteLength(JSON.stringify(cwd)) <= maxLineBytes / 2;
  const hello = { poshpool: HANDSHAKE_VERSION, token, ...(sendCwd ? { cwd } : {}) };
  socket.write(`${JSON.stringify(hello)}\n`);
  const read = await readLine(socket, timeoutMs, maxLineBytes, 'handshake answer');
  if (!read.ok) return read;
  const answer = parseObject(read.line);
  if (answer?.ok === true) return { ok: true, rest: read.rest };
  if (answer?.ok === false) {
    const reason = typeof answer.reason === 'string' ? answer.reason : 'no reason given';
    return { ok: false, kind: 'refused', reason: `the host refused the connection: ${reason}` };
  }
  return { ok: false, kind: 'invalid', reason: 'the answer to the hello is not a poshpool handshake: is something else listening there?' };
}

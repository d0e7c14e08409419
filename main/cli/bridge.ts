import fs from 'node:fs/promises';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { DEFAULT_HELLO_TIMEOUT_MS, offerHandshake } from '../host/socket/handshake.js';
import { DEFAULT_REPLY_GRACE_MS, ReplyWatch } from './bridgeReplies.js';

/**
 * `poshpool bridge`: an MCP client that speaks stdio (an agent's config runs this command) is
 * relayed byte for byte to the running host's local socket, after the token handshake.
 */

/** Why connecting to the host failed: nothing listens there, it refused us, or something else went wrong. */
export type ConnectFailureCode = 'noHost' | 'refused' | 'failed';

/** An authenticated connection to the host (`rest`: bytes that came after the handshake answer), or why not. */
export type ConnectResult = { ok: true; socket: net.Socket; rest: Buffer } | { ok: false; code: ConnectFailureCode; reason: string };

/** Where and how to reach the host. */
export interface ConnectOptions {
  /** The host's Unix socket path or Windows named pipe. */
  socketPath: string;
  /** The host's token (read from its token file, never from argv or the environment). */
  token: string;
  /** Time allowed for connecting and again for the handshake answer (default 5 s). */
  timeoutMs?: number;
  /** The bridge's working directory, sent in the hello (where the client's sessions begin without roots). */
  cwd?: string;
}

/** Errors of connect() that mean no host is listening: the CLI may start an embedded host instead. */
const NO_HOST_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

function noHostReason(socketPath: string): string {
  return `no poshpool host is running at ${socketPath}: start it with \`poshpool serve\` (or the poshpool app).`;
}

/**
 * Connects to the host and passes the handshake. A missing socket or a refused connection is
 * `{ ok: false, code: 'noHost' }`, so the caller can decide to start a host itself. On success the
 * socket is paused; `rest` holds any bytes that came right after the handshake answer.
 */
export async function connectToHost(options: ConnectOptions): Promise<ConnectResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  const socket = net.connect(options.socketPath);
  const connected = await new Promise<{ ok: true } | { ok: false; code: ConnectFailureCode; reason: string }>((resolve) => {
    const timer = setTimeout(() => {
      resolve({ ok: false, code: 'failed', reason: `the poshpool host at ${options.socketPath} did not accept the connection within ${timeoutMs} ms: is it stuck? Restart it.` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ ok: true });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code !== undefined && NO_HOST_CODES.has(e.code)) resolve({ ok: false, code: 'noHost', reason: noHostReason(options.socketPath) });
      else resolve({ ok: false, code: 'failed', reason: `cannot connect to the poshpool host at ${options.socketPath}: ${e.message}` });
    });
  });
  if (!connected.ok) {
    socket.destroy();
    return connected;
  }
  // Errors after this point surface through the handshake ('closed') or the relay's own listener.
  const ignore = (): void => {};
  socket.on('error', ignore);
  const shaken = await offerHandshake(socket, options.token, { timeoutMs }, options.cwd);
  if (!shaken.ok) {
    socket.destroy();
    const code: ConnectFailureCode = shaken.kind === 'refused' ? 'refused' : 'failed';
    return { ok: false, code, reason: `${shaken.reason} (host at ${options.socketPath})` };
  }
  socket.off('error', ignore);
  return { ok: true, socket, rest: shaken.rest };
}

/** Reads the host's token from its token file; the reason never contains the file's content. */
export async function readTokenFile(tokenFile: string): Promise<{ ok: true; token: string } | { ok: false; reason: string }> {
  let text: string;
  try {
    text = await fs.readFile(tokenFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: `no token file at ${tokenFile}: the host writes it when it starts, so no host is running; start it with \`poshpool serve\`.` };
    return { ok: false, reason: `cannot read the token file ${tokenFile}: ${(e as Error).message}` };
  }
  const token = text.trim();
  if (token.length === 0) return { ok: false, reason: `the token file ${tokenFile} is empty: restart the host (\`poshpool serve\`) so it writes a new one.` };
  return { ok: true, token };
}

/** What the bridge relays between. */
export interface BridgeOptions {
  /** The host's Unix socket path or Windows named pipe. */
  socketPath: string;
  /** The file holding the host's token. */
  tokenFile: string;
  /** MCP bytes from the client (process.stdin). */
  stdin: Readable;
  /** MCP bytes to the client (process.stdout): nothing else is ever written here. */
  stdout: Writable;
  /** Messages for the person (process.stderr). */
  stderr: { write(text: string): unknown };
  /** Time allowed for connecting and for the handshake (default 5 s). */
  timeoutMs?: number;
  /** Once the client's input ended, how long to wait for the answers it is still owed (default {@link DEFAULT_REPLY_GRACE_MS}). */
  replyGraceMs?: number;
  /** The bridge's working directory (the client's project, when the client launched it), passed to the host. */
  cwd?: string;
}

/**
 * Runs the bridge until either side closes. When the client ends its input (a one-shot pipe ends it
 * right after its last request), the bridge waits for every answer still owed to the requests it
 * read, up to `replyGraceMs`, then hangs up and resolves 0; it resolves 1 when it gave up on some
 * (saying which on stderr), or when the host could not be reached or went away.
 */
export async function runBridge(options: BridgeOptions): Promise<number> {
  const { stdin, stdout, stderr } = options;
  const say = (text: string): void => void stderr.write(`poshpool bridge: ${text}\n`);
  const token = await readTokenFile(options.tokenFile);
  if (!token.ok) {
    say(token.reason);
    return 1;
  }
  const connection = await connectToHost({ socketPath: options.socketPath, token: token.token, timeoutMs: options.timeoutMs, cwd: options.cwd });
  if (!connection.ok) {
    say(connection.reason);
    return 1;
  }
  const { socket, rest } = connection;

  const graceMs = options.replyGraceMs ?? DEFAULT_REPLY_GRACE_MS;
  const watch = new ReplyWatch();
  const code = await new Promise<number>((resolve) => {
    let inputEnded = false;
    let gaveUp = false;
    let failure: string | undefined;
    const onInputEnd = (): void => {
      inputEnded = true;
      // The host keeps serving until every answer owed went out; then the bridge hangs up, and the host in turn.
      void watch.settled(graceMs).then((left) => {
        if (left.length > 0 && !socket.destroyed) {
          gaveUp = true;
          const ids = left.map((id) => JSON.stringify(id)).join(', ');
          say(`the client's input ended; gave up after ${graceMs / 1000} s waiting for the answer${left.length === 1 ? '' : 's'} to request${left.length === 1 ? '' : 's'} ${ids}.`);
        }
        socket.end();
      });
    };
    const onInputError = (e: Error): void => {
      failure ??= `reading the client's input failed: ${e.message}`;
      socket.destroy();
    };
    const onOutputError = (e: Error): void => {
      failure ??= `writing to the client failed: ${e.message}`;
      socket.destroy();
    };
    const onSocketError = (e: NodeJS.ErrnoException): void => {
      // A reset or broken pipe is the host going away while bytes were in flight: the close below says so.
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return;
      failure ??= `the connection to the host failed: ${e.message}`;
    };
    const onSocketClose = (): void => {
      const unanswered = gaveUp ? [] : watch.owedIds();
      watch.dispose();
      stdin.unpipe(socket);
      socket.unpipe(stdout);
      stdin.off('data', watch.clientBytes);
      stdin.off('end', onInputEnd);
      stdin.off('error', onInputError);
      stdout.off('error', onOutputError);
      // Leave the input paused so a finished bridge does not keep the process alive.
      stdin.pause();
      if (failure !== undefined) {
        say(failure);
        resolve(1);
      } else if (inputEnded && unanswered.length > 0) {
        say(`the poshpool host at ${options.socketPath} closed the connection before answering request${unanswered.length === 1 ? '' : 's'} ${unanswered.map((id) => JSON.stringify(id)).join(', ')}.`);
        resolve(1);
      } else if (inputEnded) {
        resolve(gaveUp ? 1 : 0);
      } else {
        say(`the poshpool host at ${options.socketPath} closed the connection (it stopped or restarted); reconnect your MCP client.`);
        resolve(1);
      }
    };
    stdin.once('end', onInputEnd);
    stdin.on('error', onInputError);
    stdout.on('error', onOutputError);
    socket.on('error', onSocketError);
    socket.once('close', onSocketClose);
    if (rest.length > 0) {
      watch.hostBytes(rest);
      stdout.write(rest);
    }
    // Host -> client; the client's stdout stays open (it is the process's).
    socket.on('data', watch.hostBytes);
    socket.pipe(stdout, { end: false });
    // Client -> host; the end of input does not end the socket: onInputEnd does, once nothing is owed.
    stdin.on('data', watch.clientBytes);
    stdin.pipe(socket, { end: false });
  });

  // Everything relayed is handed on before the caller exits the process.
  await new Promise<void>((resolve) => {
    if (stdout.destroyed || !stdout.writable) resolve();
    else stdout.write('', () => resolve());
  });
  return code;
}

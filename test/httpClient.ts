/**
 * Test support for the HTTP tests beside it: a real HTTP client over real sockets (node:http and
 * node:net), so status, headers and bytes are what a client sees. Not used by the host itself.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A response as a client received it. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Raw header lines, names as sent. */
  rawHeaders: string[];
  body: string;
}

export interface ClientRequest {
  port: number;
  path: string;
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** Sent as one piece with a Content-Length, or as chunks (chunked encoding) when an array. */
  body?: string | Buffer | Array<string | Buffer>;
  /** False: send no Host header at all. */
  setHost?: boolean;
}

/** Sends one request on a fresh connection and reads the whole response. */
export function send(options: ClientRequest): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers,
        setHost: options.setHost ?? true,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    // A server that answers before reading the whole body may reset the connection afterwards;
    // only an error before the response counts.
    req.on('error', (e) => {
      if (!settled) reject(e);
    });
    const body = options.body;
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** Writes raw bytes on a fresh connection and returns everything the server sends until it closes. */
export function sendRaw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let received = false;
    socket.on('data', (c: Buffer) => {
      received = true;
      chunks.push(c);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', (e) => {
      if (!received) reject(e);
    });
    socket.write(text);
  });
}

/** A response read off a raw connection (Content-Length bodies only). */
export interface RawResponse {
  /** Status line and header lines, as sent. */
  head: string;
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

/** One kept-alive connection on which raw requests are written and responses read one by one. */
export interface RawConnection {
  /** Writes `text` (a request, maybe only its start) and reads the next whole response. */
  exchange(text: string): Promise<RawResponse>;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  destroy(): void;
}

/** Opens a raw connection to 127.0.0.1:`port`. */
export function openConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    let waiter: ((r: RawResponse) => void) | null = null;
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    // Errors after connecting (a reset by the server) end the connection; `closed` reports that.
    socket.on('error', () => undefined);
    const tryParse = (): void => {
      if (waiter === null) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      buffer = buffer.subarray(end + 4 + length);
      const done = waiter;
      waiter = null;
      done({ head, status: Number(head.split(' ')[1]), headers, body });
    };
    socket.on('data', (c: Buffer) => {
      buffer = Buffer.concat([buffer, c]);
      tryParse();
    });
    socket.once('connect', () => {
      resolve({
        exchange: (text) =>
          new Promise<RawResponse>((done, fail) => {
            waiter = done;
            closed.then(() => fail(new Error('connection closed before a whole response arrived')), () => undefined);
            socket.write(text);
            tryParse();
          }),
        closed,
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** Parses the JSON body of a response. */
export function json(res: ClientResponse): unknown {
  return JSON.parse(res.body) as unknown;
}

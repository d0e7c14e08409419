import { get } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../core/events/EventBus.js';
import { CodeIssuer, SESSION_COOKIE_NAME } from './cookie.js';
import { handleEvents } from './events.js';
import { readJsonBody } from './guard.js';
import { HttpServer, sendJson, type HttpServerOptions, type RouteHandler } from './HttpServer.js';
import { json, openConnection, send, sendRaw, type ClientRequest } from '../../../test/httpClient.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF';
const TOKEN_FILE = '/home/someone/.local/share/poshpool/auth/token';
const CAP = 256;

function connectError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('HttpServer', () => {
  let server: HttpServer;
  let sessions: CodeIssuer;
  let logged: string[];
  let bus: EventBus;

  const routes = (): Map<string, RouteHandler> =>
    new Map<string, RouteHandler>([
      ['/ping', (_req, res) => sendJson(res, 200, { pong: true })],
      [
        '/echo',
        async (req, res) => {
          const body = await readJsonBody(req, CAP);
          if (body.ok) sendJson(res, 200, { got: body.body });
          else sendJson(res, body.status, { error: body.message });
        },
      ],
      [
        '/signin',
        (req, res) => {
          const code = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('code') ?? '';
          const redeemed = sessions.redeem(code);
          if (redeemed.ok) sendJson(res, 200, { signedIn: true }, { 'set-cookie': redeemed.setCookie });
          else sendJson(res, 401, { error: redeemed.reason });
        },
      ],
      ['/events', (req, res) => handleEvents(req, res, bus)],
      [
        '/boom',
        () => {
          throw new Error('route bug');
        },
      ],
      ['/slow-boom', () => Promise.reject(new Error('async route bug'))],
    ]);

  const start = (extra: Partial<HttpServerOptions> = {}) =>
    HttpServer.listen({
      port: 0,
      token: TOKEN,
      tokenFile: TOKEN_FILE,
      routes: routes(),
      maxBodyBytes: CAP,
      sessions,
      authExemptPaths: new Set(['/signin']),
      log: (line) => logged.push(line),
      ...extra,
    });

  const call = (options: Omit<ClientRequest, 'port'>) => send({ port: server.port, ...options });
  const authed = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${TOKEN}`, ...extra });

  beforeEach(async () => {
    sessions = new CodeIssuer();
    logged = [];
    bus = new EventBus();
    server = await start();
  });
  afterEach(async () => {
    await server.dispose();
    bus.dispose();
  });

  it('binds 127.0.0.1 only, even when asked for another host', async () => {
    expect(server.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);

    const sneaky = await HttpServer.listen({ ...({ host: '0.0.0.0' } as object), port: 0, token: TOKEN, tokenFile: TOKEN_FILE, routes: routes(), maxBodyBytes: CAP });
    try {
      expect(sneaky.address.address).toBe('127.0.0.1');
      expect(await connectError('::1', sneaky.port)).not.toBe('connected');
      const outward = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4')
        .map((i) => i?.address ?? '');
      for (const address of outward) expect([address, await connectError(address, sneaky.port)]).toEqual([address, 'ECONNREFUSED']);
      expect(await connectError('127.0.0.1', sneaky.port)).toBe('connected');
    } finally {
      await sneaky.dispose();
    }
  });

  it('answers 200 with the right token', async () => {
    const res = await call({ path: '/ping', headers: authed() });
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ pong: true });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const viaLocalhost = await call({ path: '/ping', headers: authed({ host: `localhost:${server.port}` }) });
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses a wrong or missing Host with 403 (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `localhost:${server.port + 1}`, '127.0.0.1']) {
      const res = await call({ path: '/ping', headers: authed({ host }) });
      expect([host, res.status]).toEqual([host, 403]);
      expect((json(res) as { error: string }).error).toContain(`127.0.0.1:${server.port}`);
    }
    const missing = await call({ path: '/ping', headers: authed(), setHost: false });
    expect(missing.status).toBe(403);
    expect((json(missing) as { error: string }).error).toContain('no Host header');
  });

  it('refuses a hostile Origin with 403 and accepts its own', async () => {
    const hostile = await call({ path: '/ping', headers: authed({ origin: 'https://evil.example' }) });
    expect(hostile.status).toBe(403);
    const own = await call({ path: '/ping', headers: authed({ origin: server.url }) });
    expect(own.status).toBe(200);
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate, naming the token file', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN.slice(1)}A` }, { authorization: `Bearer ${TOKEN}${TOKEN}` }]) {
      const res = await call({ path: '/ping', headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="poshpool"$/);
      expect((json(res) as { error: string }).error).toContain(TOKEN_FILE);
    }
  });

  it('guards unknown paths before answering 404', async () => {
    const anonymous = await call({ path: '/nowhere' });
    expect(anonymous.status).toBe(401);
    const res = await call({ path: '/nowhere?x=1', headers: authed() });
    expect(res.status).toBe(404);
    expect((json(res) as { error: string }).error).toContain('Nothing at "/nowhere"');
    expect((json(res) as { error: string }).error).toContain('/ping');
  });

  it('signs in with a one-time code for a cookie that works instead of the token; a forged cookie fails', async () => {
    const code = sessions.issue();
    const signin = await call({ path: `/signin?code=${code}` });
    expect(signin.status).toBe(200);
    const setCookie = signin.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE_NAME}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200$`));
    const cookie = setCookie.split(';')[0] ?? '';

    const withCookie = await call({ path: '/ping', headers: { cookie } });
    expect(withCookie.status).toBe(200);
    const value = cookie.split('=')[1] ?? '';
    const forged = `${SESSION_COOKIE_NAME}=${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
    expect((await call({ path: '/ping', headers: { cookie: forged } })).status).toBe(401);
    expect((await call({ path: '/ping', headers: { cookie: `${SESSION_COOKIE_NAME}=${TOKEN}` } })).status).toBe(401);

    const reused = await call({ path: `/signin?code=${code}` });
    expect(reused.status).toBe(401);
    expect(reused.headers['set-cookie']).toBeUndefined();
    const rebound = await call({ path: `/signin?code=${sessions.issue()}`, headers: { host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    const crossSite = await call({ path: '/ping', headers: { cookie, origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it('refuses a body that is not application/json with 415', async () => {
    for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const headers = contentType === undefined ? authed() : authed({ 'content-type': contentType });
      const res = await call({ path: '/echo', method: 'POST', headers, body: '{"a":1}' });
      expect([contentType, res.status]).toEqual([contentType, 415]);
    }
    const ok = await call({ path: '/echo', method: 'POST', headers: authed({ 'content-type': 'application/json; charset=utf-8' }), body: '{"a":1}' });
    expect(ok.status).toBe(200);
    expect(json(ok)).toEqual({ got: { a: 1 } });
  });

  it('refuses a body over the cap with 413 and keeps serving', async () => {
    const headers = authed({ 'content-type': 'application/json' });
    const declared = await call({ path: '/echo', method: 'POST', headers, body: JSON.stringify('x'.repeat(CAP * 4)) });
    expect(declared.status).toBe(413);
    expect((json(declared) as { error: string }).error).toContain(`larger than ${CAP} bytes`);
    const streamed = await call({ path: '/echo', method: 'POST', headers, body: Array.from({ length: 8 }, () => 'y'.repeat(CAP / 2)) });
    expect(streamed.status).toBe(413);
    const anyRoute = await call({ path: '/ping', method: 'PUT', headers, body: 'z'.repeat(CAP + 1) });
    expect(anyRoute.status).toBe(413);

    const after = await call({ path: '/echo', method: 'POST', headers, body: '{"still":"here"}' });
    expect(json(after)).toEqual({ got: { still: 'here' } });

    const conn = await openConnection(server.port);
    try {
      const big = 'q'.repeat(CAP * 64);
      const head = (n: number) =>
        `POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\n\r\n`;
      expect((await conn.exchange(`${head(big.length)}${big}`)).status).toBe(413);
      const next = await conn.exchange(`${head(7)}{"b":2}`);
      expect([next.status, JSON.parse(next.body)]).toEqual([200, { got: { b: 2 } }]);
    } finally {
      conn.destroy();
    }
  });

  it('refuses malformed JSON with 400 naming the JSON error', async () => {
    const res = await call({ path: '/echo', method: 'POST', headers: authed({ 'content-type': 'application/json' }), body: '{"a": tru' });
    expect(res.status).toBe(400);
    const error = (json(res) as { error: string }).error;
    expect(error).toMatch(/^The request body is not valid JSON \(.*JSON.*\)/);
  });

  it('never puts the token in any part of a 401, 403, 404 or 415 response', async () => {
    const port = server.port;
    const requests = [
      `GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN.slice(0, -2)}xx\r\nConnection: close\r\n\r\n`,
      `GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      `GET /ping HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
      `GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
      `GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${SESSION_COOKIE_NAME}=${TOKEN}\r\nConnection: close\r\n\r\n`,
      `POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
      `GET /missing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    ];
    const statuses: number[] = [];
    for (const request of requests) {
      const raw = await sendRaw(port, request);
      statuses.push(Number(raw.split(' ')[1]));
      expect(raw).not.toContain(TOKEN);
      expect(raw).not.toContain(TOKEN.slice(0, 20));
    }
    expect(statuses).toEqual([401, 401, 403, 403, 401, 415, 404]);
    expect(logged.join('\n')).not.toContain(TOKEN);
  });

  it('refuses an absolute-form request target with 400', async () => {
    const raw = await sendRaw(
      server.port,
      `GET http://127.0.0.1:${server.port}/ping HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(raw).toContain('must be a path');
  });

  it('answers 500 when a route throws or rejects, logs it, and keeps serving', async () => {
    const thrown = await call({ path: '/boom', headers: authed() });
    expect(thrown.status).toBe(500);
    expect((json(thrown) as { error: string }).error).toContain('/boom');
    const rejected = await call({ path: '/slow-boom', headers: authed() });
    expect(rejected.status).toBe(500);
    expect(logged.some((l) => l.includes('route bug'))).toBe(true);
    expect(logged.some((l) => l.includes('async route bug'))).toBe(true);
    expect((await call({ path: '/ping', headers: authed() })).status).toBe(200);
  });

  it('dispose closes the server and cuts open connections, SSE streams included', async () => {
    const port = server.port;
    const idle = await openConnection(port);
    const first = await idle.exchange(`GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    expect(first.status).toBe(200);

    const streamClosed = new Promise<string>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/events', headers: authed(), agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (text.includes(': connected')) bus.emit({ type: 'pool.recovered', downMs: 5 });
          if (text.includes('event: pool.recovered')) void server.dispose();
        });
        res.on('close', () => resolve(text));
      });
      req.on('error', reject);
    });
    const text = await streamClosed;
    expect(text).toContain('id: 1\nevent: pool.recovered\n');
    await server.dispose();
    await idle.closed;
    expect(await connectError('127.0.0.1', port)).toBe('ECONNREFUSED');
    await server.dispose();
  });

  it('rejects a port in use with a message naming it, and bad options with RangeError', async () => {
    await expect(start({ port: server.port })).rejects.toThrow(`Cannot listen on 127.0.0.1:${server.port}`);
    await expect(start({ port: server.port })).rejects.toThrow('pick another port');
    await expect(start({ port: 70_000 })).rejects.toBeInstanceOf(RangeError);
    await expect(start({ port: 1.5 })).rejects.toBeInstanceOf(RangeError);
    await expect(start({ maxBodyBytes: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(start({ token: '' })).rejects.toBeInstanceOf(RangeError);
  });
});

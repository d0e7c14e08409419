import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, isJsonContentType, readJsonBody, type GuardOptions } from './guard.js';
import { json, openConnection, send } from '../../../test/httpClient.js';

const TOKEN = 'T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0k';
const PORT = 4711;
const options: GuardOptions = { token: TOKEN, tokenFile: '/home/u/.local/share/poshpool/auth/token', port: PORT };
const good = { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}` };
const check = (headers: IncomingHttpHeaders, method = 'GET', extra: Partial<GuardOptions> = {}) =>
  checkRequest({ headers, method }, { ...options, ...extra });

describe('checkRequest', () => {
  it('passes a loopback Host with the right bearer token', () => {
    expect(check(good)).toEqual({ ok: true });
    expect(check({ ...good, host: `localhost:${PORT}` })).toEqual({ ok: true });
    expect(check({ ...good, host: `LocalHost:${PORT}` })).toEqual({ ok: true });
    expect(check({ ...good, authorization: `bearer   ${TOKEN} ` })).toEqual({ ok: true });
  });

  it('refuses a missing or foreign Host with 403 (DNS rebinding), before looking at the token', () => {
    for (const host of [undefined, 'evil.example', `evil.example:${PORT}`, '127.0.0.1', `127.0.0.1:${PORT + 1}`, `127.0.0.1.evil:${PORT}`, `[::1]:${PORT}`]) {
      const result = check({ ...good, host });
      expect(result).toMatchObject({ ok: false, status: 403 });
      if (!result.ok) expect(result.message).toContain(`127.0.0.1:${PORT} or localhost:${PORT}`);
    }
    expect(check({ host: 'evil.example' })).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses an Origin other than this server with 403, and accepts its own', () => {
    for (const origin of ['http://evil.example', 'null', `https://127.0.0.1:${PORT}`, `http://127.0.0.1:${PORT + 1}`, `http://127.0.0.1:${PORT}.evil`]) {
      expect(check({ ...good, origin })).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('dashboard') });
    }
    expect(check({ ...good, origin: `http://127.0.0.1:${PORT}` })).toEqual({ ok: true });
    expect(check({ ...good, origin: `http://localhost:${PORT}` })).toEqual({ ok: true });
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate, naming the token file', () => {
    const cases: IncomingHttpHeaders[] = [
      { host: good.host },
      { ...good, authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { ...good, authorization: `Bearer ${TOKEN}x` },
      { ...good, authorization: `Basic ${TOKEN}` },
      { ...good, authorization: TOKEN },
      { ...good, authorization: 'Bearer' },
    ];
    for (const headers of cases) {
      const result = check(headers);
      expect(result).toMatchObject({ ok: false, status: 401, headers: { 'www-authenticate': expect.stringMatching(/^Bearer\b/) } });
      if (result.ok) continue;
      expect(result.message).toContain(options.tokenFile);
      expect(result.message).not.toContain(TOKEN);
    }
  });

  it('accepts a valid session cookie instead of the token, and only a valid one', () => {
    const sessions = { validCookie: (req: { headers: IncomingHttpHeaders }) => req.headers.cookie === 'poshpool_session=good' };
    expect(check({ host: good.host, cookie: 'poshpool_session=good' }, 'GET', { sessions })).toEqual({ ok: true });
    expect(check({ host: good.host, cookie: 'poshpool_session=forged' }, 'GET', { sessions })).toMatchObject({ ok: false, status: 401 });
    expect(check({ host: 'evil.example', cookie: 'poshpool_session=good' }, 'GET', { sessions })).toMatchObject({ ok: false, status: 403 });
  });

  it('lets a self-authenticating route through without a token, still checking Host and Origin', () => {
    expect(check({ host: good.host }, 'GET', { requireAuth: false })).toEqual({ ok: true });
    expect(check({ host: 'evil.example' }, 'GET', { requireAuth: false })).toMatchObject({ status: 403 });
    expect(check({ host: good.host, origin: 'http://evil.example' }, 'GET', { requireAuth: false })).toMatchObject({ status: 403 });
  });

  it('requires application/json on POST, PUT and PATCH (415)', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'post']) {
      expect(check(good, method)).toMatchObject({ ok: false, status: 415, message: expect.stringContaining('no Content-Type') });
      expect(check({ ...good, 'content-type': 'text/plain' }, method)).toMatchObject({ ok: false, status: 415, message: expect.stringContaining('"text/plain"') });
      expect(check({ ...good, 'content-type': 'application/json' }, method)).toEqual({ ok: true });
    }
    expect(check({ ...good, 'content-type': 'application/x-www-form-urlencoded' }, 'POST')).toMatchObject({ status: 415 });
    expect(check(good, 'GET')).toEqual({ ok: true });
    expect(check(good, 'DELETE')).toEqual({ ok: true });
  });

  it('knows the JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=UTF-8')).toBe(true);
    expect(isJsonContentType('application/json;charset="utf-8"')).toBe(true);
    expect(isJsonContentType('application/json; charset=latin1')).toBe(false);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType('application/json, text/plain')).toBe(false);
    expect(isJsonContentType('text/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});

describe('readJsonBody', () => {
  const CAP = 64;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readJsonBody(req, CAP).then((result) => {
        const text = JSON.stringify(result);
        res.writeHead(result.ok ? 200 : result.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: string | Buffer | Array<string | Buffer>) =>
    send({ port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('returns the parsed body', async () => {
    const res = await post('{"command":"Get-Date","n":[1,2]}');
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ ok: true, body: { command: 'Get-Date', n: [1, 2] } });
    const chunked = await post(['{"a":', '"é"}']);
    expect(json(chunked)).toEqual({ ok: true, body: { a: 'é' } });
  });

  it('refuses malformed JSON with 400 naming the JSON error', async () => {
    const res = await post('{"command": ');
    expect(res.status).toBe(400);
    const body = json(res) as { message: string };
    expect(body.message).toMatch(/^The request body is not valid JSON \(.+\)/);
    expect(body.message).toMatch(/JSON/);
    expect((json(await post('')) as { status: number }).status).toBe(400);
    const bad = await post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]));
    expect(json(bad)).toEqual({ ok: false, status: 400, message: expect.stringContaining('not valid UTF-8') });
  });

  it('refuses a body over the cap with 413, by Content-Length or by what arrives, and keeps serving', async () => {
    const declared = await post(`"${'x'.repeat(CAP * 20)}"`);
    expect(declared.status).toBe(413);
    expect((json(declared) as { message: string }).message).toContain(`larger than ${CAP} bytes`);
    const streamed = await post(Array.from({ length: 20 }, () => 'x'.repeat(CAP)));
    expect(streamed.status).toBe(413);
    const exact = await post(`"${'y'.repeat(CAP - 2)}"`);
    expect(json(exact)).toEqual({ ok: true, body: 'y'.repeat(CAP - 2) });
  });

  it('answers 413 on a kept-alive connection, drops the rest of the body and serves the next request there', async () => {
    const conn = await openConnection(port);
    try {
      const big = 'z'.repeat(CAP * 100);
      const head = (length: number | 'chunked') =>
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${length}\r\n\r\n`);
      const first = await conn.exchange(`${head(big.length)}${big}`);
      expect(first.status).toBe(413);
      const chunk = 'w'.repeat(CAP);
      const chunked = Array.from({ length: 10 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
      const second = await conn.exchange(`${head('chunked')}${chunked}`);
      expect(second.status).toBe(413);
      const third = await conn.exchange(`${head(7)}{"a":1}`);
      expect(third.status).toBe(200);
      expect(JSON.parse(third.body)).toEqual({ ok: true, body: { a: 1 } });
    } finally {
      conn.destroy();
    }
  });
});

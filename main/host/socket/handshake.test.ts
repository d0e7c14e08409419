import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAll } from '../../../test/sockets.js';
import {
  acceptHandshake,
  checkHello,
  DEFAULT_MAX_HELLO_BYTES,
  type HandshakeLimits,
  type HandshakeResult,
  offerHandshake,
  tokensMatch,
} from './handshake.js';

const TOKEN = 'tok-3f9a1c0e5b7d4a2e8c6f1b0d9e7a5c3b';

describe('checkHello', () => {
  it('accepts the right token', () => {
    expect(checkHello(JSON.stringify({ poshpool: 1, token: TOKEN }), TOKEN)).toEqual({ ok: true });
  });

  it("takes the bridge's cwd when it is a non-empty string, and ignores it otherwise (older bridges send none)", () => {
    expect(checkHello(JSON.stringify({ poshpool: 1, token: TOKEN, cwd: 'C:\\proj' }), TOKEN)).toEqual({ ok: true, cwd: 'C:\\proj' });
    expect(checkHello(JSON.stringify({ poshpool: 1, token: TOKEN, cwd: 42 }), TOKEN)).toEqual({ ok: true });
    expect(checkHello(JSON.stringify({ poshpool: 1, token: TOKEN, cwd: '' }), TOKEN)).toEqual({ ok: true });
  });

  it('refuses a wrong token without repeating it', () => {
    const wrong = 'guess-1234567890';
    const result = checkHello(JSON.stringify({ poshpool: 1, token: wrong }), TOKEN);
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    if (!result.ok) {
      expect(result.reason).toContain('wrong token');
      expect(result.reason).not.toContain(wrong);
      expect(result.reason).not.toContain(TOKEN);
    }
  });

  it('refuses a line that is not JSON without quoting it', () => {
    const line = `{"poshpool":1,"token":"${TOKEN}"`;
    const result = checkHello(line, TOKEN);
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
    if (!result.ok) expect(result.reason).not.toContain(TOKEN);
  });

  it('refuses other versions, arrays and a missing token', () => {
    expect(checkHello(JSON.stringify({ poshpool: 2, token: TOKEN }), TOKEN)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringContaining('version 2') });
    expect(checkHello(JSON.stringify({ poshpool: TOKEN, token: TOKEN }), TOKEN)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.not.stringContaining(TOKEN) });
    expect(checkHello(JSON.stringify([1, TOKEN]), TOKEN)).toMatchObject({ ok: false, kind: 'invalid' });
    expect(checkHello(JSON.stringify({ poshpool: 1 }), TOKEN)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringContaining('"token"') });
    expect(checkHello(JSON.stringify({ poshpool: 1, token: 42 }), TOKEN)).toMatchObject({ ok: false, kind: 'invalid' });
  });
});

describe('tokensMatch', () => {
  it('is true only for the same token, whatever the lengths', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokensMatch(TOKEN, TOKEN.slice(0, -1))).toBe(false);
    expect(tokensMatch(TOKEN, '')).toBe(false);
    expect(tokensMatch(TOKEN, TOKEN.toUpperCase())).toBe(false);
  });
});


describe('handshake over a real socket', () => {
  let dir: string;
  let sockPath: string;
  let server: net.Server;
  let serverSide: Promise<{ result: HandshakeResult; socket: net.Socket }>;

  async function listen(limits: HandshakeLimits = {}): Promise<void> {
    server = net.createServer({ pauseOnConnect: true });
    serverSide = new Promise((resolve) => {
      server.once('connection', (socket) => {
        socket.on('error', () => {});
        void acceptHandshake(socket, TOKEN, limits).then((result) => resolve({ result, socket }));
      });
    });
    await new Promise<void>((resolve) => server.listen(sockPath, resolve));
  }

  function connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(sockPath, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'pp-hs-'));
    sockPath = process.platform === 'win32' ? `\\\\.\\pipe\\poshpool-test-${randomBytes(8).toString('hex')}` : path.join(dir, 'h.sock');
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('agrees on the right token and keeps the bytes that follow the hello for MCP', async () => {
    await listen();
    const client = await connect();
    const answer = new Promise<string>((resolve) => client.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    client.write(`${JSON.stringify({ poshpool: 1, token: TOKEN })}\n{"jsonrpc":"2.0",`);
    const { result, socket } = await serverSide;
    expect(result).toEqual({ ok: true, rest: Buffer.from('{"jsonrpc":"2.0",') });
    expect(await answer).toBe('{"ok":true}\n');
    client.destroy();
    socket.destroy();
  });

  it('offerHandshake and acceptHandshake agree end to end', async () => {
    await listen();
    const client = await connect();
    const offered = await offerHandshake(client, TOKEN);
    const { result, socket } = await serverSide;
    expect(offered).toEqual({ ok: true, rest: Buffer.alloc(0) });
    expect(result).toEqual({ ok: true, rest: Buffer.alloc(0) });
    client.destroy();
    socket.destroy();
  });

  it("carries the bridge's working directory to the host; one too long for the hello line is left out, not a failure", async () => {
    await listen();
    const client = await connect();
    const offered = await offerHandshake(client, TOKEN, {}, '/home/me/my project');
    expect(offered.ok).toBe(true);
    expect((await serverSide).result).toEqual({ ok: true, rest: Buffer.alloc(0), cwd: '/home/me/my project' });
    client.destroy();
    (await serverSide).socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await listen();
    const second = await connect();
    expect((await offerHandshake(second, TOKEN, {}, `/${'d'.repeat(DEFAULT_MAX_HELLO_BYTES)}`)).ok).toBe(true);
    expect((await serverSide).result).toEqual({ ok: true, rest: Buffer.alloc(0) });
    second.destroy();
    (await serverSide).socket.destroy();
  });

  it('refuses a wrong token, answers why, closes, and never reads on', async () => {
    await listen();
    const client = await connect();
    const received = readAll(client);
    const wrong = 'not-the-token-42';
    client.write(`${JSON.stringify({ poshpool: 1, token: wrong })}\n{"jsonrpc":"2.0","id":1,"method":"ping"}\n`);
    const { result } = await serverSide;
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    const text = await received;
    expect(text).toBe(`${JSON.stringify({ ok: false, reason: "wrong token: read it from the host's token file" })}\n`);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(TOKEN);
  });

  it('tells the client it was refused', async () => {
    await listen();
    const client = await connect();
    client.on('error', () => {});
    const offered = await offerHandshake(client, 'wrong');
    expect(offered).toEqual({ ok: false, kind: 'refused', reason: "the host refused the connection: wrong token: read it from the host's token file" });
    client.destroy();
  });

  it('closes a connection that sends no hello within the limit', async () => {
    await listen({ timeoutMs: 50 });
    const client = await connect();
    const text = await readAll(client);
    expect(JSON.parse(text)).toEqual({ ok: false, reason: 'no hello line within 50 ms' });
    const { result } = await serverSide;
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('closes a connection whose hello is over the size cap, even without a newline', async () => {
    await listen();
    const client = await connect();
    const received = readAll(client);
    client.write('x'.repeat(DEFAULT_MAX_HELLO_BYTES + 100));
    expect(JSON.parse(await received)).toEqual({ ok: false, reason: `the hello line is longer than ${DEFAULT_MAX_HELLO_BYTES} bytes` });
    expect((await serverSide).result).toMatchObject({ ok: false, kind: 'tooLong' });
  });

  /** A right hello padded with spaces to `bytes` bytes, newline included. */
  function paddedHello(bytes: number): string {
    const head = `{"poshpool":1,"token":"${TOKEN}"`;
    return `${head}${' '.repeat(bytes - head.length - 2)}}\n`;
  }

  it('takes a hello of exactly the cap', async () => {
    await listen({ maxLineBytes: 256 });
    const client = await connect();
    const hello = paddedHello(256);
    expect(Buffer.byteLength(hello)).toBe(256);
    client.write(hello);
    const { result, socket } = await serverSide;
    expect(result).toEqual({ ok: true, rest: Buffer.alloc(0) });
    client.destroy();
    socket.destroy();
  });

  it('refuses a hello one byte over the cap', async () => {
    await listen({ maxLineBytes: 256 });
    const client = await connect();
    const received = readAll(client);
    client.write(paddedHello(257));
    expect((await serverSide).result).toMatchObject({ ok: false, kind: 'tooLong' });
    expect(JSON.parse(await received)).toEqual({ ok: false, reason: 'the hello line is longer than 256 bytes' });
  });

  it('reports a client that hangs up before the hello', async () => {
    await listen();
    const client = await connect();
    client.end();
    expect((await serverSide).result).toMatchObject({ ok: false, kind: 'closed' });
  });

  it('lets the client notice a server that is not poshpool', async () => {
    server = net.createServer((socket) => {
      socket.resume();
      socket.end('SSH-2.0-OpenSSH\n');
    });
    await new Promise<void>((resolve) => server.listen(sockPath, resolve));
    const client = await connect();
    client.on('error', () => {});
    const offered = await offerHandshake(client, TOKEN);
    expect(offered).toMatchObject({ ok: false, kind: 'invalid' });
    client.destroy();
  });
});

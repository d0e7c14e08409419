import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SocketTransport } from './SocketTransport.js';

/** Collects what a transport reports. */
function watch(transport: SocketTransport): { messages: JSONRPCMessage[]; errors: Error[]; closes: () => number; next: (count: number) => Promise<void> } {
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  let closes = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  transport.onmessage = (m) => {
    messages.push(m);
    for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve();
  };
  transport.onerror = (e) => errors.push(e);
  transport.onclose = () => void closes++;
  return {
    messages,
    errors,
    closes: () => closes,
    next: (count) => (messages.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
  };
}

/** Reads the JSON lines a socket receives; next(n) waits for n of them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely: errors, results and arrays
function lines(socket: net.Socket): { next: (count: number) => Promise<any[]> } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const got: any[] = [];
  let text = '';
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      got.push(JSON.parse(text.slice(0, nl)));
      text = text.slice(nl + 1);
    }
    for (const w of waiters.filter((x) => got.length >= x.count)) w.resolve();
  });
  return { next: async (count) => {
    if (got.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }));
    return got.slice(0, count);
  } };
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('SocketTransport', () => {
  let dir: string;
  let server: net.Server;
  let serverSocket: net.Socket;
  let clientSocket: net.Socket;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'pp-st-'));
    const at = process.platform === 'win32' ? `\\\\.\\pipe\\poshpool-test-${randomBytes(8).toString('hex')}` : path.join(dir, 't.sock');
    server = net.createServer({ pauseOnConnect: true });
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(at, resolve));
    clientSocket = net.connect(at);
    serverSocket = await accepted;
  });
  afterEach(async () => {
    clientSocket.destroy();
    serverSocket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('carries JSON-RPC messages both ways as JSON lines', async () => {
    const serverEnd = new SocketTransport(serverSocket, { sessionId: 'session-1' });
    const clientEnd = new SocketTransport(clientSocket);
    const atServer = watch(serverEnd);
    const atClient = watch(clientEnd);
    await serverEnd.start();
    await clientEnd.start();
    await clientEnd.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await atServer.next(1);
    await serverEnd.send({ jsonrpc: '2.0', id: 1, result: {} });
    await atClient.next(1);
    expect(atServer.messages).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect(atClient.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect(serverEnd.sessionId).toBe('session-1');
    expect(clientEnd.sessionId).toBeUndefined();
  });

  it('answers every line that is not JSON-RPC (like HTTP does) and keeps reading', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    const answers = lines(clientSocket);
    clientSocket.write('this is not json\n{"jsonrpc":"2.0","id":\n');
    clientSocket.write('{"not":"json-rpc"}\n[1,2\nnull\n\n');
    clientSocket.write('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await seen.next(1);
    const got = await answers.next(5);
    expect(seen.messages).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
    expect(got.map((a) => [a.id, a.error?.code])).toEqual([[null, -32700], [null, -32700], [null, -32600], [null, -32700], [null, -32600]]);
    expect(got[4]!.error!.message).toContain('got null');
    expect(seen.closes()).toBe(0);
  });

  it('answers an invalid request with its id when it has a readable one, and says what is wrong', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    await serverEnd.start();
    const answers = lines(clientSocket);
    clientSocket.write('{"jsonrpc":"1.0","id":3,"method":"ping"}\n{"jsonrpc":"2.0","id":"x","method":5}\n{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}\n');
    clientSocket.write('{"jsonrpc":"2.0","id":4}\n{"jsonrpc":"2.0","id":5,"method":"ping","params":[1]}\n5\n"text"\n');
    const got = await answers.next(7);
    expect(got.map((a) => [a.id, a.error?.code])).toEqual([[3, -32600], ['x', -32600], [null, -32600], [4, -32600], [5, -32600], [null, -32600], [null, -32600]]);
    expect(got.map((a) => a.error!.message)).toEqual([
      expect.stringContaining('"jsonrpc" must be "2.0"'),
      expect.stringContaining('"method" must be a string (got a number)'),
      expect.stringContaining('"id" must be a string or an integer (got an object)'),
      expect.stringContaining('no "method", "result" or "error"'),
      expect.stringContaining('"params" must be an object (got an array)'),
      expect.stringContaining('got a number'),
      expect.stringContaining('got a string'),
    ]);
  });

  it('answers a batch with one array of answers in the order of its requests, and refuses a bad batch whole', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    const answers = lines(clientSocket);
    clientSocket.write('[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":"two","method":"b"}]\n');
    await seen.next(3);
    // Answered out of order: the array still follows the batch.
    await serverEnd.send({ jsonrpc: '2.0', id: 'two', result: { b: true } });
    await serverEnd.send({ jsonrpc: '2.0', id: 1, result: { a: true } });
    clientSocket.write('[]\n[{"jsonrpc":"2.0","id":1,"method":"a"},{"nope":1}]\n[{"jsonrpc":"2.0","id":9,"method":"a"},{"jsonrpc":"2.0","id":9,"method":"b"}]\n');
    const got = await answers.next(4);
    expect(got[0]).toEqual([{ jsonrpc: '2.0', id: 1, result: { a: true } }, { jsonrpc: '2.0', id: 'two', result: { b: true } }]);
    expect(got.slice(1).map((a) => [a.id, a.error?.code])).toEqual([[null, -32600], [null, -32600], [null, -32600]]);
    expect(got[1].error.message).toContain('got 0');
    expect(got[2].error.message).toContain('item 1 of the batch');
    expect(got[3].error.message).toContain('appears twice');
    expect(seen.messages).toHaveLength(3);
  });

  it('reassembles a message split over several chunks and splits several in one chunk', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.write('{"jsonrpc":"2.0",');
    clientSocket.write('"id":1,"method":"a"}\n{"jsonrpc":"2.0","id":2,"method":"b"}\r\n{"jsonrpc":"2.0","method":"c"}\n');
    await seen.next(3);
    expect(seen.messages.map((m) => ('method' in m ? m.method : ''))).toEqual(['a', 'b', 'c']);
  });

  it('reads the bytes that came with the handshake before the socket', async () => {
    const serverEnd = new SocketTransport(serverSocket, { initial: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"first"}\n{"jsonrpc":"2.0",') });
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.write('"id":2,"method":"second"}\n');
    await seen.next(2);
    expect(seen.messages).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'first' },
      { jsonrpc: '2.0', id: 2, method: 'second' },
    ]);
  });

  it('closes once when the peer hangs up, and refuses to send afterwards', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.end();
    await closed(serverSocket);
    expect(seen.closes()).toBe(1);
    await expect(serverEnd.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow('closed');
    await serverEnd.close();
    expect(seen.closes()).toBe(1);
  });

  it('close() flushes what was sent, ends the connection and reports close once', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    let received = '';
    clientSocket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    const peerClosed = closed(clientSocket);
    void serverEnd.send({ jsonrpc: '2.0', method: 'notifications/bye' });
    await serverEnd.close();
    await serverEnd.close();
    await peerClosed;
    expect(received).toBe('{"jsonrpc":"2.0","method":"notifications/bye"}\n');
    expect(seen.closes()).toBe(1);
  });

  it('answers a line over the size cap with an error, drops it unread and keeps the connection', async () => {
    const serverEnd = new SocketTransport(serverSocket, { maxMessageBytes: 1024 });
    const seen = watch(serverEnd);
    await serverEnd.start();
    const answers = lines(clientSocket);
    clientSocket.write('x'.repeat(2048));
    clientSocket.write(`${'y'.repeat(2048)}\n{"jsonrpc":"2.0","id":8,"method":"ping"}\n`);
    await seen.next(1);
    const got = await answers.next(1);
    expect(got[0]).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('longer than 1024 bytes') } });
    expect(seen.messages).toEqual([{ jsonrpc: '2.0', id: 8, method: 'ping' }]);
    expect(seen.closes()).toBe(0);
  });

  it('counts the requests still owed an answer; a cancel releases one', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.write('{"jsonrpc":"2.0","id":1,"method":"a"}\n{"jsonrpc":"2.0","id":2,"method":"b"}\n{"jsonrpc":"2.0","id":3,"method":"c"}\n');
    clientSocket.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}\n');
    await seen.next(4);
    const waiting = serverEnd.whenAnswered(60_000);
    await serverEnd.send({ jsonrpc: '2.0', id: 2, result: {} });
    await serverEnd.send({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'no' } });
    expect(await waiting).toEqual([]);
    clientSocket.write('{"jsonrpc":"2.0","id":4,"method":"d"}\n');
    await seen.next(5);
    expect(await serverEnd.whenAnswered(1)).toEqual([4]);
  });

  it('refuses to start twice', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    await serverEnd.start();
    await expect(serverEnd.start()).rejects.toThrow('already started');
  });

  it('serves an MCP client through the SDK on both ends', async () => {
    const mcp = new McpServer({ name: 'transport-test', version: '1.0.0' });
    mcp.registerTool('echo', { description: 'Echoes its text.', inputSchema: { text: z.string().describe('what to echo') } }, ({ text }) => ({
      content: [{ type: 'text', text: `echo: ${text}` }],
    }));
    await mcp.connect(new SocketTransport(serverSocket, { sessionId: 'session-1' }));
    const client = new Client({ name: 'transport-test-client', version: '1.0.0' });
    await client.connect(new SocketTransport(clientSocket));
    expect(client.getServerVersion()).toEqual({ name: 'transport-test', version: '1.0.0' });
    const result = await client.callTool({ name: 'echo', arguments: { text: 'over a socket' } });
    expect(result.content).toEqual([{ type: 'text', text: 'echo: over a socket' }]);
    await client.close();
    await mcp.close();
  });
});

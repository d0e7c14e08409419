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

  it('reports malformed lines and keeps reading', async () => {
    const serverEnd = new SocketTransport(serverSocket);
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.write('this is not json\n{"jsonrpc":"2.0","id":\n');
    clientSocket.write('{"not":"json-rpc"}\n[1,2\n');
    clientSocket.write('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await seen.next(1);
    expect(seen.messages).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
    expect(seen.errors).toHaveLength(4);
    expect(seen.closes()).toBe(0);
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

  it('cuts off a peer that sends a line over the size cap', async () => {
    const serverEnd = new SocketTransport(serverSocket, { maxMessageBytes: 1024 });
    const seen = watch(serverEnd);
    await serverEnd.start();
    clientSocket.on('error', () => {});
    clientSocket.write('x'.repeat(2048));
    await closed(serverSocket);
    expect(seen.errors.map((e) => e.message)).toEqual(['ReadBuffer exceeded maximum size of 1024 bytes']);
    expect(seen.closes()).toBe(1);
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

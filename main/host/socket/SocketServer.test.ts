import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { offerHandshake } from './handshake.js';
import { SocketServer, type SocketServerOptions } from './SocketServer.js';
import { SocketTransport } from './SocketTransport.js';
import { readAll } from '../../../test/sockets.js';

const TOKEN = randomBytes(32).toString('hex');
const onPosix = process.platform !== 'win32';

/** A tiny MCP server with one `echo` tool that names the connection it runs on. */
function echoServer(label: string): McpServer {
  const server = new McpServer({ name: 'socket-test', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes its text.', inputSchema: { text: z.string().describe('what to echo') }, annotations: { readOnlyHint: true } },
    ({ text }) => ({ content: [{ type: 'text', text: `${label}: ${text}` }] }),
  );
  return server;
}


function rawConnect(at: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(at, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('SocketServer', () => {
  let root: string;
  let sockPath: string;
  let host: SocketServer | undefined;
  let connections: SocketTransport[];
  let logs: string[];

  async function startHost(overrides: Partial<SocketServerOptions> = {}): Promise<SocketServer> {
    const result = await SocketServer.listen({
      path: sockPath,
      token: TOKEN,
      log: (line) => logs.push(line),
      onConnection: (transport) => {
        connections.push(transport);
        void echoServer(`conn${connections.length}`).connect(transport);
      },
      ...overrides,
    });
    if (!result.ok) throw new Error(result.reason);
    host = result.server;
    return result.server;
  }

  async function mcpClient(token = TOKEN): Promise<Client> {
    const socket = await rawConnect(sockPath);
    const shaken = await offerHandshake(socket, token);
    if (!shaken.ok) throw new Error(shaken.reason);
    const client = new Client({ name: 'socket-test-client', version: '1.0.0' });
    await client.connect(new SocketTransport(socket, { initial: shaken.rest }));
    return client;
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(tmpdir(), 'pp-ss-'));
    sockPath = onPosix ? path.join(root, `poshpool-${process.getuid?.()}`, 'host.sock') : `\\\\.\\pipe\\poshpool-test-${randomBytes(16).toString('hex')}`;
    host = undefined;
    connections = [];
    logs = [];
  });
  afterEach(async () => {
    await host?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves initialize and tools/call to a client with the right token', async () => {
    await startHost();
    const client = await mcpClient();
    expect(client.getServerVersion()).toMatchObject({ name: 'socket-test', version: '1.0.0' });
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    expect(result.content).toEqual([{ type: 'text', text: 'conn1: hello' }]);
    expect(connections).toHaveLength(1);
    expect(connections[0]?.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await client.close();
  });

  it('refuses a wrong token before any MCP byte: no connection handed on, no MCP answer', async () => {
    await startHost();
    const socket = await rawConnect(sockPath);
    const received = readAll(socket);
    const wrong = 'wrong-token-0123456789';
    const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    socket.write(`${JSON.stringify({ poshpool: 1, token: wrong })}\n${JSON.stringify(initialize)}\n`);
    const text = await received;
    expect(text.split('\n')).toEqual([JSON.stringify({ ok: false, reason: "wrong token: read it from the host's token file" }), '']);
    expect(connections).toHaveLength(0);
    expect(logs).toEqual([`poshpool: refused a connection on ${sockPath}: wrong token: read it from the host's token file`]);
    expect(logs.join('\n')).not.toContain(wrong);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('notes refused connections throttled: the first at once, the rest as one count, not a line each', async () => {
    await startHost();
    for (let i = 0; i < 20; i++) {
      const socket = await rawConnect(sockPath);
      const received = readAll(socket);
      socket.write(`${JSON.stringify({ poshpool: 1, token: 'wrong' })}\n`);
      await received;
    }
    expect(logs).toEqual([`poshpool: refused a connection on ${sockPath}: wrong token: read it from the host's token file`]);
    await host!.dispose();
    expect(logs).toHaveLength(2);
    expect(logs[1]).toContain(`refused 19 more connections on ${sockPath}`);
  });

  it('closes a connection that sends no hello within the limit', async () => {
    await startHost({ handshake: { timeoutMs: 50 } });
    const socket = await rawConnect(sockPath);
    const text = await readAll(socket);
    expect(JSON.parse(text)).toEqual({ ok: false, reason: 'no hello line within 50 ms' });
    expect(connections).toHaveLength(0);
  });

  it('closes a connection whose hello is oversized', async () => {
    await startHost();
    const socket = await rawConnect(sockPath);
    const received = readAll(socket);
    socket.write(`{"poshpool":1,"token":"${'a'.repeat(8000)}"}\n`);
    expect(JSON.parse(await received)).toEqual({ ok: false, reason: 'the hello line is longer than 4096 bytes' });
    expect(connections).toHaveLength(0);
  });

  it('answers malformed lines with JSON-RPC errors and still serves the valid request after them', async () => {
    await startHost();
    const socket = await rawConnect(sockPath);
    const shaken = await offerHandshake(socket, TOKEN);
    expect(shaken.ok).toBe(true);
    let received = '';
    socket.resume();
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.split('\n').length > 4) resolve();
      }),
    );
    const initialize = { jsonrpc: '2.0', id: 41, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    socket.write(`garbage\n{"jsonrpc":\n\n[]\n${JSON.stringify(initialize)}\n`);
    await answered;
    const replies = received.split('\n').slice(0, 4).map((l) => JSON.parse(l) as { id: number | null; error?: { code: number }; result: { serverInfo: { name: string } } });
    expect(replies.slice(0, 3).map((r) => [r.id, r.error?.code])).toEqual([[null, -32700], [null, -32700], [null, -32600]]);
    const reply = replies[3]!;
    expect(reply.id).toBe(41);
    expect(reply.result.serverInfo.name).toBe('socket-test');
    socket.destroy();
  });

  it('keeps two concurrent connections apart, though they use the same JSON-RPC ids', async () => {
    await startHost();
    const [a, b] = await Promise.all([mcpClient(), mcpClient()]);
    const calls = await Promise.all(
      Array.from({ length: 5 }, (_, i) => [
        a.callTool({ name: 'echo', arguments: { text: `a${i}` } }),
        b.callTool({ name: 'echo', arguments: { text: `b${i}` } }),
      ]).flat(),
    );
    const texts = calls.map((r) => (r.content as Array<{ text: string }>)[0]?.text ?? '');
    const labelOf = (prefix: string): string => texts.find((t) => t.endsWith(`: ${prefix}0`))?.split(':')[0] ?? '';
    const labelA = labelOf('a');
    const labelB = labelOf('b');
    expect(new Set([labelA, labelB])).toEqual(new Set(['conn1', 'conn2']));
    expect(texts).toEqual(Array.from({ length: 5 }, (_, i) => [`${labelA}: a${i}`, `${labelB}: b${i}`]).flat());
    expect(host?.connectionCount).toBe(2);
    await a.close();
    await b.close();
  });

  it('dispose() drops every connection and the socket, and is idempotent', async () => {
    const server = await startHost();
    const client = await mcpClient();
    let clientClosed = 0;
    client.onclose = () => void clientClosed++;
    const pending = await rawConnect(sockPath);
    const pendingText = readAll(pending);
    await Promise.all([server.dispose(), server.dispose()]);
    await pendingText;
    expect(server.connectionCount).toBe(0);
    expect(clientClosed).toBe(1);
    if (onPosix) expect(fs.existsSync(sockPath)).toBe(false);
    const again = await rawConnect(sockPath).then(
      (s) => (s.destroy(), 'connected'),
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(['ENOENT', 'ECONNREFUSED']).toContain(again);
  });

  it('drops a connection whose handler throws, says so, and keeps serving others', async () => {
    let calls = 0;
    await startHost({
      onConnection: (transport) => {
        calls++;
        if (calls === 1) throw new Error('handler exploded');
        void echoServer('conn2').connect(transport);
      },
    });
    const socket = await rawConnect(sockPath);
    const received = readAll(socket);
    expect(await offerHandshake(socket, TOKEN)).toEqual({ ok: true, rest: Buffer.alloc(0) });
    socket.resume();
    await received;
    expect(logs).toEqual(['poshpool: the connection handler failed: handler exploded']);
    const client = await mcpClient();
    const result = await client.callTool({ name: 'echo', arguments: { text: 'next' } });
    expect(result.content).toEqual([{ type: 'text', text: 'conn2: next' }]);
    await client.close();
  });

  it('refuses an empty token', async () => {
    const result = await SocketServer.listen({ path: sockPath, token: '', onConnection: () => {} });
    expect(result).toEqual({ ok: false, reason: 'the socket server needs a non-empty token.' });
  });

  it('refuses to listen where another host already listens', async () => {
    await startHost();
    const second = await SocketServer.listen({ path: sockPath, token: TOKEN, onConnection: () => {}, log: () => {} });
    expect(second.ok).toBe(false);
    const client = await mcpClient();
    const result = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
    expect(result.content).toEqual([{ type: 'text', text: 'conn1: still here' }]);
    await client.close();
  });

  describe.runIf(onPosix)('on disk (POSIX-only: a Unix socket file, its modes and symlinks; Windows uses a named pipe)', () => {
    const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

    it('makes the socket 0600 in a 0700 directory', async () => {
      await startHost();
      expect(fs.lstatSync(sockPath).isSocket()).toBe(true);
      expect(modeOf(sockPath)).toBe(0o600);
      expect(modeOf(path.dirname(sockPath))).toBe(0o700);
    });

    it('refuses a symlinked socket directory', async () => {
      const real = path.join(root, 'elsewhere');
      fs.mkdirSync(real, { mode: 0o700 });
      fs.symlinkSync(real, path.dirname(sockPath));
      const result = await SocketServer.listen({ path: sockPath, token: TOKEN, onConnection: () => {} });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain('symlink');
      expect(fs.readdirSync(real)).toEqual([]);
    });

    it('refuses a regular file at the socket path and leaves it as it was', async () => {
      fs.mkdirSync(path.dirname(sockPath), { mode: 0o700 });
      fs.writeFileSync(sockPath, 'not a socket');
      const result = await SocketServer.listen({ path: sockPath, token: TOKEN, onConnection: () => {} });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain('not a socket');
      expect(fs.readFileSync(sockPath, 'utf8')).toBe('not a socket');
    });

    it('replaces a stale socket left by a host that died', async () => {
      const dir = path.dirname(sockPath);
      fs.mkdirSync(dir, { mode: 0o700 });
      const other = net.createServer();
      const live = path.join(dir, 'dead.sock');
      await new Promise<void>((resolve) => other.listen(live, resolve));
      fs.linkSync(live, sockPath);
      await new Promise<void>((resolve) => other.close(() => resolve()));
      await startHost();
      const client = await mcpClient();
      const result = await client.callTool({ name: 'echo', arguments: { text: 'fresh' } });
      expect(result.content).toEqual([{ type: 'text', text: 'conn1: fresh' }]);
      await client.close();
    });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpMcpTransport } from './HttpMcpTransport.js';

/** A node:http server with one MCP session per initialize, each on its own HttpMcpTransport. */
async function serve(): Promise<{ url: string; server: Server; transports: HttpMcpTransport[] }> {
  const transports: HttpMcpTransport[] = [];
  const byId = new Map<string, HttpMcpTransport>();
  let n = 0;
  const server = createServer((req, res) => {
    void (async () => {
      let body: unknown;
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      }
      const sid = req.headers['mcp-session-id'];
      let t = typeof sid === 'string' ? byId.get(sid) : undefined;
      if (!t) {
        t = new HttpMcpTransport(`s${++n}`);
        transports.push(t);
        byId.set(t.sessionId, t);
        const mcp = new McpServer({ name: 't', version: '1' }, { capabilities: { logging: {} } });
        mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
        mcp.registerTool('slow', { inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
          const token = extra._meta?.progressToken;
          for (let i = 1; i <= steps; i++) {
            await new Promise((r) => setTimeout(r, 5));
            if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
          }
          return { content: [{ type: 'text', text: `done ${steps}` }] };
        });
        mcp.registerTool('announce', { inputSchema: {} }, async () => {
          await mcp.server.sendLoggingMessage({ level: 'info', data: 'unrelated to any request' });
          return { content: [{ type: 'text', text: 'ok' }] };
        });
        mcp.registerTool('hang', { inputSchema: {} }, () => new Promise<CallToolResult>(() => undefined));
        await mcp.connect(t);
      }
      await t.handle(req, res, body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server, transports };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('HttpMcpTransport (Streamable HTTP on node:http)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function started(): Promise<Awaited<ReturnType<typeof serve>>> {
    const s = await serve();
    cleanup.push(() => new Promise<void>((r) => { s.server.closeAllConnections(); s.server.close(() => r()); }));
    return s;
  }

  async function client(url: string): Promise<Client> {
    const c = new Client({ name: 'c', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(url)));
    cleanup.push(() => c.close());
    return c;
  }

  it('answers a plain tool call with a JSON body, which the SDK client reads', async () => {
    const { url } = await started();
    const c = await client(url);
    const r = (await c.callTool({ name: 'echo', arguments: { text: 'hi' } })) as CallToolResult;
    expect(r.content).toEqual([{ type: 'text', text: 'hi' }]);
    // The same call by hand: the answer is application/json, not an event stream.
    const raw = await started();
    const first = await fetch(raw.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    expect(first.headers.get('content-type')).toBe('application/json');
    const sid = first.headers.get('mcp-session-id')!;
    expect(sid).toMatch(/^s\d+$/);
    expect(((await first.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-06-18');
    const call = await post(raw.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }, { 'mcp-session-id': sid });
    expect(call.type).toBe('application/json');
    expect(JSON.parse(call.text)).toMatchObject({ id: 1, result: { content: [{ type: 'text', text: 'x' }] } });
  });

  it('turns the answer into an event stream when progress must go first, and the client gets every step', async () => {
    const { url } = await started();
    const c = await client(url);
    const steps: number[] = [];
    const r = (await c.callTool({ name: 'slow', arguments: { steps: 3 } }, undefined, { onprogress: (p) => steps.push(p.progress) })) as CallToolResult;
    expect(steps).toEqual([1, 2, 3]);
    expect(r.content).toEqual([{ type: 'text', text: 'done 3' }]);
  });

  it('sends messages tied to no request on the GET stream the client opened', async () => {
    const { url } = await started();
    const c = await client(url);
    const logs: unknown[] = [];
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
    await c.setLoggingLevel('info');
    // The SDK client opens the GET stream after initialize; give it a moment to be there.
    await expect.poll(async () => {
      await c.callTool({ name: 'announce', arguments: {} });
      return logs.length;
    }, { timeout: 5000 }).toBeGreaterThan(0);
    expect(logs[0]).toBe('unrelated to any request');
  });

  it('answers a batch with a batch, in the order asked, and notifications alone with 202', async () => {
    const { url } = await started();
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    const sid = first.headers.get('mcp-session-id')!;
    const h = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    expect((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, h)).status).toBe(202);
    const batch = await post(url, [
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'slow', arguments: { steps: 2 } } },
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'echo', arguments: { text: 'first done' } } },
    ], h);
    expect(batch.status).toBe(200);
    expect((JSON.parse(batch.text) as { id: string }[]).map((m) => m.id)).toEqual(['b', 'a']);
  });

  it('refuses what is not MCP with a status and a message that says what to send', async () => {
    const { url } = await started();
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    const sid = first.headers.get('mcp-session-id')!;
    const h = { 'mcp-session-id': sid };
    const notRpc = await post(url, { hello: 1 }, h);
    expect(notRpc.status).toBe(400);
    expect(notRpc.text).toContain('Not a JSON-RPC 2.0 message');
    // As over the socket: an invalid request is answered with its id when it has one, and what is wrong.
    const noMethod = await post(url, { jsonrpc: '2.0', id: 5, method: 7 }, h);
    expect(JSON.parse(noMethod.text)).toMatchObject({ id: 5, error: { code: -32600, message: expect.stringContaining('"method" must be a string') } });
    expect(JSON.parse((await post(url, null, h)).text)).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('got null') } });
    const again = await post(url, init, h);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already initialized');
    const empty = await post(url, [], h);
    expect(empty.status).toBe(400);
    const version = await post(url, { jsonrpc: '2.0', id: 5, method: 'tools/list' }, { ...h, 'mcp-protocol-version': '1999-01-01' });
    expect(version.status).toBe(400);
    expect(version.text).toContain('Unsupported MCP-Protocol-Version');
    const accept = await post(url, { jsonrpc: '2.0', id: 6, method: 'tools/list' }, { ...h, accept: 'text/html' });
    expect(accept.status).toBe(406);
    const put = await fetch(url, { method: 'PUT', headers: h });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('on close, answers a request still running with an error instead of leaving it open', async () => {
    const { url, transports } = await started();
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    const sid = first.headers.get('mcp-session-id')!;
    const pending = post(url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'hang', arguments: {} } }, { 'mcp-session-id': sid });
    await new Promise((r) => setTimeout(r, 50));
    await transports[0]!.close();
    const r = await pending;
    expect(JSON.parse(r.text)).toMatchObject({ id: 9, error: { message: 'The MCP session ended before this request was answered.' } });
    expect((await post(url, { jsonrpc: '2.0', id: 10, method: 'tools/list' }, { 'mcp-session-id': sid })).status).toBe(404);
  });

  it('DELETE ends the session', async () => {
    const { url, transports } = await started();
    const first = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    const sid = first.headers.get('mcp-session-id')!;
    let closed = false;
    const t = transports[0]!;
    const prior = t.onclose;
    t.onclose = () => { closed = true; prior?.(); };
    const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
    expect(del.status).toBe(200);
    expect(closed).toBe(true);
    expect(t.isInitialized).toBe(false);
  });
});

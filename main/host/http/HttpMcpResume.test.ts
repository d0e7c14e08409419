import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpMcpTransport } from './HttpMcpTransport.js';
import { SseEventStore } from './sseEventStore.js';

// Resumable event streams with the SDK's own client (StreamableHTTPClientTransport), which reconnects
// with Last-Event-ID by itself: the server side of a stream's connection is destroyed mid-way, and the
// client still gets every message exactly once.

interface Served {
  url: string;
  server: Server;
  /** Every GET /mcp, with its connection and its Last-Event-ID. */
  gets: Array<{ socket: Socket; lastEventId: string | undefined }>;
  /** The connection of each tools/call POST, by tool name. */
  posts: Map<string, Socket>;
  /** Lets a `gated` tool call go on. */
  open: () => void;
}

async function serve(): Promise<Served> {
  const byId = new Map<string, HttpMcpTransport>();
  const gets: Served['gets'] = [];
  const posts = new Map<string, Socket>();
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      let body: unknown;
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const name = (body as { params?: { name?: string } }).params?.name;
        if (name) posts.set(name, req.socket);
      }
      if (req.method === 'GET') gets.push({ socket: req.socket, lastEventId: req.headers['last-event-id'] as string | undefined });
      const sid = req.headers['mcp-session-id'];
      let t = typeof sid === 'string' ? byId.get(sid) : undefined;
      if (!t) {
        t = new HttpMcpTransport(`s${++n}`);
        byId.set(t.sessionId, t);
        const mcp = new McpServer({ name: 't', version: '1' }, { capabilities: { logging: {} } });
        mcp.registerTool('burst', { inputSchema: { count: z.number(), gapMs: z.number() } }, async ({ count, gapMs }) => {
          for (let i = 1; i <= count; i++) {
            await mcp.server.sendLoggingMessage({ level: 'info', data: `n${i}` });
            await new Promise((r) => setTimeout(r, gapMs));
          }
          return { content: [{ type: 'text', text: 'sent' }] };
        });
        mcp.registerTool('gated', { inputSchema: {} }, async (_args, extra) => {
          const token = extra._meta?.progressToken;
          if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 1 } });
          await gate;
          gate = new Promise<void>((r) => (release = r));
          return { content: [{ type: 'text', text: 'through the gate' }] };
        });
        await mcp.connect(t);
      }
      await t.handle(req, res, body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server, gets, posts, open: () => release() };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  await expect.poll(check, { timeout: ms, interval: 5 }).toBe(true);
}

describe('HttpMcpTransport: resumable event streams (Last-Event-ID)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function started(): Promise<Served> {
    const s = await serve();
    cleanup.push(() => new Promise<void>((r) => { s.server.closeAllConnections(); s.server.close(() => r()); }));
    return s;
  }

  async function client(url: string): Promise<Client> {
    const c = new Client({ name: 'c', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      reconnectionOptions: { initialReconnectionDelay: 20, maxReconnectionDelay: 100, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    await c.connect(transport);
    cleanup.push(() => c.close());
    return c;
  }

  it('the GET stream cut mid-way while notifications are sent: after the client reconnects it has every one exactly once, in order', async () => {
    const s = await started();
    const c = await client(s.url);
    const logs: string[] = [];
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    await until(() => s.gets.length === 1);
    const call = c.callTool({ name: 'burst', arguments: { count: 60, gapMs: 3 } });
    await until(() => logs.length >= 10);
    s.gets[0]!.socket.destroy();
    await call;
    await until(() => logs.length >= 60);
    // Anything late would show up here as a duplicate.
    await c.ping();
    expect(logs).toEqual(Array.from({ length: 60 }, (_, i) => `n${i + 1}`));
    expect(s.gets.length).toBeGreaterThanOrEqual(2);
    expect(s.gets[1]!.lastEventId).toMatch(/^get\.\d+$/);
  });

  it('a request stream cut before its answer: the request goes on and the client gets the answer on resuming', async () => {
    const s = await started();
    const c = await client(s.url);
    const progress: number[] = [];
    const call = c.callTool({ name: 'gated', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    await until(() => progress.length === 1);
    const getsBefore = s.gets.length;
    s.posts.get('gated')!.destroy();
    // The client resumes the request's stream with a GET naming its last event.
    await until(() => s.gets.some((g, i) => i >= getsBefore && /^r\d+\.\d+$/.test(g.lastEventId ?? '')));
    s.open();
    const r = (await call) as CallToolResult;
    expect(r.content).toEqual([{ type: 'text', text: 'through the gate' }]);
    expect(progress).toEqual([1]);
  });

  it('a resume from before what the session keeps gets what is kept, then a warning that events were lost', async () => {
    const s = await started();
    const head = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const first = await fetch(s.url, { method: 'POST', headers: head, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    const h = { 'mcp-session-id': first.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    await fetch(s.url, { method: 'POST', headers: { ...head, ...h }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const aborted = new AbortController();
    const stream = await fetch(s.url, { headers: { accept: 'text/event-stream', ...h }, signal: aborted.signal });
    const reader = stream.body!.getReader();
    const priming = new TextDecoder().decode((await reader.read()).value);
    const primingId = /^id: (get\.\d+)$/m.exec(priming)![1]!;
    aborted.abort();
    await until(() => s.gets[0]!.socket.destroyed);
    await fetch(s.url, { method: 'POST', headers: { ...head, ...h }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'burst', arguments: { count: 1005, gapMs: 0 } } }) });
    const again = new AbortController();
    const resumed = await fetch(s.url, { headers: { accept: 'text/event-stream', ...h, 'last-event-id': primingId }, signal: again.signal });
    const r2 = resumed.body!.getReader();
    let text = '';
    while (!text.includes('were lost')) text += new TextDecoder().decode((await r2.read()).value);
    again.abort();
    const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { params: { data: string; level: string } });
    // The bound is 1000 events: the priming event and n1..n5 were dropped.
    expect(data).toHaveLength(1001);
    expect(data[0]!.params.data).toBe('n6');
    expect(data[999]!.params.data).toBe('n1005');
    expect(data[1000]!.params).toMatchObject({ level: 'warning', data: expect.stringContaining('keeps only its last 1000 events') });
  });

  it('refuses a Last-Event-ID that names no event of the session, saying to open the stream without it', async () => {
    const s = await started();
    const c = await client(s.url);
    await until(() => s.gets.length === 1);
    const sid = (c as unknown as { _transport: StreamableHTTPClientTransport })._transport.sessionId!;
    for (const id of ['nonsense', 'get.999999', 'r77.1']) {
      const r = await fetch(s.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'last-event-id': id } });
      expect(r.status).toBe(400);
      expect(await r.text()).toContain('open the event stream without it');
    }
  });
});

describe('SseEventStore', () => {
  it('replays the events of one stream after an id, and says when some were dropped for the bound', () => {
    const store = new SseEventStore(5, 1_000_000);
    const ids = Array.from({ length: 8 }, (_, i) => store.add(i % 2 === 0 ? 'get' : 'r1', `m${i}`));
    expect(ids[0]).toBe('get.1');
    expect(SseEventStore.parseId('r1.8')).toEqual({ stream: 'r1', seq: 8 });
    expect(SseEventStore.parseId('r1.x')).toBeUndefined();
    // Kept: the newest 5 (seq 4..8). From get.5 nothing of get was dropped after it.
    expect(store.after('get', 5)).toEqual({ events: [{ id: 'get.7', data: 'm6' }], missed: false });
    // From get.1: get.3 was dropped.
    expect(store.after('get', 1)).toEqual({ events: [{ id: 'get.5', data: 'm4' }, { id: 'get.7', data: 'm6' }], missed: true });
    expect(store.after('r1', 4).events.map((e) => e.id)).toEqual(['r1.6', 'r1.8']);
  });

  it('keeps at most its byte bound, but always the newest event', () => {
    const store = new SseEventStore(100, 10);
    store.add('get', '123456');
    store.add('get', '123456');
    expect(store.after('get', 0)).toEqual({ events: [{ id: 'get.2', data: '123456' }], missed: true });
    store.add('get', 'x'.repeat(50));
    expect(store.after('get', 2).events).toHaveLength(1);
  });
});

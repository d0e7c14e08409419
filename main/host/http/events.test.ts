import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import type { Disposable } from '../../core/events/Emitter.js';
import { EventBus } from '../../core/events/EventBus.js';
import { handleEvents, type EventFeed, type EventStreamOptions } from './events.js';
import { HttpServer } from './HttpServer.js';
import { json, send } from '../../../test/httpClient.js';

const TOKEN = 'events-test-token-events-test-token-events-t';

/** The bus, counting live subscriptions so a test can see the stream subscribe and unsubscribe. */
class CountingFeed implements EventFeed {
  active = 0;
  constructor(private readonly bus: EventBus) {}
  onEvent(listener: (event: PoshpoolEvent) => void): Disposable {
    this.active++;
    const inner = this.bus.onEvent(listener);
    let live = true;
    return {
      dispose: () => {
        if (!live) return;
        live = false;
        this.active--;
        inner.dispose();
      },
    };
  }
}

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comments: string[];
}

function parseFrames(text: string): Frame[] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const frame: Frame = { comments: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data = line.slice(6);
      }
      return frame;
    });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

interface Stream {
  res: IncomingMessage;
  text(): string;
  events(): Frame[];
  ended: Promise<void>;
  close(): void;
}

function openStream(port: number, path: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}` }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({
        res,
        text: () => text,
        events: () => parseFrames(text).filter((f) => f.event !== undefined),
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

describe('handleEvents', () => {
  let bus: EventBus;
  let feed: CountingFeed;
  let server: HttpServer;
  let streamOptions: EventStreamOptions;

  beforeEach(async () => {
    bus = new EventBus(() => 1234);
    feed = new CountingFeed(bus);
    streamOptions = {};
    server = await HttpServer.listen({
      port: 0,
      token: TOKEN,
      tokenFile: '/tmp/token',
      maxBodyBytes: 1024,
      routes: new Map([['/events', (req, res) => handleEvents(req, res, feed, streamOptions)]]),
    });
  });
  afterEach(async () => {
    await server.dispose();
    bus.dispose();
  });

  it('delivers bus events in order as id/event/data frames, and stops on dispose', async () => {
    const stream = await openStream(server.port, '/events');
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers['cache-control']).toBe('no-store');
    await until(() => stream.text().includes(': connected'));
    expect(feed.active).toBe(1);

    bus.emit({ type: 'pool.degraded', reason: 'no pwsh', failures: 3 });
    bus.emit({ type: 'session.started', sessionId: 's1', clientId: 'c1', pid: 42, kind: 'session' });
    bus.emit({ type: 'pool.recovered', downMs: 900 });
    await until(() => stream.events().length === 3);
    const frames = stream.events();
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['1', 'pool.degraded'],
      ['2', 'session.started'],
      ['3', 'pool.recovered'],
    ]);
    expect(frames.map((f) => JSON.parse(f.data ?? 'null') as unknown)).toEqual([
      { type: 'pool.degraded', reason: 'no pwsh', failures: 3, time: 1234 },
      { type: 'session.started', sessionId: 's1', clientId: 'c1', pid: 42, kind: 'session', time: 1234 },
      { type: 'pool.recovered', downMs: 900, time: 1234 },
    ]);
    expect(stream.text()).toContain('id: 1\nevent: pool.degraded\ndata: {"type":"pool.degraded","reason":"no pwsh","failures":3,"time":1234}\n\n');

    await server.dispose();
    await stream.ended;
    expect(feed.active).toBe(0);
  });

  it('keeps a data line single even when a field holds newlines', async () => {
    const stream = await openStream(server.port, '/events');
    await until(() => stream.text().includes(': connected'));
    bus.emit({ type: 'request.rejected', requestId: 'r', clientId: 'c', reason: 'line one\nline two\r\n\ndata: fake' });
    await until(() => stream.events().length === 1);
    const frame = stream.events()[0];
    expect(JSON.parse(frame?.data ?? 'null')).toMatchObject({ reason: 'line one\nline two\r\n\ndata: fake' });
    stream.close();
  });

  it('filters by ?types=a,b, numbering the frames it sends', async () => {
    const stream = await openStream(server.port, '/events?types=pool.recovered,session.ended');
    await until(() => stream.text().includes(': connected'));
    bus.emit({ type: 'pool.degraded', reason: 'x', failures: 1 });
    bus.emit({ type: 'pool.recovered', downMs: 1 });
    bus.emit({ type: 'session.started', sessionId: 's', clientId: 'c', pid: null, kind: 'session' });
    bus.emit({ type: 'session.ended', sessionId: 's', clientId: 'c', reason: 'ended', detail: '' });
    await until(() => stream.events().length === 2);
    expect(stream.events().map((f) => [f.id, f.event])).toEqual([
      ['1', 'pool.recovered'],
      ['2', 'session.ended'],
    ]);
    stream.close();
  });

  it('refuses unknown types with 400 naming them, without subscribing', async () => {
    const res = await send({ port: server.port, path: '/events?types=pool.recovered,pool.exploded', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect((json(res) as { error: string }).error).toContain('Unknown event type "pool.exploded"');
    expect((json(res) as { error: string }).error).toContain('pool.recovered');
    expect(feed.active).toBe(0);
  });

  it('answers only GET (405 otherwise)', async () => {
    const res = await send({ port: server.port, path: '/events', method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(feed.active).toBe(0);
  });

  it('is guarded like every route: no token, no stream', async () => {
    const res = await send({ port: server.port, path: '/events' });
    expect(res.status).toBe(401);
    expect(feed.active).toBe(0);
  });

  it('sends a comment heartbeat at the configured interval', async () => {
    streamOptions = { heartbeatMs: 10 };
    const stream = await openStream(server.port, '/events');
    await until(() => stream.text().includes(': heartbeat\n\n'));
    expect(stream.events()).toEqual([]);
    stream.close();
  });

  it('unsubscribes from the bus when the client goes away', async () => {
    const stream = await openStream(server.port, '/events');
    await until(() => feed.active === 1);
    stream.close();
    await until(() => feed.active === 0);
    bus.emit({ type: 'pool.recovered', downMs: 1 });
    expect(feed.active).toBe(0);
  });

  it('drops a client that stops reading after a bounded buffer, ending with an overflow frame', async () => {
    streamOptions = { maxBufferedEvents: 4, overflowGraceMs: 60_000 };
    const stream = await openStream(server.port, '/events');
    await until(() => stream.text().includes(': connected'));
    stream.res.pause();

    const big = 'x'.repeat(64 * 1024);
    let emitted = 0;
    while (feed.active === 1 && emitted < 20_000) {
      for (let i = 0; i < 50 && feed.active === 1; i++) {
        bus.emit({ type: 'command.started', sessionId: 's', clientId: 'c', seq: emitted, command: big, commandChars: big.length, jobId: null });
        emitted++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(feed.active).toBe(0);

    stream.res.resume();
    await stream.ended;
    const frames = parseFrames(stream.text());
    const last = frames.at(-1);
    expect(last?.event).toBe('overflow');
    expect(last?.comments).toEqual(['overflow']);
    expect(JSON.parse(last?.data ?? 'null')).toMatchObject({ maxBufferedEvents: 4, reason: expect.stringContaining('too slowly') });
    const delivered = frames.filter((f) => f.event === 'command.started');
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(emitted);
    expect(delivered.map((f) => Number(f.id))).toEqual(delivered.map((_, i) => i + 1));
    expect(delivered.map((f) => (JSON.parse(f.data ?? 'null') as { seq: number }).seq)).toEqual(delivered.map((_, i) => i));

    const res = await send({ port: server.port, path: '/events?types=nope', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
  });
});

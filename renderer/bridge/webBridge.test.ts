import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import { EVENT_TYPES, WebBridge, type EventSourceLike, type FetchResponseLike } from './webBridge.js';

interface Call {
  url: string;
  init: RequestInit;
}

/** An in-test fetch: records calls and answers with the next queued response (default 200 {ok:true}). */
function fakeFetch() {
  const calls: Call[] = [];
  const responses: FetchResponseLike[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<FetchResponseLike> => {
    calls.push({ url, init });
    return responses.shift() ?? { status: 200, json: async () => ({ ok: true }) };
  };
  const respond = (status: number, body: unknown) => responses.push({ status, json: async () => body });
  return { fetch, calls, respond };
}

/** An in-test EventSource: keeps its listeners so a test can fire open, error and events. */
class FakeEventSource implements EventSourceLike {
  readonly listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (e: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  fire(type: string, data?: string): void {
    for (const l of this.listeners.get(type) ?? []) l({ data } as MessageEvent);
  }
}

function setup() {
  const f = fakeFetch();
  const sources: FakeEventSource[] = [];
  const bridge = new WebBridge({
    fetch: f.fetch,
    eventSource: (url) => {
      const s = new FakeEventSource(url);
      sources.push(s);
      return s;
    },
  });
  const states: ConnectionState[] = [];
  const events: PoshpoolEvent[] = [];
  return { ...f, sources, bridge, states, events, last: () => sources[sources.length - 1]! };
}

describe('WebBridge actions', () => {
  it('sends each action to its path with its method and body, same-origin credentials', async () => {
    const { bridge, calls, respond } = setup();
    respond(200, { ok: true, snapshot: { sessions: [] } });
    expect(await bridge.snapshot()).toEqual({ ok: true, snapshot: { sessions: [] } });
    await bridge.cancelCommand('s/1');
    await bridge.terminateSession('s1');
    await bridge.changePriority('r1', 'sync');
    await bridge.cancelRequest('r1');
    await bridge.jobPage('j1', 3);
    await bridge.backups('C:\\repo a', 20);
    await bridge.backups('/r');
    await bridge.backupDiff('/r', 'b1', 'now', 'src/a.ts');
    await bridge.backupDiff('/r', 'b1', 'parent');
    await bridge.restoreBackup('/r', 'b1', 'a.ts');
    await bridge.restoreBackup('/r', 'b1');
    await bridge.restorePreview('/r', 'b1', 'a b.ts');
    await bridge.restorePreview('/r', 'b1');
    await bridge.answerApproval('apr_1/x', 'session');
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET /api/snapshot',
      'POST /api/sessions/s%2F1/cancel',
      'POST /api/sessions/s1/terminate',
      'POST /api/requests/r1/priority',
      'POST /api/requests/r1/cancel',
      'GET /api/jobs/j1/pages/3',
      'GET /api/backups?folder=C%3A%5Crepo+a&limit=20',
      'GET /api/backups?folder=%2Fr',
      'GET /api/backups/diff?folder=%2Fr&id=b1&against=now&path=src%2Fa.ts',
      'GET /api/backups/diff?folder=%2Fr&id=b1&against=parent',
      'POST /api/backups/restore',
      'POST /api/backups/restore',
      'GET /api/backups/restore-preview?folder=%2Fr&id=b1&path=a+b.ts',
      'GET /api/backups/restore-preview?folder=%2Fr&id=b1',
      'POST /api/approvals/apr_1%2Fx/answer',
    ]);
    expect(calls.every((c) => c.init.credentials === 'same-origin')).toBe(true);
    expect(calls.map((c) => c.init.body ?? null)).toEqual([
      // Every POST carries a JSON body (the host refuses a POST without one): {} when there is nothing to say.
      null, '{}', '{}', '{"priority":"sync"}', '{}', null, null, null, null, null,
      '{"folder":"/r","id":"b1","path":"a.ts"}', '{"folder":"/r","id":"b1"}', null, null, '{"answer":"session"}',
    ]);
    expect(calls[3]!.init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(calls[1]!.init.headers).toMatchObject({ 'content-type': 'application/json' });
  });

  it('passes an {ok:false} answer through (the host sends it with HTTP 400)', async () => {
    const { bridge, respond } = setup();
    respond(400, { ok: false, reason: 'No session "s9"' });
    expect(await bridge.cancelCommand('s9')).toEqual({ ok: false, reason: 'No session "s9"' });
  });

  it('turns a network failure and a non-JSON answer into values', async () => {
    const bridge = new WebBridge({
      fetch: async () => {
        throw new Error('ECONNREFUSED');
      },
      eventSource: (url) => new FakeEventSource(url),
    });
    expect(await bridge.snapshot()).toEqual({ ok: false, reason: 'Cannot reach poshpool: ECONNREFUSED' });
    const { bridge: b2, respond } = setup();
    respond(502, 'Bad gateway');
    expect(await b2.snapshot()).toEqual({ ok: false, reason: 'poshpool answered HTTP 502 with an unexpected body.' });
  });

  it('reports signedOut on a 401', async () => {
    const { bridge, respond, states } = setup();
    bridge.onConnection((s) => states.push(s));
    respond(401, { ok: false, reason: 'no token' });
    const r = await bridge.terminateSession('s1');
    expect(r.ok).toBe(false);
    expect(states).toEqual(['connecting', 'signedOut']);
    expect(bridge.connectionState).toBe('signedOut');
  });
});

describe('WebBridge events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens /events on the first listener and passes each named event on', () => {
    const { bridge, sources, events, states, last } = setup();
    expect(sources).toHaveLength(0);
    bridge.onEvent((e) => events.push(e));
    bridge.onConnection((s) => states.push(s));
    expect(sources).toHaveLength(1);
    expect(last().url).toBe('/events');
    for (const type of EVENT_TYPES) expect(last().listeners.has(type)).toBe(true);
    last().fire('open');
    const e: PoshpoolEvent = { type: 'pool.degraded', reason: 'no pwsh', failures: 3, time: 1234 };
    last().fire('pool.degraded', JSON.stringify(e));
    last().fire('pool.degraded', '{not json');
    expect(events).toEqual([e]);
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('reconnects with backoff 1 s doubling to 30 s, reporting disconnected, and resets after an open', () => {
    const { bridge, sources, states, last } = setup();
    bridge.onConnection((s) => states.push(s));
    last().fire('open');
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = sources.length;
      const failed = last();
      failed.fire('error');
      expect(failed.closed).toBe(true);
      expect(bridge.connectionState).toBe('disconnected');
      let waited = 0;
      while (sources.length === before) {
        vi.advanceTimersByTime(1_000);
        waited += 1_000;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    last().fire('open');
    expect(bridge.connectionState).toBe('connected');
    last().fire('error');
    vi.advanceTimersByTime(999);
    const count = sources.length;
    vi.advanceTimersByTime(1);
    expect(sources.length).toBe(count + 1);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connected', 'disconnected']);
  });

  it('ignores a closed source and reconnects after an overflow frame', () => {
    const { bridge, sources, events, last } = setup();
    bridge.onEvent((e) => events.push(e));
    const first = last();
    first.fire('open');
    first.fire('overflow', '{"dropped":10}');
    expect(first.closed).toBe(true);
    expect(bridge.connectionState).toBe('disconnected');
    first.fire('pool.recovered', '{"type":"pool.recovered","downMs":1,"time":1}');
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(sources).toHaveLength(2);
  });

  it('asks the API when the stream is refused at once, and stops reconnecting on 401', async () => {
    const { bridge, sources, calls, respond, last } = setup();
    bridge.onEvent(() => {});
    respond(401, { ok: false, reason: 'signed out' });
    last().fire('error');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.url)).toEqual(['/api/snapshot']);
    expect(bridge.connectionState).toBe('signedOut');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sources).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('dispose closes the stream, stops reconnecting and drops listeners', () => {
    const { bridge, sources, events, last } = setup();
    bridge.onEvent((e) => events.push(e));
    const s = last();
    s.fire('error');
    bridge.dispose();
    expect(s.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(sources).toHaveLength(1);
  });

  it('unsubscribe stops delivery to that listener', () => {
    const { bridge, events, last } = setup();
    const off = bridge.onEvent((e) => events.push(e));
    off();
    last().fire('pool.recovered', '{"type":"pool.recovered","downMs":1,"time":1}');
    expect(events).toEqual([]);
  });
});

describe('WebBridge readTerminal', () => {
  it("long-polls a session's terminal with its cursor and wait, and hands back the host's answer", async () => {
    const { bridge, calls, respond } = setup();
    respond(200, { ok: true, data: 'row 1\r\n', next: 7, reset: false, ended: false });
    expect(await bridge.readTerminal('s/1', 0, 15_000)).toEqual({ ok: true, data: 'row 1\r\n', next: 7, reset: false, ended: false });
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(['GET /api/sessions/s%2F1/terminal?since=0&wait=15000']);
  });
});

import { describe, expect, it } from 'vitest';
import type { Priority } from '../../../common/events.js';
import { WaitQueue, type EnqueueResult, type WaitEntry } from './WaitQueue.js';
import { mulberry32 } from './etaSimulation.js';

/** A settable fake clock. */
function fakeClock(start = 1_000): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), advance: (ms) => (t += ms) };
}

function makeQueue(maxWaiting = 100, clock = fakeClock()): WaitQueue<string> {
  return new WaitQueue<string>({ maxWaiting, now: clock.now });
}

function add(q: WaitQueue<string>, id: string, priority: Priority = 'sync', acquireTimeoutMs?: number): EnqueueResult<string> {
  return q.enqueue({ id, clientId: `client-${id}`, priority, data: `data-${id}`, ...(acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs }) });
}

function ids<T>(q: WaitQueue<T>): string[] {
  return q.snapshot().map((e) => e.id);
}

/** Drains the queue through shift() and returns the order of service. */
function drain(q: WaitQueue<string>): string[] {
  const out: string[] = [];
  for (let e = q.shift(); e; e = q.shift()) out.push(e.id);
  return out;
}


describe('WaitQueue enqueue', () => {
  it('stamps the entry with the clock, the deadline and the payload, and returns its position', () => {
    const clock = fakeClock(5_000);
    const q = makeQueue(10, clock);
    const r = q.enqueue({ id: 'r1', clientId: 'c1', priority: 'async', acquireTimeoutMs: 250, data: 'payload' });
    expect(r).toEqual({
      ok: true,
      position: 1,
      entry: { id: 'r1', clientId: 'c1', priority: 'async', enqueuedAt: 5_000, deadline: 5_250, data: 'payload' },
    });
    expect(q.size).toBe(1);
    expect(q.has('r1')).toBe(true);
    expect(q.get('r1')?.data).toBe('payload');
    expect(q.position('r1')).toBe(1);
  });

  it('gives a request without acquireTimeoutMs no deadline', () => {
    const q = makeQueue();
    const r = add(q, 'r1');
    expect(r.ok && r.entry.deadline).toBeNull();
  });

  it('serves requests of one class first come first served', () => {
    const q = makeQueue();
    expect(add(q, 'a')).toMatchObject({ ok: true, position: 1 });
    expect(add(q, 'b')).toMatchObject({ ok: true, position: 2 });
    expect(add(q, 'c')).toMatchObject({ ok: true, position: 3 });
    expect(drain(q)).toEqual(['a', 'b', 'c']);
  });

  it('serves every sync request before any async one', () => {
    const q = makeQueue();
    add(q, 'a1', 'async');
    add(q, 'a2', 'async');
    expect(add(q, 's1', 'sync')).toMatchObject({ ok: true, position: 1 });
    add(q, 'a3', 'async');
    expect(add(q, 's2', 'sync')).toMatchObject({ ok: true, position: 2 });
    expect(ids(q)).toEqual(['s1', 's2', 'a1', 'a2', 'a3']);
    expect(drain(q)).toEqual(['s1', 's2', 'a1', 'a2', 'a3']);
  });

  it('breaks ties by arrival sequence, not by the clock (equal or even backward timestamps)', () => {
    const clock = fakeClock(100);
    const q = makeQueue(10, clock);
    add(q, 'first');
    add(q, 'second'); // same timestamp
    clock.set(50); // the clock steps back
    add(q, 'third');
    expect(q.get('third')?.enqueuedAt).toBe(50);
    expect(drain(q)).toEqual(['first', 'second', 'third']);
  });

  it('reports that a sync arrival pushed every async request back, and nothing for an async arrival', () => {
    const q = makeQueue();
    add(q, 's1', 'sync');
    add(q, 'a1', 'async');
    add(q, 'a2', 'async');
    expect(q.lastChanges()).toEqual([]);
    add(q, 's2', 'sync');
    expect(q.lastChanges()).toEqual([
      { id: 'a1', position: 3 },
      { id: 'a2', position: 4 },
    ]);
    add(q, 'a3', 'async');
    expect(q.lastChanges()).toEqual([]);
  });

  it('refuses a request when full, saying so with the size, and to retry or raise maxWaiting', () => {
    const q = makeQueue(2);
    add(q, 'a');
    add(q, 'b');
    const r = add(q, 'c');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/queue is full/);
    expect(r.reason).toContain('2 of 2');
    expect(r.reason).toMatch(/retry later/);
    expect(r.reason).toContain('maxWaiting');
    expect(q.size).toBe(2);
    expect(q.has('c')).toBe(false);
    expect(q.lastChanges()).toEqual([]);
  });

  it('accepts again once a place frees', () => {
    const q = makeQueue(1);
    add(q, 'a');
    expect(add(q, 'b').ok).toBe(false);
    q.shift();
    expect(add(q, 'b')).toMatchObject({ ok: true, position: 1 });
  });

  it('refuses every request when maxWaiting is 0', () => {
    const q = makeQueue(0);
    const r = add(q, 'a');
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('0 of 0') });
    expect(q.size).toBe(0);
  });

  it('refuses an id that is already waiting, and accepts it again after it left', () => {
    const q = makeQueue();
    add(q, 'a');
    add(q, 'b', 'async');
    const r = add(q, 'a', 'sync');
    expect(r).toEqual({ ok: false, reason: 'Request a is already waiting in the queue.' });
    expect(ids(q)).toEqual(['a', 'b']);
    q.remove('a');
    expect(add(q, 'a', 'async')).toMatchObject({ ok: true, position: 2 });
  });

  it('refuses a negative or non-finite acquireTimeoutMs and accepts 0', () => {
    const q = makeQueue();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = add(q, `bad${bad}`, 'sync', bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toContain('acquireTimeoutMs');
    }
    expect(q.size).toBe(0);
    expect(add(q, 'zero', 'sync', 0)).toMatchObject({ ok: true, position: 1 });
  });

  it('throws on a maxWaiting that is not a non-negative integer (a programming error)', () => {
    expect(() => new WaitQueue({ maxWaiting: -1, now: () => 0 })).toThrow(RangeError);
    expect(() => new WaitQueue({ maxWaiting: 1.5, now: () => 0 })).toThrow(RangeError);
  });
});

describe('WaitQueue position and snapshot', () => {
  it('returns undefined for an id that is not waiting', () => {
    const q = makeQueue();
    expect(q.position('nope')).toBeUndefined();
    expect(q.get('nope')).toBeUndefined();
    expect(q.has('nope')).toBe(false);
  });

  it('snapshot lists the entries in order of service with their positions', () => {
    const clock = fakeClock(10);
    const q = makeQueue(10, clock);
    add(q, 'a1', 'async');
    clock.advance(5);
    add(q, 's1', 'sync', 100);
    expect(q.snapshot()).toEqual([
      { id: 's1', clientId: 'client-s1', priority: 'sync', enqueuedAt: 15, deadline: 115, data: 'data-s1', position: 1 },
      { id: 'a1', clientId: 'client-a1', priority: 'async', enqueuedAt: 10, deadline: null, data: 'data-a1', position: 2 },
    ]);
  });

  it('snapshot is a copy: changing it does not change the queue', () => {
    const q = makeQueue();
    add(q, 'a');
    add(q, 'b');
    const snap = q.snapshot();
    snap.reverse();
    snap.pop();
    expect(ids(q)).toEqual(['a', 'b']);
  });

  it('peek returns what shift would serve, without removing it', () => {
    const q = makeQueue();
    expect(q.peek()).toBeUndefined();
    add(q, 'a1', 'async');
    expect(q.peek()?.id).toBe('a1');
    add(q, 's1', 'sync');
    expect(q.peek()?.id).toBe('s1');
    expect(q.size).toBe(2);
    expect(q.shift()?.id).toBe('s1');
  });

  it('position matches the order shift serves, entry by entry', () => {
    const q = makeQueue();
    const pattern: Priority[] = ['async', 'sync', 'async', 'async', 'sync', 'sync', 'async', 'sync'];
    pattern.forEach((p, i) => add(q, `r${i}`, p));
    const expected = q.snapshot().map((e) => [e.id, e.position] as const);
    const served: (readonly [string, number])[] = [];
    let n = 1;
    // Before each shift, the entry served must be the one whose position was n among the original ones.
    for (let e = q.shift(); e; e = q.shift()) served.push([e.id, n++]);
    expect(served).toEqual(expected);
    expect(expected.map(([id]) => id)).toEqual(['r1', 'r4', 'r5', 'r7', 'r0', 'r2', 'r3', 'r6']);
  });
});

describe('WaitQueue changePriority', () => {
  /** a1 (async), s2 (sync), s3 (sync), a4 (async), s5 (sync), in that arrival order. */
  function mixed(): WaitQueue<string> {
    const q = makeQueue();
    add(q, 'a1', 'async');
    add(q, 's2', 'sync');
    add(q, 's3', 'sync');
    add(q, 'a4', 'async');
    add(q, 's5', 'sync');
    expect(ids(q)).toEqual(['s2', 's3', 's5', 'a1', 'a4']);
    return q;
  }

  it('to sync: places the request among the sync requests by its arrival (here first, since it came first)', () => {
    const q = mixed();
    expect(q.changePriority('a1', 'sync')).toEqual({ ok: true, position: 1 });
    expect(ids(q)).toEqual(['a1', 's2', 's3', 's5', 'a4']);
    expect(q.get('a1')?.priority).toBe('sync');
    expect(q.lastChanges()).toEqual([
      { id: 'a1', position: 1 },
      { id: 's2', position: 2 },
      { id: 's3', position: 3 },
      { id: 's5', position: 4 },
    ]);
  });

  it('to sync: does not jump ahead of sync requests that arrived earlier, and does not go to the back', () => {
    const q = mixed();
    expect(q.changePriority('a4', 'sync')).toEqual({ ok: true, position: 3 });
    // a4 arrived after s2 and s3 but before s5.
    expect(ids(q)).toEqual(['s2', 's3', 'a4', 's5', 'a1']);
    expect(q.lastChanges()).toEqual([
      { id: 'a4', position: 3 },
      { id: 's5', position: 4 },
      { id: 'a1', position: 5 },
    ]);
  });

  it('to async: places the request among the async requests by its arrival', () => {
    const q = mixed();
    // s3 arrived after a1 and before a4.
    expect(q.changePriority('s3', 'async')).toEqual({ ok: true, position: 4 });
    expect(ids(q)).toEqual(['s2', 's5', 'a1', 's3', 'a4']);
    expect(q.get('s3')?.priority).toBe('async');
    expect(q.lastChanges()).toEqual([
      { id: 's5', position: 2 },
      { id: 'a1', position: 3 },
      { id: 's3', position: 4 },
    ]);
  });

  it('to async: the newest request goes behind every async request that arrived earlier', () => {
    const q = mixed();
    expect(q.changePriority('s5', 'async')).toEqual({ ok: true, position: 5 });
    expect(ids(q)).toEqual(['s2', 's3', 'a1', 'a4', 's5']);
    expect(q.lastChanges()).toEqual([
      { id: 'a1', position: 3 },
      { id: 'a4', position: 4 },
      { id: 's5', position: 5 },
    ]);
  });

  it('a round trip restores the original order', () => {
    const q = mixed();
    q.changePriority('s3', 'async');
    q.changePriority('s3', 'sync');
    expect(ids(q)).toEqual(['s2', 's3', 's5', 'a1', 'a4']);
  });

  it('reports no change when a move leaves the position the same', () => {
    const q = makeQueue();
    add(q, 's1', 'sync');
    add(q, 'a1', 'async');
    // s1 arrived before a1, so as an async request it is still served first.
    expect(q.changePriority('s1', 'async')).toEqual({ ok: true, position: 1 });
    expect(ids(q)).toEqual(['s1', 'a1']);
    expect(q.lastChanges()).toEqual([]);
  });

  it('changing to the same priority changes nothing', () => {
    const q = mixed();
    add(q, 'x', 'sync'); // leaves non-empty lastChanges behind
    expect(q.changePriority('s3', 'sync')).toEqual({ ok: true, position: 2 });
    expect(q.lastChanges()).toEqual([]);
    expect(ids(q)).toEqual(['s2', 's3', 's5', 'x', 'a1', 'a4']);
  });

  it('refuses an id that is not waiting', () => {
    const q = mixed();
    expect(q.changePriority('nope', 'sync')).toEqual({ ok: false, reason: 'Request nope is not waiting in the queue.' });
    expect(q.lastChanges()).toEqual([]);
  });

  it('keeps the entry fields other than the priority', () => {
    const clock = fakeClock(7);
    const q = makeQueue(10, clock);
    add(q, 'a', 'async', 30);
    q.changePriority('a', 'sync');
    expect(q.get('a')).toEqual({ id: 'a', clientId: 'client-a', priority: 'sync', enqueuedAt: 7, deadline: 37, data: 'data-a' });
  });
});

describe('WaitQueue remove and shift', () => {
  it('remove returns the entry and moves the requests behind it up', () => {
    const q = makeQueue();
    add(q, 's1');
    add(q, 's2');
    add(q, 'a1', 'async');
    add(q, 'a2', 'async');
    const removed = q.remove('s2');
    expect(removed?.id).toBe('s2');
    expect(removed?.data).toBe('data-s2');
    expect(ids(q)).toEqual(['s1', 'a1', 'a2']);
    expect(q.lastChanges()).toEqual([
      { id: 'a1', position: 2 },
      { id: 'a2', position: 3 },
    ]);
    expect(q.position('s2')).toBeUndefined();
    expect(q.size).toBe(3);
  });

  it('removing the last request changes no position', () => {
    const q = makeQueue();
    add(q, 's1');
    add(q, 'a1', 'async');
    expect(q.remove('a1')?.id).toBe('a1');
    expect(q.lastChanges()).toEqual([]);
  });

  it('remove of an unknown id returns undefined and changes nothing', () => {
    const q = makeQueue();
    add(q, 'a1', 'async');
    add(q, 's1', 'sync');
    expect(q.lastChanges()).toEqual([{ id: 'a1', position: 2 }]);
    expect(q.remove('nope')).toBeUndefined();
    expect(q.lastChanges()).toEqual([]);
    expect(q.size).toBe(2);
  });

  it('shift serves position 1 and moves every other request up by one', () => {
    const q = makeQueue();
    add(q, 'a1', 'async');
    add(q, 's1', 'sync');
    add(q, 's2', 'sync');
    expect(q.shift()?.id).toBe('s1');
    expect(q.lastChanges()).toEqual([
      { id: 's2', position: 1 },
      { id: 'a1', position: 2 },
    ]);
    expect(q.shift()?.id).toBe('s2');
    expect(q.shift()?.id).toBe('a1');
    expect(q.lastChanges()).toEqual([]);
    expect(q.shift()).toBeUndefined();
    expect(q.size).toBe(0);
  });
});

describe('WaitQueue expire', () => {
  it('removes, in order of service, the requests whose deadline has come; the rest move up', () => {
    const clock = fakeClock(0);
    const q = makeQueue(10, clock);
    add(q, 'a1', 'async', 100); // deadline 100
    add(q, 's1', 'sync'); // never
    add(q, 's2', 'sync', 50); // deadline 50
    add(q, 'a2', 'async'); // never
    add(q, 's3', 'sync', 300); // deadline 300
    expect(ids(q)).toEqual(['s1', 's2', 's3', 'a1', 'a2']);
    expect(q.nextDeadline()).toBe(50);

    clock.set(49);
    expect(q.expire()).toEqual([]);
    expect(q.lastChanges()).toEqual([]);

    clock.set(100); // exactly a1's deadline; past s2's
    expect(q.expire().map((e) => e.id)).toEqual(['s2', 'a1']);
    expect(ids(q)).toEqual(['s1', 's3', 'a2']);
    expect(q.lastChanges()).toEqual([
      { id: 's3', position: 2 },
      { id: 'a2', position: 3 },
    ]);
    expect(q.nextDeadline()).toBe(300);

    clock.set(1_000_000);
    expect(q.expire().map((e) => e.id)).toEqual(['s3']);
    expect(ids(q)).toEqual(['s1', 'a2']);
    expect(q.nextDeadline()).toBeNull();
    expect(q.expire()).toEqual([]);
  });

  it('a deadline of 0 ms expires at the next expire()', () => {
    const clock = fakeClock(20);
    const q = makeQueue(10, clock);
    add(q, 'now', 'sync', 0);
    expect(q.expire().map((e) => e.id)).toEqual(['now']);
    expect(q.size).toBe(0);
  });

  it('frees the ids of expired requests', () => {
    const clock = fakeClock(0);
    const q = makeQueue(10, clock);
    add(q, 'x', 'sync', 10);
    clock.advance(10);
    q.expire();
    expect(q.has('x')).toBe(false);
    expect(add(q, 'x').ok).toBe(true);
  });
});

describe('WaitQueue against a reference model', () => {
  interface ModelEntry {
    id: string;
    priority: Priority;
    seq: number;
    deadline: number | null;
  }

  /** The specified order, computed the slow obvious way. */
  function modelOrder(model: ModelEntry[]): string[] {
    const rank = (e: ModelEntry): number => (e.priority === 'sync' ? 0 : 1);
    return [...model].sort((a, b) => rank(a) - rank(b) || a.seq - b.seq).map((e) => e.id);
  }

  it('matches the model in order, positions and reported changes over 3000 random operations', () => {
    const rand = mulberry32(1234);
    const clock = fakeClock(0);
    const q = new WaitQueue<number>({ maxWaiting: 60, now: clock.now });
    let model: ModelEntry[] = [];
    let seq = 0;
    let nextId = 0;
    const pick = (): string | undefined => model[Math.floor(rand() * model.length)]?.id;
    const pickPriority = (): Priority => (rand() < 0.5 ? 'sync' : 'async');

    for (let step = 0; step < 3000; step++) {
      const before = new Map(modelOrder(model).map((id, i) => [id, i + 1]));
      // Equal timestamps are common: the clock moves only now and then.
      if (rand() < 0.3) clock.advance(Math.floor(rand() * 20));
      const op = rand();
      if (op < 0.45) {
        const id = `r${nextId++}`;
        const priority = pickPriority();
        const timeout = rand() < 0.5 ? Math.floor(rand() * 200) : undefined;
        const r = q.enqueue({ id, clientId: 'c', priority, data: step, ...(timeout === undefined ? {} : { acquireTimeoutMs: timeout }) });
        if (model.length >= 60) {
          expect(r.ok).toBe(false);
        } else {
          expect(r.ok).toBe(true);
          model.push({ id, priority, seq: seq++, deadline: timeout === undefined ? null : clock.now() + timeout });
          expect(r.ok && r.position).toBe(modelOrder(model).indexOf(id) + 1);
        }
      } else if (op < 0.6) {
        const id = pick();
        if (id === undefined) continue;
        const priority = pickPriority();
        const r = q.changePriority(id, priority);
        model.find((e) => e.id === id)!.priority = priority;
        expect(r).toEqual({ ok: true, position: modelOrder(model).indexOf(id) + 1 });
      } else if (op < 0.75) {
        const id = pick();
        if (id === undefined) continue;
        expect(q.remove(id)?.id).toBe(id);
        model = model.filter((e) => e.id !== id);
      } else if (op < 0.9) {
        const expected = modelOrder(model)[0];
        expect(q.shift()?.id).toBe(expected);
        model = model.filter((e) => e.id !== expected);
      } else {
        const now = clock.now();
        const expected = modelOrder(model).filter((id) => {
          const d = model.find((e) => e.id === id)!.deadline;
          return d !== null && d <= now;
        });
        expect(q.expire().map((e) => e.id)).toEqual(expected);
        model = model.filter((e) => !expected.includes(e.id));
      }

      const order = modelOrder(model);
      expect(ids(q)).toEqual(order);
      order.forEach((id, i) => expect(q.position(id)).toBe(i + 1));
      const expectedChanges = order
        .map((id, i) => ({ id, position: i + 1 }))
        .filter((c) => before.has(c.id) && before.get(c.id) !== c.position);
      expect(q.lastChanges()).toEqual(expectedChanges);
    }
  });

  it('handles a few thousand entries, reporting only the requests that moved', () => {
    const q = makeQueue(5000);
    for (let i = 0; i < 2500; i++) add(q, `a${i}`, 'async');
    for (let i = 0; i < 2499; i++) add(q, `s${i}`, 'sync');
    expect(q.size).toBe(4999);
    expect(q.position('a0')).toBe(2500);
    expect(q.position('a2499')).toBe(4999);
    // One more sync request moves each of the 2500 async requests back by one.
    add(q, 'last', 'sync');
    expect(q.lastChanges()).toHaveLength(2500);
    expect(q.position('last')).toBe(2500);
    // Removing one in the middle of the async requests moves only those behind it.
    q.remove('a1000');
    expect(q.lastChanges()).toHaveLength(1499);
    expect(q.lastChanges()[0]).toEqual({ id: 'a1001', position: 3501 });
    const served: WaitEntry<string>[] = [];
    for (let e = q.shift(); e; e = q.shift()) served.push(e);
    expect(served).toHaveLength(4999);
    expect(served[0]?.id).toBe('s0');
    expect(served[2499]?.id).toBe('last');
    expect(served[2500]?.id).toBe('a0');
  });
});

import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { EventBus } from './EventBus.js';

describe('EventBus', () => {
  it('stamps events with the time and delivers them to every subscriber until unsubscribed', () => {
    let t = 1000;
    const bus = new EventBus(() => t);
    const a: PoshpoolEvent[] = [];
    const b: PoshpoolEvent[] = [];
    const subA = bus.onEvent((e) => a.push(e));
    bus.onEvent((e) => b.push(e));
    bus.emit({ type: 'pool.degraded', reason: 'no pwsh', failures: 5 });
    t = 2000;
    subA.dispose();
    bus.emit({ type: 'pool.recovered', downMs: 1000 });
    expect(a).toEqual([{ type: 'pool.degraded', reason: 'no pwsh', failures: 5, time: 1000 }]);
    expect(b.map((e) => [e.type, e.time])).toEqual([
      ['pool.degraded', 1000],
      ['pool.recovered', 2000],
    ]);
  });

  it('keeps delivering when a listener throws, and stops after dispose', () => {
    const bus = new EventBus(() => 1);
    const got: string[] = [];
    bus.onEvent(() => {
      throw new Error('listener bug');
    });
    bus.onEvent((e) => got.push(e.type));
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      bus.emit({ type: 'pool.recovered', downMs: 0 });
    } finally {
      process.stderr.write = write;
    }
    bus.dispose();
    bus.emit({ type: 'pool.recovered', downMs: 0 });
    expect(got).toEqual(['pool.recovered']);
  });
});

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenForStop, type SignalSource } from './stopSignals.js';

function source() {
  const emitter = new EventEmitter();
  return { emitter, src: emitter as unknown as SignalSource };
}

describe('listenForStop', () => {
  it('listens to SIGINT, SIGTERM and SIGHUP at once and resolves with the first', async () => {
    const { emitter, src } = source();
    const stop = listenForStop(src);
    expect(emitter.listenerCount('SIGINT')).toBe(1);
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    expect(emitter.listenerCount('SIGHUP')).toBe(1);
    expect(stop.signal).toBeNull();
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(stop.signal).toBe('SIGTERM');
    await expect(stop.received).resolves.toBe('SIGTERM');
  });

  it('keeps listening while stopping (a second Ctrl+C does not kill the cleanup), until disposed', () => {
    const { emitter, src } = source();
    const stop = listenForStop(src);
    emitter.emit('SIGINT', 'SIGINT');
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(stop.signal).toBe('SIGINT');
    expect(emitter.listenerCount('SIGINT')).toBe(1);
    stop.dispose();
    stop.dispose();
    expect(emitter.listenerCount('SIGINT')).toBe(0);
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(emitter.listenerCount('SIGHUP')).toBe(0);
  });
});

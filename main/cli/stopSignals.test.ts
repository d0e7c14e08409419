import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import { listenForStop, STOP_SIGNALS, type SignalSource } from './stopSignals.js';

function source() {
  const emitter = new EventEmitter();
  return { emitter, src: emitter as unknown as SignalSource };
}

describe('listenForStop', () => {
  it('listens to SIGINT, SIGTERM and SIGHUP at once and resolves with the first', async () => {
    const { emitter, src } = source();
    const stop = listenForStop(platformFor('linux'), src);
    expect(emitter.listenerCount('SIGINT')).toBe(1);
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    expect(emitter.listenerCount('SIGHUP')).toBe(1);
    expect(emitter.listenerCount('SIGBREAK')).toBe(0);
    expect(stop.signal).toBeNull();
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(stop.signal).toBe('SIGTERM');
    await expect(stop.received).resolves.toBe('SIGTERM');
  });

  it('keeps listening while stopping (a second Ctrl+C does not kill the cleanup), until disposed', () => {
    const { emitter, src } = source();
    const stop = listenForStop(platformFor('linux'), src);
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

  it('on Windows also stops on SIGBREAK (Ctrl+Break), which Node delivers there, and lets go of it when disposed', async () => {
    // Node's signal docs: "'SIGBREAK' is delivered on Windows when Ctrl+Break is pressed"; without a
    // listener its default ends the process at once, leaving host.json and the sessions behind.
    const { emitter, src } = source();
    const stop = listenForStop(platformFor('win32'), src);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) expect(emitter.listenerCount(s), s).toBe(1);
    emitter.emit('SIGBREAK', 'SIGBREAK');
    await expect(stop.received).resolves.toBe('SIGBREAK');
    stop.dispose();
    expect(emitter.listenerCount('SIGBREAK')).toBe(0);
  });

  it('STOP_SIGNALS holds every signal any platform stops on', () => {
    for (const os of ['linux', 'darwin', 'win32'] as const) {
      for (const s of platformFor(os).stopSignals) expect(STOP_SIGNALS, `${os} ${s}`).toContain(s);
    }
  });
});

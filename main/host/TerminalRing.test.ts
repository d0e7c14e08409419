import { describe, expect, it } from 'vitest';
import { TerminalRing } from './TerminalRing.js';

describe('TerminalRing', () => {
  it('gives a reader what it has not seen, across chunk boundaries', () => {
    const ring = new TerminalRing(100);
    ring.append('abc');
    ring.append('def');
    expect(ring.read(0)).toEqual({ data: 'abcdef', next: 6, reset: false });
    expect(ring.read(4)).toEqual({ data: 'ef', next: 6, reset: false });
    expect(ring.read(6)).toEqual({ data: '', next: 6, reset: false });
  });

  it('keeps at most its capacity, and a reader that fell behind gets the window again with reset', () => {
    const ring = new TerminalRing(10);
    for (let i = 0; i < 100; i++) ring.append(`${i % 10}`);
    expect(ring.size).toBe(10);
    expect(ring.start).toBe(90);
    expect(ring.read(5)).toEqual({ data: '0123456789', next: 100, reset: true });
    expect(ring.read(95)).toEqual({ data: '56789', next: 100, reset: false });
  });

  it('starts the kept window at a line start when one is near the cut', () => {
    const ring = new TerminalRing(12);
    ring.append('first line\r\nsecond\r\nthird\r\n');
    expect(ring.read(0)).toMatchObject({ data: 'third\r\n', reset: true });
    expect(ring.size).toBeLessThanOrEqual(12);
  });

  it('treats a cursor from the future (a host that restarted) or a bad one as a reset', () => {
    const ring = new TerminalRing(10);
    ring.append('abc');
    expect(ring.read(50)).toEqual({ data: 'abc', next: 3, reset: true });
    expect(ring.read(Number.NaN)).toMatchObject({ reset: true });
  });

  it('refuses a capacity that holds nothing', () => {
    expect(() => new TerminalRing(0)).toThrow(/capacityChars/);
  });

  it('stays bounded under a long stream of large chunks', () => {
    const ring = new TerminalRing(256 * 1024);
    const chunk = 'x'.repeat(1000) + '\r\n';
    for (let i = 0; i < 2000; i++) ring.append(chunk);
    expect(ring.size).toBeLessThanOrEqual(256 * 1024);
    expect(ring.read(ring.cursor - 2).data).toBe('\r\n');
  });
});

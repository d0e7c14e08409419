import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onPosix } from '../../test/platformGates.js';
import { AppLog } from './AppLog.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-applog-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that starts at a fixed instant and moves one second per reading. */
function clock(start = Date.UTC(2025, 0, 2, 3, 4, 5)): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

const read = (file: string): string => readFileSync(file, 'utf8');

describe('AppLog', () => {
  it('creates the log folder, nested', () => {
    const file = path.join(dir, 'a', 'b', 'logs', 'app.log');
    new AppLog(file);
    expect(statSync(path.dirname(file)).isDirectory()).toBe(true);
  });

  it.runIf(onPosix)('keeps the folder 0700 and the file 0600, private to the user (POSIX-only: file modes; Windows uses an ACL)', () => {
    const file = path.join(dir, 'logs', 'app.log');
    new AppLog(file, 1000, clock()).write('hello');
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('prefixes each line with the ISO time of the injected clock and ends it with one newline', () => {
    const file = path.join(dir, 'app.log');
    const log = new AppLog(file, 10_000, clock(Date.UTC(2025, 0, 2, 3, 4, 5)));
    log.write('host started');
    log.write('tray ready\n\n');
    expect(read(file)).toBe('2025-01-02T03:04:05.000Z host started\n2025-01-02T03:04:06.000Z tray ready\n');
  });

  it('appends to an existing log', () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'earlier line\n');
    new AppLog(file, 10_000, clock()).write('later line');
    expect(read(file)).toMatch(/^earlier line\n\S+ later line\n$/);
  });

  it('rotates to .1 when the next line would pass maxBytes', () => {
    const file = path.join(dir, 'app.log');
    // Each line is 24 (timestamp) + 1 + 5 + 1 = 31 bytes.
    const log = new AppLog(file, 70, clock());
    log.write('line1');
    log.write('line2');
    expect(existsSync(`${file}.1`)).toBe(false);
    expect(statSync(file).size).toBe(62);
    log.write('line3'); // 62 + 31 > 70
    expect(read(`${file}.1`)).toMatch(/line1\n.*line2\n$/);
    expect(read(file)).toMatch(/^\S+ line3\n$/);
  });

  it('keeps only one old file', () => {
    const file = path.join(dir, 'app.log');
    const log = new AppLog(file, 40, clock()); // one 31-byte line per file
    for (const n of [1, 2, 3, 4]) log.write(`line${n}`);
    expect(read(file)).toContain('line4');
    expect(read(`${file}.1`)).toContain('line3');
    expect(read(`${file}.1`)).not.toContain('line2');
    expect(existsSync(`${file}.2`)).toBe(false);
    const all = read(file) + read(`${file}.1`);
    expect(all).not.toContain('line1');
  });

  it('counts the size of an existing file at construction', () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'x'.repeat(50) + '\n'); // 51 bytes
    const log = new AppLog(file, 80, clock());
    log.write('line1'); // 51 + 31 > 80: rotates before writing
    expect(read(`${file}.1`)).toBe('x'.repeat(50) + '\n');
    expect(read(file)).toMatch(/^\S+ line1\n$/);
  });

  it('does not rotate an existing file that leaves room for the line', () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'x'.repeat(9) + '\n'); // 10 bytes
    new AppLog(file, 41, clock()).write('line1'); // 10 + 31 = 41, not past
    expect(existsSync(`${file}.1`)).toBe(false);
    expect(read(file)).toMatch(/^x{9}\n\S+ line1\n$/);
  });

  it('writes to stderr instead of throwing when the file cannot be written', () => {
    const file = path.join(dir, 'app.log');
    mkdirSync(file); // a folder where the log file should be
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = new AppLog(file, 10_000, clock());
    expect(() => log.write('lost line')).not.toThrow();
    expect(stderr).toHaveBeenCalledTimes(1);
    const text = String(stderr.mock.calls[0]![0]);
    expect(text).toContain(file);
    expect(text).toContain('lost line');
  });

  it('writes a first line longer than maxBytes instead of losing it', () => {
    const file = path.join(dir, 'app.log');
    new AppLog(file, 10, clock()).write('this line is longer than ten bytes');
    expect(read(file)).toContain('this line is longer than ten bytes');
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('counts bytes, not characters, against maxBytes', () => {
    const file = path.join(dir, 'app.log');
    const log = new AppLog(file, 80, clock());
    log.write('é'.repeat(20));
    log.write('é'.repeat(20));
    // Each line is 25 + 40 bytes: the second would pass 80 bytes, so the first went to .1.
    expect(read(`${file}.1`)).toContain('é'.repeat(20));
    expect(Buffer.byteLength(read(file))).toBeLessThanOrEqual(80);
  });
});


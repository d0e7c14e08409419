import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputStore } from '../jobs/OutputStore.js';
import { clipLine, OutputCollector, trimBlankLines, type CollectedOutput } from './OutputCollector.js';

let root: string;
let store: OutputStore;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'poshpool-collector-test-'));
  store = new OutputStore({ dir: path.join(root, 'outputs'), pageBytes: 256, maxEntries: 10, maxTotalBytes: 100_000_000 });
});

afterEach(() => {
  store.dispose();
  rmSync(root, { recursive: true, force: true });
});

function collect(cap: number, lines: string[]): CollectedOutput {
  const c = new OutputCollector(cap, store);
  for (const l of lines) c.push(l);
  return c.finish();
}

/** The whole stored output, all pages joined. */
function stored(ref: string): string {
  const first = store.read(ref, 0);
  if (!first.ok) throw new Error(first.reason);
  let text = first.page.text;
  for (let i = 1; i < first.page.pages; i++) {
    const r = store.read(ref, i);
    if (!r.ok) throw new Error(r.reason);
    text += r.page.text;
  }
  return text;
}

const NOTICE = /^\.\.\. \[(\d+) lines \((\d+) bytes\) omitted; the whole output is stored as (out-[0-9a-f]{16})\] \.\.\.$/;

describe('OutputCollector under the cap', () => {
  it('keeps every line, trims blank lines at both ends only, and is not truncated', () => {
    const r = collect(1024, ['', '   ', 'first', '', '  indented', '\t', 'last  ', ' ', '']);
    expect(r).toEqual({ output: 'first\n\n  indented\n\t\nlast  ', truncated: false, outputBytes: 26, outputRef: null });
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it('gives an empty output for no lines or only blank lines', () => {
    expect(collect(1024, [])).toEqual({ output: '', truncated: false, outputBytes: 0, outputRef: null });
    expect(collect(1024, ['', ' ', ''])).toEqual({ output: '', truncated: false, outputBytes: 0, outputRef: null });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const r = collect(1024, ['日本', 'é😀']);
    expect(r).toEqual({ output: '日本\né😀', truncated: false, outputBytes: 6 + 1 + 2 + 4, outputRef: null });
  });

  it('does not spill an output of exactly the cap (lines plus newlines)', () => {
    const lines = ['123456789', '123456789']; // 10 + 10 bytes
    const c = new OutputCollector(20, store);
    for (const l of lines) c.push(l);
    expect(c.totalBytes).toBe(20);
    expect(c.finish()).toEqual({ output: '123456789\n123456789', truncated: false, outputBytes: 19, outputRef: null });
    expect(store.stats().entries).toBe(0);
  });
});

describe('OutputCollector over the cap', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line-${String(i).padStart(3, '0')}`); // 9 bytes each with \n
  const full = lines.map((l) => `${l}\n`).join('');

  it('keeps the head, a notice and the tail', () => {
    const r = collect(100, lines);
    expect(r.truncated).toBe(true);
    expect(r.outputBytes).toBe(1800);
    expect(r.outputRef).toMatch(/^out-[0-9a-f]{16}$/);
    // Head: lines while they fit in half the cap (5 x 9 = 45 <= 50); tail: the last lines holding
    // at least half the cap (6 x 9 = 54).
    expect(r.output).toBe(
      [
        'line-000', 'line-001', 'line-002', 'line-003', 'line-004',
        `... [189 lines (1701 bytes) omitted; the whole output is stored as ${r.outputRef}] ...`,
        'line-194', 'line-195', 'line-196', 'line-197', 'line-198', 'line-199',
      ].join('\n'),
    );
  });

  it('stores the whole output, readable by ref; the pages join to it exactly', () => {
    const r = collect(100, lines);
    const first = store.read(r.outputRef!, 0);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.page.pages).toBeGreaterThan(1);
    expect(first.page.totalBytes).toBe(r.outputBytes);
    expect(stored(r.outputRef!)).toBe(full);
    expect(Buffer.byteLength(full, 'utf8')).toBe(r.outputBytes);
  });

  it('accounts for every line and byte in the notice', () => {
    const r = collect(100, lines);
    const out = r.output.split('\n');
    const at = out.findIndex((l) => NOTICE.test(l));
    const [, omittedLines, omittedBytes] = NOTICE.exec(out[at]!)!;
    const shown = out.filter((_, i) => i !== at);
    expect(shown.length + Number(omittedLines)).toBe(lines.length);
    const shownBytes = shown.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0);
    expect(shownBytes + Number(omittedBytes)).toBe(r.outputBytes);
  });

  it('spills multi-byte text exactly and counts its bytes', () => {
    const big = Array.from({ length: 500 }, (_, i) => `${i}: ${'ü日😀'.repeat((i % 5) + 1)}`);
    const r = collect(1024, big);
    const text = big.map((l) => `${l}\n`).join('');
    expect(r.truncated).toBe(true);
    expect(r.outputBytes).toBe(Buffer.byteLength(text, 'utf8'));
    expect(stored(r.outputRef!)).toBe(text);
    const out = r.output.split('\n');
    expect(out[0]).toBe(big[0]);
    expect(out.at(-1)).toBe(big.at(-1));
    expect(r.output).not.toContain('\ufffd');
  });

  it('keeps the inline text near the cap however long the output', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `row ${i} ${'-'.repeat(i % 40)}`);
    const r = collect(2048, many);
    const notice = r.output.split('\n').find((l) => NOTICE.test(l))!;
    const inlineBytes = Buffer.byteLength(r.output, 'utf8') - Buffer.byteLength(notice, 'utf8');
    // Head <= cap/2; tail < cap/2 plus one line.
    expect(inlineBytes).toBeLessThanOrEqual(2048 + 60);
    expect(stored(r.outputRef!)).toBe(many.map((l) => `${l}\n`).join(''));
  });

  it('clips a very long line in the excerpt but stores it whole', () => {
    const long = 'x'.repeat(5000);
    const r = collect(1024, ['start', long, 'end']);
    expect(r.output).toBe(
      [
        'start',
        `... [0 lines (0 bytes) omitted; the whole output is stored as ${r.outputRef}] ...`,
        `${'x'.repeat(128)} ... [4744 characters omitted] ... ${'x'.repeat(128)}`,
        'end',
      ].join('\n'),
    );
    expect(stored(r.outputRef!)).toBe(`start\n${long}\nend\n`);
    expect(r.outputBytes).toBe(6 + 5001 + 4);
  });

  it('discard drops the spilled output', () => {
    const c = new OutputCollector(100, store);
    for (const l of lines) c.push(l);
    expect(readdirSync(path.join(root, 'outputs'))).toHaveLength(1);
    c.discard();
    expect(readdirSync(path.join(root, 'outputs'))).toEqual([]);
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it('discard after finish drops the stored output too', () => {
    const c = new OutputCollector(100, store);
    for (const l of lines) c.push(l);
    const r = c.finish();
    expect(store.read(r.outputRef!, 0).ok).toBe(true);
    c.discard();
    expect(store.read(r.outputRef!, 0).ok).toBe(false);
    expect(readdirSync(path.join(root, 'outputs'))).toEqual([]);
  });
});

describe('trimBlankLines', () => {
  it('drops whitespace-only lines at both ends and keeps inner ones', () => {
    expect(trimBlankLines([' ', '', 'a', ' ', 'b', '\t'])).toEqual(['a', ' ', 'b']);
    expect(trimBlankLines(['', ''])).toEqual([]);
    expect(trimBlankLines([])).toEqual([]);
  });
});

describe('clipLine', () => {
  it('leaves a line within the limit alone', () => {
    expect(clipLine('', 10)).toBe('');
    expect(clipLine('abcdefghij', 10)).toBe('abcdefghij');
  });

  it('keeps half the limit at each end and says how much was left out', () => {
    const line = `${'a'.repeat(50)}${'b'.repeat(900)}${'c'.repeat(50)}`;
    expect(clipLine(line, 100)).toBe(`${'a'.repeat(50)} ... [900 characters omitted] ... ${'c'.repeat(50)}`);
    expect(clipLine('0123456789'.repeat(10), 21)).toBe('0123456789 ... [80 characters omitted] ... 0123456789');
  });

  it('never returns a line longer than the original', () => {
    const line = 'y'.repeat(110);
    expect(clipLine(line, 100)).toBe(line);
  });

  it('keeps nothing of the ends when the limit is below 2', () => {
    const line = 'z'.repeat(100);
    expect(clipLine(line, 1)).toBe(' ... [100 characters omitted] ... ');
    expect(clipLine(line, 0)).toBe(' ... [100 characters omitted] ... ');
  });

  it('never splits a surrogate pair', () => {
    const line = '😀'.repeat(100); // 200 UTF-16 code units
    const clipped = clipLine(line, 21); // keep 10 code units each side = 5 emoji
    expect(clipped).toBe(`${'😀'.repeat(5)} ... [180 characters omitted] ... ${'😀'.repeat(5)}`);
    const odd = `a${'😀'.repeat(100)}`; // a head of 10 units would end inside a pair
    const oddClipped = clipLine(odd, 21);
    expect(oddClipped).toBe(`a${'😀'.repeat(4)} ... [182 characters omitted] ... ${'😀'.repeat(5)}`);
    const tailOdd = `${'😀'.repeat(100)}b`; // a tail of 10 units would start inside a pair
    expect(clipLine(tailOdd, 21)).toBe(`${'😀'.repeat(5)} ... [182 characters omitted] ... ${'😀'.repeat(4)}b`);
    expect(oddClipped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputStore, type OutputStoreOptions } from './OutputStore.js';

let root: string;
let dir: string;
const stores: OutputStore[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'poshpool-store-test-'));
  dir = path.join(root, 'outputs');
});

afterEach(() => {
  for (const s of stores.splice(0)) s.dispose();
  rmSync(root, { recursive: true, force: true });
});

function makeStore(options: Partial<OutputStoreOptions> = {}): OutputStore {
  const s = new OutputStore({ dir, pageBytes: 16, maxEntries: 10, maxTotalBytes: 1_000_000, ...options });
  stores.push(s);
  return s;
}

/** Writes `text` as one spilled output and returns its ref. */
function spill(store: OutputStore, ...chunks: string[]): string {
  const w = store.create();
  for (const c of chunks) w.append(c);
  w.close();
  return w.ref;
}

/** Every page of an output, in order. */
function allPages(store: OutputStore, ref: string): string[] {
  const first = store.read(ref, 0);
  if (!first.ok) throw new Error(first.reason);
  const texts = [first.page.text];
  for (let i = 1; i < first.page.pages; i++) {
    const r = store.read(ref, i);
    if (!r.ok) throw new Error(r.reason);
    texts.push(r.page.text);
  }
  return texts;
}

describe('OutputStore pages', () => {
  it('splits an output into pages that end at line ends, numbered from 0', () => {
    const store = makeStore({ pageBytes: 16 });
    const ref = spill(store, 'aaaaaaaaaa\n', 'bbbbbbbbbb\n', 'cc\n', 'dddddddddddddddddddd\n', 'e\n');
    expect(ref).toMatch(/^out-[0-9a-f]{16}$/);
    expect(store.read(ref, 0)).toEqual({
      ok: true,
      page: { ref, page: 0, pages: 3, text: 'aaaaaaaaaa\nbbbbbbbbbb\n', totalBytes: 48 },
    });
    expect(store.read(ref, 1)).toEqual({
      ok: true,
      page: { ref, page: 1, pages: 3, text: 'cc\ndddddddddddddddddddd\n', totalBytes: 48 },
    });
    expect(store.read(ref, 2)).toEqual({ ok: true, page: { ref, page: 2, pages: 3, text: 'e\n', totalBytes: 48 } });
  });

  it('finds line ends inside one appended chunk and across chunks', () => {
    const store = makeStore({ pageBytes: 8 });
    const ref = spill(store, 'one\ntwo\nthree\nfo', 'ur\nfive');
    expect(allPages(store, ref)).toEqual(['one\ntwo\n', 'three\nfour\n', 'five']);
  });

  it('keeps a line longer than a page whole on one page', () => {
    const store = makeStore({ pageBytes: 4 });
    const long = 'x'.repeat(50);
    const ref = spill(store, `${long}\n`, 'y\n');
    expect(allPages(store, ref)).toEqual([`${long}\n`, 'y\n']);
  });

  it('has no empty last page when the output ends exactly at a page boundary', () => {
    const store = makeStore({ pageBytes: 4 });
    const ref = spill(store, 'abc\ndef\n');
    const pages = allPages(store, ref);
    expect(pages).toEqual(['abc\n', 'def\n']);
  });

  it('gives one empty page for an empty output', () => {
    const store = makeStore();
    const ref = spill(store);
    expect(store.read(ref, 0)).toEqual({ ok: true, page: { ref, page: 0, pages: 1, text: '', totalBytes: 0 } });
  });

  it('keeps multi-byte UTF-8 intact; pages join back to the exact text and sizes count bytes', () => {
    const store = makeStore({ pageBytes: 10 });
    const lines = ['héllo wörld', '日本語のテキスト', '😀 emoji 🎉', 'Ωμέγα', 'plain'];
    const text = lines.map((l) => `${l}\n`).join('');
    const ref = spill(store, ...lines.map((l) => `${l}\n`));
    const pages = allPages(store, ref);
    expect(pages).toEqual(lines.map((l) => `${l}\n`)); // each line is at least a page
    expect(pages.join('')).toBe(text);
    const first = store.read(ref, 0);
    expect(first.ok && first.page.totalBytes).toBe(Buffer.byteLength(text, 'utf8'));
    expect(store.stats()).toEqual({ entries: 1, bytes: Buffer.byteLength(text, 'utf8') });
  });

  it('round-trips a large output written in many chunks (several flushes)', () => {
    const store = makeStore({ pageBytes: 64 * 1024 });
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const w = store.create();
    for (const l of lines) w.append(`${l}\n`);
    w.close();
    const pages = allPages(store, w.ref);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(p.endsWith('\n')).toBe(true);
    expect(pages.join('')).toBe(lines.map((l) => `${l}\n`).join(''));
  });
});

describe('OutputStore read failures', () => {
  it('refuses a page out of range with the valid range', () => {
    const store = makeStore({ pageBytes: 4 });
    const ref = spill(store, 'abc\ndef\n');
    expect(store.read(ref, 2)).toEqual({ ok: false, reason: `Page 2 does not exist: output "${ref}" has pages 0 to 1.` });
    expect(store.read(ref, -1)).toEqual({ ok: false, reason: `Page -1 does not exist: output "${ref}" has pages 0 to 1.` });
    const frac = store.read(ref, 0.5);
    expect(frac.ok).toBe(false);
    expect(!frac.ok && frac.reason).toContain('has pages 0 to 1');
  });

  it('refuses an unknown or malformed ref', () => {
    const store = makeStore();
    spill(store, 'x\n');
    expect(store.read('out-0123456789abcdef', 0)).toEqual({
      ok: false,
      reason: 'No stored output "out-0123456789abcdef": it never existed or was deleted to keep the store within its limits.',
    });
    const traversal = store.read('../../etc/passwd', 0);
    expect(traversal.ok).toBe(false);
    expect(!traversal.ok && traversal.reason).toContain('No stored output "../../etc/passwd"');
  });

  it('refuses an output that is still being written', () => {
    const store = makeStore();
    const w = store.create();
    w.append('partial\n');
    const r = store.read(w.ref, 0);
    expect(r).toEqual({ ok: false, reason: `Output "${w.ref}" is still being written; read it once its command has finished.` });
    w.close();
    expect(store.read(w.ref, 0)).toMatchObject({ ok: true, page: { text: 'partial\n' } });
  });

  it('answers with a reason, not an exception, when the files were removed from outside', () => {
    const store = makeStore();
    const ref = spill(store, 'x\n');
    rmSync(path.join(dir, `${ref}.txt`));
    const r = store.read(ref, 0);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(`Stored output "${ref}" can no longer be read`);
  });

  it('refuses appends after close', () => {
    const store = makeStore();
    const w = store.create();
    w.close();
    expect(() => w.append('x')).toThrow('SpillWriter is closed');
  });
});

describe('OutputStore retention', () => {
  it('keeps at most maxEntries outputs, deleting the oldest files', () => {
    const store = makeStore({ maxEntries: 2 });
    const a = spill(store, 'a\n');
    const b = spill(store, 'b\n');
    const c = spill(store, 'c\n');
    expect(store.stats()).toEqual({ entries: 2, bytes: 4 });
    expect(store.read(a, 0).ok).toBe(false);
    expect(existsSync(path.join(dir, `${a}.txt`))).toBe(false);
    expect(existsSync(path.join(dir, `${a}.txt.json`))).toBe(false);
    expect(store.read(b, 0)).toMatchObject({ ok: true, page: { text: 'b\n' } });
    expect(store.read(c, 0)).toMatchObject({ ok: true, page: { text: 'c\n' } });
    expect(readdirSync(dir).sort()).toEqual([`${b}.txt`, `${b}.txt.json`, `${c}.txt`, `${c}.txt.json`].sort());
  });

  it('keeps the total size within maxTotalBytes, deleting the oldest first', () => {
    const store = makeStore({ maxTotalBytes: 25 });
    const a = spill(store, '123456789\n'); // 10
    const b = spill(store, '123456789\n'); // 20
    const c = spill(store, '123456789\n'); // 30 > 25: a goes
    expect(store.stats()).toEqual({ entries: 2, bytes: 20 });
    expect(store.read(a, 0).ok).toBe(false);
    expect(existsSync(path.join(dir, `${a}.txt`))).toBe(false);
    expect(store.read(b, 0).ok).toBe(true);
    const d = spill(store, `${'x'.repeat(19)}\n`); // 20 + 20 = 40: b and c go
    expect(store.stats()).toEqual({ entries: 1, bytes: 20 });
    expect(store.read(b, 0).ok).toBe(false);
    expect(store.read(c, 0).ok).toBe(false);
    expect(store.read(d, 0).ok).toBe(true);
  });

  it('keeps the newest output even when it alone exceeds maxTotalBytes (its ref was just handed out)', () => {
    const store = makeStore({ maxTotalBytes: 5 });
    const a = spill(store, 'a\n');
    const big = spill(store, '0123456789\n');
    expect(store.read(a, 0).ok).toBe(false);
    expect(store.read(big, 0)).toMatchObject({ ok: true, page: { text: '0123456789\n' } });
    expect(store.stats()).toEqual({ entries: 1, bytes: 11 });
  });

  it('deletes one output on request', () => {
    const store = makeStore();
    const a = spill(store, 'a\n');
    const b = spill(store, 'b\n');
    store.delete(a);
    store.delete('out-ffffffffffffffff'); // unknown: nothing happens
    expect(store.read(a, 0).ok).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([`${b}.txt`, `${b}.txt.json`].sort());
    expect(store.stats()).toEqual({ entries: 1, bytes: 2 });
  });
});

describe('OutputStore discard and dispose', () => {
  it('discard removes the file of an unfinished output', () => {
    const store = makeStore();
    const w = store.create();
    w.append('secret\n');
    expect(readdirSync(dir)).toEqual([`${w.ref}.txt`]);
    w.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(store.read(w.ref, 0).ok).toBe(false);
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it('discard after close removes the output, its index and its entry', () => {
    const store = makeStore();
    const w = store.create();
    w.append('x\n');
    w.close();
    w.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
    expect(store.read(w.ref, 0)).toMatchObject({ ok: false });
  });

  it('dispose removes every output, finished or still being written, and refuses new ones', () => {
    const store = makeStore();
    spill(store, 'a\n');
    spill(store, 'b\n');
    const open = store.create();
    open.append('half\n');
    store.dispose();
    expect(readdirSync(dir)).toEqual([]);
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
    expect(() => store.create()).toThrow('OutputStore is disposed');
    open.close(); // the writer was dropped by dispose: closing it writes nothing
    expect(readdirSync(dir)).toEqual([]);
    store.dispose(); // idempotent
  });

  it('removes leftovers of an earlier run, and only those', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'out-0000000000000000.txt'), 'old');
    writeFileSync(path.join(dir, 'out-0000000000000000.txt.json'), '{}');
    writeFileSync(path.join(dir, 'keep.txt'), 'not ours');
    makeStore();
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});

describe.runIf(process.platform !== 'win32')('OutputStore permissions (POSIX)', () => {
  it('makes the directory 0700 and every file 0600', () => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const store = makeStore({ pageBytes: 4 });
    const ref = spill(store, 'abc\ndef\n');
    const w = store.create();
    w.append('x\n');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of [`${ref}.txt`, `${ref}.txt.json`, `${w.ref}.txt`]) {
      expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    }
    w.discard();
  });
});

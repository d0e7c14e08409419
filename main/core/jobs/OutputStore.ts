import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync, writeSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { OutputPage } from '../../../common/shell.js';

/** Settings of the output store. */
export interface OutputStoreOptions {
  /** Directory for spilled outputs (created user-only). */
  dir: string;
  /** Bytes per page when reading a spilled output; pages end at line ends. */
  pageBytes: number;
  /** Spilled outputs kept; the oldest are deleted beyond this. */
  maxEntries: number;
  /** Total bytes kept; the oldest are deleted beyond this. */
  maxTotalBytes: number;
}

/** Writes one spilled output. */
export interface SpillWriter {
  readonly ref: string;
  /** Appends text (already joined with newlines). */
  append(text: string): void;
  /** Finishes the file and its page index; the output becomes readable. */
  close(): void;
  /** Drops what was written. */
  discard(): void;
}

export type ReadPageResult = { ok: true; page: OutputPage } | { ok: false; reason: string };

const FLUSH_BYTES = 64 * 1024;
const REF_PATTERN = /^out-[0-9a-f]{16}$/;

/** Whole outputs that did not fit in a result, kept as files and read page by page. */
export class OutputStore {
  private readonly order: { ref: string; bytes: number }[] = [];
  /** Outputs still being written, with what drops each of them. */
  private readonly writing = new Map<string, () => void>();
  private disposed = false;

  constructor(private readonly options: OutputStoreOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    chmodSync(options.dir, 0o700);
    // Leftovers of an earlier run are not readable by ref any more (refs are not persisted): remove them.
    for (const name of readdirSync(options.dir)) {
      if (name.startsWith('out-')) rmSync(path.join(options.dir, name), { force: true });
    }
  }

  /** Starts a new spilled output. */
  create(): SpillWriter {
    if (this.disposed) throw new Error('OutputStore is disposed');
    const ref = `out-${randomBytes(8).toString('hex')}`;
    const file = this.fileOf(ref);
    const fd = openSync(file, 'w', 0o600);
    const pageStarts = [0];
    let written = 0;
    let pending: string[] = [];
    let pendingBytes = 0;
    let sinceBoundary = 0;
    let closed = false;
    const flush = (): void => {
      if (pending.length === 0) return;
      const buf = Buffer.from(pending.join(''), 'utf8');
      writeSync(fd, buf);
      pending = [];
      pendingBytes = 0;
    };
    const pageBytes = this.options.pageBytes;
    const onClosed = (bytes: number): void => {
      this.writing.delete(ref);
      this.order.push({ ref, bytes });
      this.enforceRetention();
    };
    const writer: SpillWriter = {
      ref,
      append(text: string) {
        if (closed) throw new Error('SpillWriter is closed');
        // Page boundaries fall just after a newline once a page's worth of bytes was written.
        let start = 0;
        while (start < text.length) {
          const nl = text.indexOf('\n', start);
          const piece = nl < 0 ? text.slice(start) : text.slice(start, nl + 1);
          const bytes = Buffer.byteLength(piece, 'utf8');
          pending.push(piece);
          pendingBytes += bytes;
          written += bytes;
          sinceBoundary += bytes;
          if (nl >= 0 && sinceBoundary >= pageBytes) {
            pageStarts.push(written);
            sinceBoundary = 0;
          }
          start = nl < 0 ? text.length : nl + 1;
        }
        if (pendingBytes >= FLUSH_BYTES) flush();
      },
      close() {
        if (closed) return;
        closed = true;
        flush();
        closeSync(fd);
        if (pageStarts.length > 1 && pageStarts[pageStarts.length - 1] === written) pageStarts.pop();
        writeFileSync(`${file}.json`, JSON.stringify({ pageStarts, totalBytes: written }), { mode: 0o600 });
        onClosed(written);
      },
      discard: () => {
        if (!closed) closeSync(fd);
        closed = true;
        this.writing.delete(ref);
        // Discarded after close: the output is already listed (or was deleted by retention).
        this.delete(ref);
        rmSync(file, { force: true });
      },
    };
    this.writing.set(ref, () => writer.discard());
    return writer;
  }

  /** Reads one page (0-based) of a spilled output. */
  read(ref: string, page: number): ReadPageResult {
    if (this.writing.has(ref)) {
      return { ok: false, reason: `Output "${ref}" is still being written; read it once its command has finished.` };
    }
    if (!REF_PATTERN.test(ref) || !this.order.some((e) => e.ref === ref)) {
      return { ok: false, reason: `No stored output "${ref}": it never existed or was deleted to keep the store within its limits.` };
    }
    const file = this.fileOf(ref);
    let index: { pageStarts: number[]; totalBytes: number };
    try {
      index = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { pageStarts: number[]; totalBytes: number };
    } catch (e) {
      return { ok: false, reason: `Stored output "${ref}" can no longer be read (${(e as Error).message}).` };
    }
    const pages = index.pageStarts.length;
    if (!Number.isInteger(page) || page < 0 || page >= pages) {
      return { ok: false, reason: `Page ${page} does not exist: output "${ref}" has pages 0 to ${pages - 1}.` };
    }
    const start = index.pageStarts[page]!;
    const end = page + 1 < pages ? index.pageStarts[page + 1]! : index.totalBytes;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      return { ok: false, reason: `Stored output "${ref}" can no longer be read (${(e as Error).message}).` };
    }
    try {
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      return { ok: true, page: { ref, page, pages, text: buf.toString('utf8'), totalBytes: index.totalBytes } };
    } finally {
      closeSync(fd);
    }
  }

  /** Deletes one spilled output. */
  delete(ref: string): void {
    const i = this.order.findIndex((e) => e.ref === ref);
    if (i < 0) return;
    this.order.splice(i, 1);
    rmSync(this.fileOf(ref), { force: true });
    rmSync(`${this.fileOf(ref)}.json`, { force: true });
  }

  /** Number of outputs kept and their total size. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.order.length, bytes: this.order.reduce((n, e) => n + e.bytes, 0) };
  }

  /** Deletes every spilled output, including those still being written. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const drop of [...this.writing.values()]) drop();
    for (const e of [...this.order]) this.delete(e.ref);
  }

  private enforceRetention(): void {
    let total = this.stats().bytes;
    while (this.order.length > 1 && (this.order.length > this.options.maxEntries || total > this.options.maxTotalBytes)) {
      const oldest = this.order[0]!;
      total -= oldest.bytes;
      this.delete(oldest.ref);
    }
  }

  private fileOf(ref: string): string {
    return path.join(this.options.dir, `${ref}.txt`);
  }
}


import type { OutputStore, SpillWriter } from '../jobs/OutputStore.js';

/** What a finished collection holds. */
export interface CollectedOutput {
  output: string;
  truncated: boolean;
  outputBytes: number;
  outputRef: string | null;
}

/**
 * Gathers the lines of one command's output. Everything stays in memory up to the cap; past it the
 * whole output streams to the output store and memory keeps only the head and a tail window.
 */
export class OutputCollector {
  private lines: string[] = [];
  private bytes = 0;
  private spill: SpillWriter | undefined;
  private head: string[] = [];
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private lineCount = 0;

  constructor(
    private readonly capBytes: number,
    private readonly store: OutputStore,
  ) {}

  /** Adds one complete line (without its newline). */
  push(line: string): void {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    this.bytes += size;
    this.lineCount++;
    if (!this.spill) {
      this.lines.push(line);
      if (this.bytes <= this.capBytes) return;
      this.startSpill();
      return;
    }
    this.spill.append(`${line}\n`);
    this.tail.push(line);
    this.tailBytes += size;
    while (this.tail.length > 1 && this.tailBytes - (Buffer.byteLength(this.tail[0]!, 'utf8') + 1) >= this.capBytes / 2) {
      this.tailBytes -= Buffer.byteLength(this.tail.shift()!, 'utf8') + 1;
    }
  }

  /** Total UTF-8 bytes seen so far (lines plus newlines). */
  get totalBytes(): number {
    return this.bytes;
  }

  /** The output so far plus `pending` lines not yet pushed, without ending the collection. */
  snapshot(pending: string[] = []): { output: string; outputBytes: number; truncated: boolean } {
    const pendingBytes = pending.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0);
    if (!this.spill) {
      const text = trimBlankLines([...this.lines, ...pending]).join('\n');
      return { output: text, outputBytes: this.bytes + pendingBytes, truncated: false };
    }
    const tail = [...this.tail, ...pending];
    const omitted = this.bytes - this.headBytes - this.tailBytes;
    const notice = `... [${omitted} bytes omitted so far] ...`;
    return { output: [...this.head, notice, ...tail].join('\n'), outputBytes: this.bytes + pendingBytes, truncated: true };
  }

  /** Ends the collection; drops leading and trailing blank lines from the inline text. */
  finish(): CollectedOutput {
    if (!this.spill) {
      const text = trimBlankLines(this.lines).join('\n');
      return { output: text, truncated: false, outputBytes: Buffer.byteLength(text, 'utf8'), outputRef: null };
    }
    this.spill.close();
    const omittedLines = this.lineCount - this.head.length - this.tail.length;
    const omittedBytes = this.bytes - this.headBytes - this.tailBytes;
    const notice = `... [${omittedLines} lines (${omittedBytes} bytes) omitted; the whole output is stored as ${this.spill.ref}] ...`;
    const clip = (line: string): string => clipLine(line, Math.floor(this.capBytes / 4));
    const output = [...this.head.map(clip), notice, ...this.tail.map(clip)].join('\n');
    return { output, truncated: true, outputBytes: this.bytes, outputRef: this.spill.ref };
  }

  /** Drops everything (the command's result is not going to be reported). */
  discard(): void {
    this.spill?.discard();
    this.lines = [];
  }

  private startSpill(): void {
    this.spill = this.store.create();
    const half = this.capBytes / 2;
    for (const line of this.lines) {
      const size = Buffer.byteLength(line, 'utf8') + 1;
      this.spill.append(`${line}\n`);
      if (this.headBytes + size <= half && this.tail.length === 0) {
        this.head.push(line);
        this.headBytes += size;
      } else {
        this.tail.push(line);
        this.tailBytes += size;
      }
    }
    while (this.tail.length > 1 && this.tailBytes - (Buffer.byteLength(this.tail[0]!, 'utf8') + 1) >= half) {
      this.tailBytes -= Buffer.byteLength(this.tail.shift()!, 'utf8') + 1;
    }
    this.lines = [];
  }
}

/** Removes blank lines at both ends (pwsh frames tables and errors with them). */
export function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end);
}

/** Shortens one line for the inline excerpt of a truncated output (the stored output keeps it whole). */
export function clipLine(line: string, maxChars: number): string {
  if (line.length <= maxChars) return line;
  const keep = Math.max(0, Math.floor(maxChars / 2));
  // Never cut a surrogate pair in half (it would turn into U+FFFD when encoded).
  const headEnd = isHighSurrogate(line.charCodeAt(keep - 1)) ? keep - 1 : keep;
  let tailStart = line.length - keep;
  if (isLowSurrogate(line.charCodeAt(tailStart))) tailStart++;
  const clipped = `${line.slice(0, headEnd)} ... [${tailStart - headEnd} characters omitted] ... ${line.slice(tailStart)}`;
  // Just over the limit, the notice would make the line longer than it was.
  return clipped.length < line.length ? clipped : line;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

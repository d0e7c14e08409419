/**
 * A session's recent terminal output, bounded: the newest `capacityChars` characters (cut at a line
 * start where one is near, so a late viewer does not begin inside an escape sequence), addressed by
 * a cursor that counts every character ever appended. A reader gives the cursor it has read up to;
 * one that fell behind the kept window gets the window again with `reset` (it redraws), so a slow
 * viewer costs no memory beyond the ring.
 */
export interface RingRead {
  /** The text from the reader's cursor (or from the window's start after a reset) to the end. */
  data: string;
  /** The cursor to read from next. */
  next: number;
  /** The reader's cursor was not in the window: `data` starts a new screen. */
  reset: boolean;
}

/** How far past a cut the ring looks for a line start to begin at instead. */
const LINE_START_SEARCH_CHARS = 4096;

export class TerminalRing {
  private chunks: string[] = [];
  private heldChars = 0;
  private end = 0;

  constructor(private readonly capacityChars: number) {
    if (!Number.isInteger(capacityChars) || capacityChars < 1) throw new RangeError(`capacityChars must be a positive integer, not ${capacityChars}`);
  }

  /** The cursor just past the newest character. */
  get cursor(): number {
    return this.end;
  }

  /** The cursor of the oldest character kept. */
  get start(): number {
    return this.end - this.heldChars;
  }

  /** Characters kept now (at most the capacity). */
  get size(): number {
    return this.heldChars;
  }

  append(text: string): void {
    if (text.length === 0) return;
    this.chunks.push(text);
    this.heldChars += text.length;
    this.end += text.length;
    if (this.heldChars > this.capacityChars) this.trim();
  }

  /** What a reader at `since` has not seen yet. */
  read(since: number): RingRead {
    if (!Number.isInteger(since) || since < this.start || since > this.end) {
      return { data: this.chunks.join(''), next: this.end, reset: true };
    }
    let skip = since - this.start;
    const parts: string[] = [];
    for (const chunk of this.chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      parts.push(skip > 0 ? chunk.slice(skip) : chunk);
      skip = 0;
    }
    return { data: parts.join(''), next: this.end, reset: false };
  }

  private trim(): void {
    let excess = this.heldChars - this.capacityChars;
    while (excess > 0 && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      if (first.length <= excess) {
        this.chunks.shift();
        this.heldChars -= first.length;
        excess -= first.length;
        continue;
      }
      // Cut inside the first chunk, at the next line start when it is near.
      const lineStart = first.indexOf('\n', excess - 1);
      const cut = lineStart >= 0 && lineStart - excess < LINE_START_SEARCH_CHARS ? lineStart + 1 : excess;
      this.chunks[0] = first.slice(cut);
      this.heldChars -= cut;
      excess = 0;
      if (this.chunks[0].length === 0) this.chunks.shift();
    }
  }
}

import type { IBufferLine, IMarker, Terminal } from '@xterm/headless';

/** Columns between two tab stops (xterm's default; a program that sets its own stops is not followed). */
const TAB_WIDTH = 8;
/** Rows with tabs remembered at most (the oldest are forgotten beyond it: their tabs come back as spaces). */
const MAX_ROWS = 20_000;

/**
 * Where tabs were written, so captured text gives them back as tabs. A terminal renders a tab as a
 * cursor move over empty cells, and read back that is spaces: an agent that reads a Makefile or a
 * TSV and writes it back broke it. The screen sends each tab through a private OSC just before it
 * (TerminalScreen.write); note() is called then, with the cursor where the tab starts. A row is read
 * back with a tab wherever the cells the tab skipped are still empty.
 */
export class TabMarks {
  private readonly rows: { marker: IMarker; cols: number[] }[] = [];

  constructor(private readonly term: Terminal) {}

  /** A tab is about to be written at the cursor. */
  note(): void {
    const b = this.term.buffer.active;
    const row = b.baseY + b.cursorY;
    const last = this.rows[this.rows.length - 1];
    if (last && !last.marker.isDisposed && last.marker.line === row) {
      last.cols.push(b.cursorX);
      return;
    }
    const marker = this.term.registerMarker(0);
    if (!marker) return;
    this.rows.push({ marker, cols: [b.cursorX] });
    if (this.rows.length > MAX_ROWS) this.rows.shift()?.marker.dispose();
  }

  /** The text of `line` (buffer row `row`) from `startCol`, with its tabs; trailing empty cells dropped when `trimRight`. */
  text(row: number, line: IBufferLine, startCol: number, trimRight: boolean): string {
    const cols = this.colsAt(row);
    if (!cols) return line.translateToString(trimRight, startCol);
    const tabs = new Set(cols);
    const parts: string[] = [];
    // Where the text ends: after the last cell with content, or the last tab kept.
    let end = 0;
    let x = startCol;
    while (x < line.length) {
      if (tabs.has(x)) {
        const stop = Math.min(line.length, (Math.floor(x / TAB_WIDTH) + 1) * TAB_WIDTH);
        if (emptyCells(line, x, stop)) {
          parts.push('\t');
          end = parts.length;
          x = stop;
          continue;
        }
      }
      const cell = line.getCell(x);
      const width = cell?.getWidth() ?? 1;
      const chars = cell?.getChars() ?? '';
      if (width === 0) {
        x++;
        continue;
      }
      parts.push(chars === '' ? ' ' : chars);
      if (chars !== '') end = parts.length;
      x += width;
    }
    return (trimRight ? parts.slice(0, end) : parts).join('');
  }

  /** Forgets the rows above `row` (they have been read). */
  forgetBefore(row: number): void {
    while (this.rows.length > 0) {
      const first = this.rows[0]!;
      if (!first.marker.isDisposed && first.marker.line >= row) return;
      first.marker.dispose();
      this.rows.shift();
    }
  }

  /** Forgets every row. */
  clear(): void {
    for (const r of this.rows) r.marker.dispose();
    this.rows.length = 0;
  }

  private colsAt(row: number): number[] | undefined {
    let cols: number[] | undefined;
    for (const r of this.rows) {
      if (r.marker.isDisposed || r.marker.line !== row) continue;
      cols = cols ? [...cols, ...r.cols] : r.cols;
    }
    return cols;
  }
}

function emptyCells(line: IBufferLine, from: number, to: number): boolean {
  for (let x = from; x < to; x++) if ((line.getCell(x)?.getChars() ?? '') !== '') return false;
  return true;
}

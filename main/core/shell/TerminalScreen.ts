import xtermHeadless from '@xterm/headless';
import type { IMarker, Terminal as XTerminal } from '@xterm/headless';

// @xterm/headless is CommonJS: under native ESM only its default export is reliable.
const { Terminal } = xtermHeadless;

/** Settings of the virtual terminal. */
export interface TerminalScreenOptions {
  cols: number;
  rows: number;
  scrollback: number;
  /** Private OSC number whose sequences are handed to onMarker. */
  oscNumber: number;
  /** On Windows: ConPTY's build, so xterm applies its workarounds for ConPTY's line wrapping. */
  windowsPty?: { backend: 'conpty'; buildNumber: number };
  /** Bytes the terminal renders between two harvests; keeps scrolled-off rows from being trimmed unread. */
  sliceChars: number;
  /** The terminal's replies to queries (cursor position, device attributes): write them to the pty. */
  onReply(data: string): void;
  /** Called in stream order, with the screen exactly as it was when the sequence arrived. */
  onMarker(data: string): void;
  /** Called after each slice is parsed, with the characters still waiting to be parsed. */
  onParsed?(backlog: number): void;
}

/**
 * The pty's output rendered by @xterm/headless. Captures the text between two points of the stream
 * (a command's start and end markers) as lines: wrapped rows joined, escape sequences gone, cursor
 * movement applied. Rows are harvested as they scroll into the scrollback, so output of any length
 * passes through a bounded buffer.
 */
export class TerminalScreen {
  private readonly term: XTerminal;
  private capture: { marker: IMarker | undefined; row: number; startCol: number; partial: string; sink: (line: string) => void } | undefined;
  private disposed = false;
  private pending = 0;

  constructor(private readonly options: TerminalScreenOptions) {
    this.term = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollback,
      allowProposedApi: true,
      convertEol: false,
      ...(options.windowsPty ? { windowsPty: options.windowsPty } : {}),
    });
    this.term.onData((data) => {
      if (data) options.onReply(data);
    });
    this.term.parser.registerOscHandler(options.oscNumber, (data) => {
      options.onMarker(data);
      return true;
    });
  }

  /** Feeds pty output to the terminal. */
  write(data: string): void {
    if (this.disposed) return;
    const step = this.options.sliceChars;
    for (let i = 0; i < data.length; i += step) {
      // xterm parses a write on a later timer tick (at least 1 ms in Node) unless input was just
      // typed: an empty "typed" input makes it parse now when nothing is queued, so markers and
      // terminal queries are handled without that delay. Bulk output still queues and batches.
      this.term.input('', true);
      const slice = data.slice(i, i + step);
      this.pending += slice.length;
      this.term.write(slice, () => {
        this.pending -= slice.length;
        this.harvest(false);
        this.options.onParsed?.(this.pending);
      });
    }
  }

  /** Characters written but not parsed yet (for flow control). */
  get backlog(): number {
    return this.pending;
  }

  /** Resolves once everything written so far has been parsed. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.disposed) resolve();
      else this.term.write('', resolve);
    });
  }

  /** Starts capturing at the cursor; call from onMarker. Lines go to sink as they complete. */
  beginCapture(sink: (line: string) => void): void {
    const b = this.term.buffer.active;
    const row = b.baseY + b.cursorY;
    this.capture = { marker: this.term.registerMarker(0), row, startCol: b.cursorX, partial: '', sink };
  }

  /** Ends the capture at the cursor; call from onMarker. The last (partial) row is included. */
  endCapture(): void {
    if (!this.capture) return;
    this.harvest(true);
    this.capture.marker?.dispose();
    this.capture = undefined;
  }

  /** The captured rows not yet handed to the sink (up to the cursor), without consuming them. */
  peekCapture(): string[] {
    const c = this.capture;
    if (!c) return [];
    const b = this.term.buffer.active;
    const cursorRow = b.baseY + b.cursorY;
    let row = c.marker && !c.marker.isDisposed ? c.marker.line : c.marker ? 0 : c.row;
    if (row < 0) row = 0;
    const lines: string[] = [];
    let partial = c.partial;
    let startCol = c.startCol;
    for (; row <= cursorRow; row++) {
      const line = b.getLine(row);
      if (!line) break;
      const continues = row < cursorRow && (b.getLine(row + 1)?.isWrapped ?? false);
      partial += line.translateToString(!continues, startCol);
      startCol = 0;
      if (!continues) {
        lines.push(partial);
        partial = '';
      }
    }
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  /** Stops capturing without harvesting the rest. */
  abandonCapture(): void {
    this.capture?.marker?.dispose();
    this.capture = undefined;
  }

  /** The text of the cursor's row, without trailing blanks (a prompt such as "Name: " when input is awaited). */
  cursorLine(): string {
    const b = this.term.buffer.active;
    return b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '';
  }

  /** The last `count` non-empty rows up to the cursor, for error messages and input prompts. */
  tail(count: number): string {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let i = b.baseY + b.cursorY; i >= 0 && out.length < count; i--) {
      const text = b.getLine(i)?.translateToString(true) ?? '';
      if (text.trim() !== '' || out.length > 0) out.unshift(text);
    }
    return out.join('\n').trimEnd();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abandonCapture();
    this.term.dispose();
  }

  /**
   * Moves completed rows into the sink. Rows in the scrollback can no longer change (the cursor cannot
   * reach them), so mid-command only those are taken; at the end everything up to the cursor is.
   */
  private harvest(final: boolean): void {
    const c = this.capture;
    if (!c) return;
    const b = this.term.buffer.active;
    const cursorRow = b.baseY + b.cursorY;
    let row = c.marker && !c.marker.isDisposed ? c.marker.line : c.marker ? 0 : c.row;
    if (row < 0) row = 0;
    const limit = final ? cursorRow : b.baseY - 1;
    if (row > limit) return;
    for (; row <= limit; row++) {
      const line = b.getLine(row);
      if (!line) break;
      const continues = row < cursorRow && (b.getLine(row + 1)?.isWrapped ?? false);
      const startCol = c.startCol;
      c.startCol = 0;
      c.partial += line.translateToString(!continues, startCol);
      // The cursor's own empty row at the end is where the next output would go, not a line.
      if (final && row === cursorRow && c.partial === '') break;
      if (!continues) {
        c.sink(c.partial);
        c.partial = '';
      }
    }
    c.marker?.dispose();
    if (!final) {
      c.marker = this.term.registerMarker(row - cursorRow);
      c.row = row;
    }
  }

}

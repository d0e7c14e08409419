import xtermHeadless from '@xterm/headless';
import type { IBufferLine, IMarker, Terminal as XTerminal } from '@xterm/headless';
import { TabMarks } from './TabMarks.js';

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
  /** ConPTY shapes the stream (xterm's windowsPty); the build when known (a remote Windows host's is not). */
  windowsPty?: { backend: 'conpty'; buildNumber?: number };
  /**
   * The answer to a primary device attributes query (CSI c), instead of xterm's VT100 one. ConPTY
   * 1.22+ asks at start-up and holds the shell back for up to 3 s until a terminal answers
   * (microsoft/terminal src/host/VtIo.cpp, StartIfNeeded / WaitUntilDA1; VS Code answers it for the
   * same reason, microsoft/vscode#243376); a conformance level of 61+ is an answer it takes
   * (microsoft/terminal#18681 validated `ESC[?61c`).
   */
  deviceAttributes?: string;
  /**
   * The pty passes the program's bytes through as written (POSIX): a screen erase (ED2) then scrolls
   * the screen into the scrollback instead of blanking it, so a command's rows above a `clear` stay
   * captured, and erasing the scrollback (ED3) or a full reset (RIS) is ignored, so they cannot wipe
   * the capture. False for ConPTY, which re-renders the console and repaints after an erase: kept as
   * xterm does it, or the repaint would add a second copy of rows already pushed up.
   */
  passThrough?: boolean;
  /** Bytes the terminal renders between two harvests; keeps scrolled-off rows from being trimmed unread. */
  sliceChars: number;
  /** The terminal's replies to queries (cursor position, device attributes): write them to the pty. */
  onReply(data: string): void;
  /** Called in stream order, with the screen exactly as it was when the sequence arrived. */
  onMarker(data: string): void;
  /** Called after each slice is parsed, with the characters still waiting to be parsed. */
  onParsed?(backlog: number): void;
}

/** The two fence lines around one command's output (see integration.ps1). */
export interface CaptureFences {
  start: string;
  end: string;
}

interface Capture {
  fences: CaptureFences;
  phase: 'seekStart' | 'capturing';
  /** Where the next fence scan starts. */
  seek: IMarker | undefined;
  seekRow: number;
  /** The first row not yet handed to the sink. */
  from: IMarker | undefined;
  fromRow: number;
  startCol: number;
  partial: string;
  sink(line: string): void;
  onComplete(): void;
}

/**
 * The pty's output rendered by @xterm/headless. Captures the text between two points of the stream
 * (a command's start and end markers) as lines: wrapped rows joined, escape sequences gone, cursor
 * movement applied. Rows are harvested as they scroll into the scrollback, so output of any length
 * passes through a bounded buffer.
 */
export class TerminalScreen {
  private readonly term: XTerminal;
  private capture: Capture | undefined;
  /** Where tabs were written (pass-through ptys only: ConPTY renders a tab as cursor moves before it reaches us). */
  private readonly tabs: TabMarks | undefined;
  /** What write() puts before each tab: a private OSC (oscNumber + 1) that makes the terminal note where it starts. */
  private readonly tabMark: string;
  private disposed = false;
  private pending = 0;

  constructor(private readonly options: TerminalScreenOptions) {
    this.term = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollback,
      allowProposedApi: true,
      convertEol: false,
      scrollOnEraseInDisplay: options.passThrough ?? false,
      ...(options.windowsPty ? { windowsPty: options.windowsPty } : {}),
    });
    if (options.passThrough) {
      // ED3 (erase the scrollback, part of `clear`) and RIS (ESC c): handled as no-ops.
      this.term.parser.registerCsiHandler({ final: 'J' }, (params) => params.length === 1 && params[0] === 3);
      this.term.parser.registerEscHandler({ final: 'c' }, () => true);
      const tabs = new TabMarks(this.term);
      this.tabs = tabs;
      this.term.parser.registerOscHandler(options.oscNumber + 1, () => {
        tabs.note();
        return true;
      });
    }
    this.tabMark = `\x1b]${options.oscNumber + 1};\x07\t`;
    this.term.onData((data) => {
      if (data) options.onReply(data);
    });
    this.term.parser.registerOscHandler(options.oscNumber, (data) => {
      options.onMarker(data);
      return true;
    });
    const da = options.deviceAttributes;
    if (da !== undefined) {
      // Only the primary query (no prefix, parameter 0 or none); the others keep xterm's answers.
      this.term.parser.registerCsiHandler({ final: 'c' }, (params) => {
        if (params.length > 1 || (params.length === 1 && params[0] !== 0)) return false;
        options.onReply(da);
        return true;
      });
    }
  }

  /** Feeds pty output to the terminal. */
  write(data: string): void {
    if (this.disposed) return;
    if (this.tabs && data.includes('\t')) data = data.replaceAll('\t', this.tabMark);
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
        this.step();
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

  /**
   * Starts capturing one command's output: the rows after the row that reads `fences.start`, up to
   * the row before the one that reads `fences.end`. Call from onMarker (the start marker); the fences
   * may be painted later than the marker arrives (ConPTY), so the capture completes on a later parse
   * then. `onComplete` is called once the end fence has been seen and every row above it handed to
   * `sink`.
   */
  beginCapture(fences: CaptureFences, sink: (line: string) => void, onComplete: () => void): void {
    this.abandonCapture();
    const b = this.term.buffer.active;
    // ConPTY paints inside the visible screen only: the start fence is at or below its top row.
    const top = b.baseY;
    this.capture = { fences, phase: 'seekStart', seek: this.markRow(top), seekRow: top, from: undefined, fromRow: top, startCol: 0, partial: '', sink, onComplete };
    this.step();
  }

  /** Looks for the fences now (call from onMarker: the buffer is as the marker found it). */
  checkFences(): void {
    this.step();
  }

  /** Whether a capture is under way (begun and not complete). */
  get capturing(): boolean {
    return this.capture !== undefined;
  }

  /**
   * Ends the capture at the cursor without an end fence (the command was cut short: a stop, pwsh
   * gone, or a fence that never came). The last (partial) row is included.
   */
  forceEndCapture(): void {
    const c = this.capture;
    if (!c) return;
    if (c.phase === 'capturing') this.harvest(c, this.cursorRow(), true);
    this.complete(c);
  }

  /** The captured rows not yet handed to the sink (up to the cursor), without consuming them. */
  peekCapture(): string[] {
    const c = this.capture;
    if (!c || c.phase !== 'capturing') return [];
    const b = this.term.buffer.active;
    const cursorRow = this.cursorRow();
    const lines: string[] = [];
    let partial = c.partial;
    let startCol = c.startCol;
    for (let row = this.rowOf(c.from, c.fromRow); row <= cursorRow; row++) {
      const line = b.getLine(row);
      if (!line) break;
      const continues = row < cursorRow && (b.getLine(row + 1)?.isWrapped ?? false);
      partial += this.lineText(row, line, startCol, !continues);
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
    const c = this.capture;
    if (!c) return;
    c.seek?.dispose();
    c.from?.dispose();
    this.capture = undefined;
    this.tabs?.clear();
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
   * Moves the capture on after a parse: finds the start fence, then the end fence, scanning only the
   * rows from the cursor row of the last scan on (the terminal never paints a fence above a cursor
   * row it has already left), and moves rows that scrolled into the scrollback to the sink.
   */
  private step(): void {
    const c = this.capture;
    if (!c) return;
    const b = this.term.buffer.active;
    const cursorRow = this.cursorRow();
    let row = this.rowOf(c.seek, c.seekRow);
    if (c.phase === 'seekStart') {
      for (; row <= cursorRow; row++) {
        if (this.rowText(row) === c.fences.start) break;
      }
      if (row > cursorRow) {
        this.moveSeek(c, cursorRow);
        return;
      }
      c.phase = 'capturing';
      row++;
      c.from?.dispose();
      c.from = this.markRow(row);
      c.fromRow = row;
      this.moveSeek(c, row);
    }
    for (; row <= cursorRow; row++) {
      if (this.rowText(row) === c.fences.end && !(b.getLine(row)?.isWrapped ?? false)) {
        this.harvest(c, row - 1, true);
        this.complete(c);
        return;
      }
    }
    this.moveSeek(c, cursorRow);
    // Rows in the scrollback can no longer change (the cursor cannot reach them): hand them over now.
    this.harvest(c, b.baseY - 1, false);
  }

  /** Moves rows from the capture's position up to `limit` into the sink; `final` takes the last row even if it continues. */
  private harvest(c: Capture, limit: number, final: boolean): void {
    const b = this.term.buffer.active;
    let row = this.rowOf(c.from, c.fromRow);
    if (row > limit) return;
    for (; row <= limit; row++) {
      const line = b.getLine(row);
      if (!line) break;
      const continues = (final ? row < limit : true) && (b.getLine(row + 1)?.isWrapped ?? false);
      c.partial += this.lineText(row, line, c.startCol, !continues);
      c.startCol = 0;
      // The last row, when empty, is where the cursor stood when the command ended: where the next
      // output would go, not a line of this one.
      if (final && row === limit && c.partial === '') break;
      if (!continues) {
        c.sink(c.partial);
        c.partial = '';
      }
    }
    if (final && c.partial !== '') {
      c.sink(c.partial);
      c.partial = '';
    }
    c.from?.dispose();
    c.from = this.markRow(row);
    c.fromRow = row;
    this.tabs?.forgetBefore(row);
  }

  private lineText(row: number, line: IBufferLine, startCol: number, trimRight: boolean): string {
    return this.tabs ? this.tabs.text(row, line, startCol, trimRight) : line.translateToString(trimRight, startCol);
  }

  private complete(c: Capture): void {
    this.abandonCapture();
    c.onComplete();
  }

  private cursorRow(): number {
    const b = this.term.buffer.active;
    return b.baseY + b.cursorY;
  }

  private rowText(row: number): string {
    return this.term.buffer.active.getLine(row)?.translateToString(true) ?? '';
  }

  /** A marker that follows `row` as the scrollback is trimmed. */
  private markRow(row: number): IMarker | undefined {
    return this.term.registerMarker(row - this.cursorRow());
  }

  /** The row a marker stands on; a marker trimmed off the top stands on row 0. */
  private rowOf(marker: IMarker | undefined, fallback: number): number {
    if (!marker) return Math.max(0, fallback);
    return marker.isDisposed ? 0 : Math.max(0, marker.line);
  }

  private moveSeek(c: Capture, row: number): void {
    c.seek?.dispose();
    c.seek = this.markRow(row);
    c.seekRow = row;
  }
}

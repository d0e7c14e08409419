/**
 * What a person watching a session's terminal should see of the raw pty stream: the output of the
 * commands, and none of poshpool's own traffic. Stateful and chunk-boundary safe: a piece of
 * poshpool's traffic split across two chunks is held back until it can be told apart.
 *
 * The raw stream of a session (read from real pwsh, see TerminalFilter.test.ts) is, per command:
 *   PS> #poshpool-run 1 <base64>\r\n                        the prompt and the echoed run line
 *   \r<fence>:1:s ESC[K \r\r\n                              the start fence
 *   ESC ] <osc> ; <nonce> ; 1 ; start ; BEL ESC[2J ESC[H    the start marker, then a fresh screen (POSIX)
 *   ...the command's output...
 *   \r\r\n\r<fence>:1:e ESC[K \r\r\n                        the end fence
 *   ESC ] <osc> ; <nonce> ; 1 ; end ; <payload> BEL         the end marker, then ESC[6n, ready, PS>
 * Everything outside a command's fences is poshpool's (prompt, run and part lines, markers, cursor
 * queries), so it is dropped whole; inside, the markers carrying the session's nonce are dropped.
 * Commands marked hidden (poshpool's own: a Set-Location, the reset) are dropped entirely.
 */
export interface TerminalFilterOptions {
  /** The session's fence (`#poshpool-fence-<hex>`), which begins every fence line. */
  fence: string;
  /** The OSC number of poshpool's markers. */
  oscNumber: number;
  /** The session's marker nonce. */
  nonce: string;
}

/** Longest unfinished marker held back waiting for its BEL; a longer one is not ours and passes. */
const MAX_HELD_MARKER_CHARS = 8192;
/** The fresh screen the integration writes after the start marker on POSIX (erase display, cursor home). */
const FRESH_SCREEN = '\x1b[2J\x1b[H';
/** What the integration writes before the end fence: a line end so the fence starts its own row. */
const END_FENCE_LEAD = '\r\r\n\r';
const BEL = '\x07';
const ST = '\x1b\\';

type Mode = 'outside' | 'afterStart' | 'inside';

export class TerminalFilter {
  private mode: Mode = 'outside';
  /** Text not yet decided on (a possible start of poshpool's traffic at the end of a chunk). */
  private held = '';
  /** The sequence number of the command whose output is passing now. */
  private seq = 0;
  private readonly hidden = new Set<number>();
  private readonly markerStart: string;

  constructor(private readonly options: TerminalFilterOptions) {
    this.markerStart = `\x1b]${options.oscNumber};${options.nonce};`;
  }

  /** Command `seq` is poshpool's own: its output is not shown. */
  hide(seq: number): void {
    this.hidden.add(seq);
  }

  /** Takes one chunk of the raw stream; returns what the person should see of it (maybe ''). */
  write(chunk: string): string {
    let text = this.held + chunk;
    this.held = '';
    let out = '';
    // Each pass consumes a prefix of `text` (or holds the rest back), so this ends.
    while (text.length > 0) {
      if (this.mode === 'outside') {
        text = this.skipOutside(text);
      } else if (this.mode === 'afterStart') {
        text = this.skipFreshScreen(text);
      } else {
        const step = this.passInside(text);
        out += step.out;
        text = step.rest;
      }
    }
    return out;
  }

  /** What is held back, given up (the stream ended): only output of a running command is shown. */
  flush(): string {
    const rest = this.mode === 'inside' && !this.hidden.has(this.seq) ? this.held : '';
    this.held = '';
    return rest;
  }

  /** Outside a command: drop everything up to a start fence line. */
  private skipOutside(text: string): string {
    const at = text.indexOf(this.options.fence + ':');
    if (at < 0) {
      // Keep what may be the beginning of a fence split by the chunk boundary.
      this.held = longestSuffixPrefix(text, this.options.fence + ':');
      return '';
    }
    const lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) {
      this.held = text.slice(at);
      return '';
    }
    const fenceLine = parseFenceLine(text.slice(at + this.options.fence.length + 1, lineEnd));
    if (fenceLine?.kind === 's') {
      this.mode = 'afterStart';
      this.seq = fenceLine.seq;
      for (const old of this.hidden) if (old < this.seq) this.hidden.delete(old);
    }
    return text.slice(lineEnd + 1);
  }

  /** Right after the start fence: the start marker and the fresh screen are poshpool's. */
  private skipFreshScreen(text: string): string {
    if (text.startsWith(this.markerStart)) return this.skipMarker(text) ?? '';
    if (text.startsWith(FRESH_SCREEN)) {
      this.mode = 'inside';
      return text.slice(FRESH_SCREEN.length);
    }
    if (isPrefix(text, this.markerStart) || isPrefix(text, FRESH_SCREEN)) {
      this.held = text;
      return '';
    }
    // Windows (ConPTY) paints no fresh screen of ours: the output begins here.
    this.mode = 'inside';
    return text;
  }

  /** Drops one marker at the start of `text`; undefined (and held) when its end has not come yet. */
  private skipMarker(text: string): string | undefined {
    const end = markerEnd(text);
    if (end < 0) {
      if (text.length > MAX_HELD_MARKER_CHARS) return text.slice(this.markerStart.length);
      this.held = text;
      return undefined;
    }
    return text.slice(end);
  }

  /** Inside a command: pass its output, drop markers, stop at the end fence. */
  private passInside(text: string): { out: string; rest: string } {
    const shown = (s: string): string => (this.hidden.has(this.seq) ? '' : s);
    const fenceAt = text.indexOf(this.options.fence + ':');
    const markerAt = text.indexOf(this.markerStart);
    if (markerAt >= 0 && (fenceAt < 0 || markerAt < fenceAt)) {
      const after = this.skipMarker(text.slice(markerAt));
      return { out: shown(text.slice(0, markerAt)), rest: after ?? '' };
    }
    if (fenceAt >= 0) {
      const lineEnd = text.indexOf('\n', fenceAt);
      if (lineEnd < 0) {
        // Decide once the fence line is whole (it may be another command's, or printed by this one).
        const before = stripEndFenceLead(text.slice(0, fenceAt));
        this.held = text.slice(before.length);
        return { out: shown(before), rest: '' };
      }
      const fenceLine = parseFenceLine(text.slice(fenceAt + this.options.fence.length + 1, lineEnd));
      if (fenceLine?.kind === 'e' && fenceLine.seq === this.seq) {
        this.mode = 'outside';
        return { out: shown(stripEndFenceLead(text.slice(0, fenceAt))), rest: text.slice(lineEnd + 1) };
      }
      // Not our end fence (a command printing the fence's text): it is output.
      return { out: shown(text.slice(0, lineEnd + 1)), rest: text.slice(lineEnd + 1) };
    }
    const fence = this.options.fence + ':';
    const keep = Math.max(...[END_FENCE_LEAD + fence, '\r' + fence, fence, this.markerStart].map((p) => longestSuffixPrefix(text, p).length));
    this.held = text.slice(text.length - keep);
    return { out: shown(text.slice(0, text.length - keep)), rest: '' };
  }
}

/** `<seq>:<s|e>` and what follows on the fence's row (ESC[K, CRs). */
function parseFenceLine(rest: string): { seq: number; kind: 's' | 'e' } | undefined {
  const m = /^(\d{1,9}):([se])/.exec(rest);
  return m ? { seq: Number(m[1]), kind: m[2] as 's' | 'e' } : undefined;
}

/** The line end the integration writes before the end fence is not the command's. */
function stripEndFenceLead(text: string): string {
  if (text.endsWith(END_FENCE_LEAD)) return text.slice(0, -END_FENCE_LEAD.length);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** Index just past the marker's terminator (BEL or ST), or -1. */
function markerEnd(text: string): number {
  const bel = text.indexOf(BEL);
  const st = text.indexOf(ST);
  if (bel < 0 && st < 0) return -1;
  if (bel < 0) return st + ST.length;
  if (st < 0) return bel + 1;
  return Math.min(bel + 1, st + ST.length);
}

function isPrefix(text: string, of: string): boolean {
  return text.length < of.length && of.startsWith(text);
}

/** The longest end of `text` that is a beginning of `pattern` (shorter than the pattern). */
export function longestSuffixPrefix(text: string, pattern: string): string {
  for (let n = Math.min(text.length, pattern.length - 1); n > 0; n--) {
    const tail = text.slice(text.length - n);
    if (pattern.startsWith(tail)) return tail;
  }
  return '';
}

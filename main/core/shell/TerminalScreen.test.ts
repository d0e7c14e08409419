import { describe, expect, it } from 'vitest';
import { TerminalScreen } from './TerminalScreen.js';

function screen(deviceAttributes?: string): { s: TerminalScreen; replies: string[] } {
  const replies: string[] = [];
  const s = new TerminalScreen({ cols: 80, rows: 10, scrollback: 1000, oscNumber: 7717, sliceChars: 256, deviceAttributes, onReply: (d) => replies.push(d), onMarker: () => undefined });
  return { s, replies };
}

describe('answers to terminal queries', () => {
  it("answers ConPTY's start-up device attributes query with a level it takes (it holds pwsh back up to 3 s otherwise)", async () => {
    const { s, replies } = screen('\x1b[?61;22c');
    s.write('\x1b[c');
    s.write('\x1b[0c');
    await s.flush();
    expect(replies).toEqual(['\x1b[?61;22c', '\x1b[?61;22c']);
    // The secondary query keeps xterm's own answer.
    s.write('\x1b[>c');
    await s.flush();
    expect(replies).toHaveLength(3);
    expect(replies[2]!.startsWith('\x1b[>')).toBe(true);
    s.dispose();
  });

  it("keeps xterm's VT100 answer on a plain pty, and answers cursor position queries", async () => {
    const { s, replies } = screen();
    s.write('ab\x1b[c\x1b[6n');
    await s.flush();
    expect(replies).toEqual(['\x1b[?1;2c', '\x1b[1;3R']);
    s.dispose();
  });
});

describe('erases on a pass-through pty and on ConPTY', () => {
  async function captured(passThrough: boolean, text: string): Promise<string[]> {
    const lines: string[] = [];
    let done = false;
    const s = new TerminalScreen({
      cols: 80,
      rows: 10,
      scrollback: 1000,
      oscNumber: 7717,
      sliceChars: 256,
      passThrough,
      onReply: () => undefined,
      onMarker: () => s.beginCapture({ start: 'S', end: 'E' }, (l) => lines.push(l), () => (done = true)),
    });
    s.write(`old 1\r\nold 2\r\nS\r\n\x1b]7717;go\x07${text}\r\nE\r\n`);
    await s.flush();
    s.dispose();
    expect(done).toBe(true);
    return lines;
  }

  it('on a pass-through pty, clear (ED2 + ED3) and a full reset keep the rows printed before them', async () => {
    expect(await captured(true, 'a\r\nb\x1b[H\x1b[2J\x1b[3Jc\r\nd\x1bce')).toEqual(['a', 'b', 'c', 'de']);
  });

  // ConPTY passes ED2 on and then repaints the rows it believes changed (microsoft/terminal#5683,
  // #919, #1193): pushing the screen into the scrollback there would capture the repainted rows twice.
  // So with ConPTY an erase blanks the screen, as xterm does by default.
  it('with ConPTY, an erase blanks the screen as xterm does (the rows before it are not kept)', async () => {
    expect(await captured(false, 'a\r\nb\x1b[H\x1b[2Jc')).toEqual(['c']);
  });
});

describe('tabs', () => {
  async function capture(passThrough: boolean, text: string, rows = 10): Promise<string[]> {
    const lines: string[] = [];
    const s = new TerminalScreen({
      cols: 80,
      rows,
      scrollback: 1000,
      oscNumber: 7717,
      sliceChars: 256,
      passThrough,
      onReply: () => undefined,
      onMarker: () => s.beginCapture({ start: 'S', end: 'E' }, (l) => lines.push(l), () => undefined),
    });
    s.write(`S\r\n\x1b]7717;go\x07${text}\r\nE\r\n`);
    await s.flush();
    s.dispose();
    return lines;
  }

  it('on a pass-through pty, tabs come back as tabs, through the scrollback too (thousands of rows)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i}\tname ${i}\t\tend`);
    expect(await capture(true, rows.join('\r\n'))).toEqual(rows);
  });

  it('a tab whose cells were written over afterwards is the text written, not a tab', async () => {
    expect(await capture(true, 'a\tb\rxyzw')).toEqual(['xyzw    b']);
  });

  // ConPTY renders the console: a tab reaches the terminal as spaces or a cursor move, no longer a tab
  // (microsoft/terminal#919: it repaints what it believes changed). Nothing to give back there.
  it('with ConPTY, tabs are rendered as spaces (they do not arrive as tabs)', async () => {
    expect(await capture(false, 'a\tb')).toEqual(['a       b']);
  });
});

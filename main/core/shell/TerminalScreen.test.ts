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

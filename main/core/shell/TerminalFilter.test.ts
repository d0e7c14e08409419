import { describe, expect, it } from 'vitest';
import { longestSuffixPrefix, TerminalFilter } from './TerminalFilter.js';

// The raw stream of a real pwsh 7.6 session on a Linux pty (captured through node-pty's onData,
// chunks as they came): start-up, a command printing three lines and an error, then Get-Location,
// then a hidden Set-Location (poshpool's own).
const NONCE = '534b95d9a4becb3409ea573439ab4bdb';
const FENCE = '#poshpool-fence-b856e3ee654c';
const M = (rest: string): string => `\x1b]7717;${NONCE};${rest}\x07`;
const RAW: string[] = [
  '\x1b[?1h\x1b=',
  '\x1b[6n',
  M('0;ready;0,12960,7.6.9,Core,FullLanguage,Unrestricted'),
  'PS> ',
  '#',
  'poshpool-run 1 MS4uMyB8ICUgeyAibGluZSAkXyIgfTsgV3JpdGUtRXJyb3IgYm9vbQ==\r\n',
  `\r${FENCE}:1:s\x1b[K\r\r\n${M('1;start;')}\x1b[2J\x1b[H`,
  'line 1\r\n',
  'line 2\r\nline 3\r\n',
  'Write-Error: boom\r\n',
  `\r\r\n\r${FENCE}:1:e\x1b[K\r\r\n${M('1;end;@')}`,
  '\x1b[6n',
  `${M('1;ready;0,12960')}PS> `,
  '#poshpool-run 2 R2V0LUxvY2F0aW9u\r\n',
  `\r${FENCE}:2:s\x1b[K\r\r\n${M('2;start;')}\x1b[2J\x1b[H`,
  '\r\n',
  'Path\r\n',
  '----\r\n',
  '/tmp/poshpool-test-kDZcFZ\r\n',
  '\r\n',
  `\r\r\n\r${FENCE}:2:e\x1b[K\r\r\n${M('2;end;eyJzdWNjZXNzIjp0cnVlfQ==')}`,
  '\x1b[6n',
  M('2;ready;0,12960'),
  'PS> ',
  '#poshpool-run 3~ U2',
  'V0LUxvY2F0aW9uIC90bXA=\r\n',
  `\r${FENCE}:3:s\x1b[K\r\r\n${M('3;start;')}\x1b[2J\x1b[H`,
  'secret of poshpool\r\n',
  `\r\r\n\r${FENCE}:3:e\x1b[K\r\r\n${M('3;end;e30=')}`,
  '\x1b[6n',
  M('3;ready;0,12960'),
  'PS> ',
];
const SHOWN = 'line 1\r\nline 2\r\nline 3\r\nWrite-Error: boom\r\n' + '\r\nPath\r\n----\r\n/tmp/poshpool-test-kDZcFZ\r\n\r\n';

function filter(): TerminalFilter {
  const f = new TerminalFilter({ fence: FENCE, oscNumber: 7717, nonce: NONCE });
  f.hide(3);
  return f;
}

function run(chunks: string[]): string {
  const f = filter();
  return chunks.map((c) => f.write(c)).join('') + f.flush();
}

describe('TerminalFilter', () => {
  it("shows a real session's command output and none of poshpool's traffic", () => {
    expect(run(RAW)).toBe(SHOWN);
  });

  it('gives the same text whatever the chunk boundaries (every split point, and one character at a time)', () => {
    const whole = RAW.join('');
    for (let i = 0; i <= whole.length; i++) {
      expect(run([whole.slice(0, i), whole.slice(i)])).toBe(SHOWN);
    }
    expect(run([...whole])).toBe(SHOWN);
  });

  it("passes output as it arrives (nothing held back but a possible start of poshpool's traffic)", () => {
    const f = filter();
    for (const c of RAW.slice(0, 7)) f.write(c);
    expect(f.write('partial line')).toBe('partial line');
    expect(f.write(' and more\r\n')).toBe(' and more\r\n');
    // A CR might begin the end fence's lead: held until the next chunk says otherwise.
    expect(f.write('50%\r')).toBe('50%');
    expect(f.write('60%')).toBe('\r60%');
  });

  it('keeps a look-alike fence or marker a command prints (wrong nonce, wrong seq) as output', () => {
    const f = filter();
    for (const c of RAW.slice(0, 7)) f.write(c);
    const fake = `${FENCE}:9:e\r\n\x1b]7717;someothernonce;1;end;x\x07done\r\n`;
    expect(f.write(fake)).toBe(fake);
  });

  it('drops a marker inside a command (a nested prompt) split over chunks', () => {
    const f = filter();
    for (const c of RAW.slice(0, 7)) f.write(c);
    const marker = M('1;ready;1,12960');
    expect(f.write(`a${marker.slice(0, 10)}`) + f.write(`${marker.slice(10)}b`)).toBe('ab');
  });

  it('shows nothing before the first command (start-up, prompt, the echoed run line)', () => {
    const f = filter();
    expect(RAW.slice(0, 6).map((c) => f.write(c)).join('') + f.flush()).toBe('');
  });

  it('finds the longest end of a text that begins a pattern', () => {
    expect(longestSuffixPrefix('abc\r\r', '\r\r\n')).toBe('\r\r');
    expect(longestSuffixPrefix('abc', 'xyz')).toBe('');
  });
});

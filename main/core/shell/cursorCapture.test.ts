import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionFixture } from '../../../test/pwsh.js';
import type { PwshSession } from './PwshSession.js';

// Output that moves the cursor or clears the screen is captured as the command's own: the screen a
// command draws on holds nothing of earlier commands. Before, '\e[H' before text gave an empty
// output, '\e[5;1H' returned the previous command's output, '\e[2J' after a long command returned
// the previous command's transport text, and `clear` lost the lines before it. Real pwsh.

let fx: SessionFixture;
let s: PwshSession;

beforeAll(async () => {
  fx = new SessionFixture();
  s = await fx.start();
});
afterAll(async () => {
  await fx.dispose();
});

/** Runs a command after one that filled the screen with its own text, so leftovers would show. */
async function afterNoise(command: string): Promise<string> {
  await s.run("1..80 | ForEach-Object { 'previous-' + $_ }");
  const r = await s.run(command);
  expect(r.status).toBe('completed');
  return r.output;
}

describe('capture with cursor movement and clears', () => {
  it('text after cursor home (\\e[H) is the output', async () => {
    expect(await afterNoise('[Console]::Write("`e[H"); "home text"')).toBe('home text');
  });

  it('cursor positioning (\\e[5;1H) never brings back the previous command\'s output', async () => {
    const out = await afterNoise('[Console]::Write("`e[5;1H"); "at row five"');
    expect(out).not.toContain('previous-');
    expect(out.split('\n').filter((l) => l !== '')).toEqual(['at row five']);
  });

  it('a screen erase (\\e[2J) after a long command returns only what follows, none of the earlier text', async () => {
    await s.run("'z' * 90000");
    const r = await s.run('[Console]::Write("`e[2J`e[H"); "after clear"');
    expect(r.output).toBe('after clear');
  });

  it('clear (\\e[H\\e[2J\\e[3J) keeps the lines the command printed before it', async () => {
    const out = await afterNoise("'before 1'; 'before 2'; [Console]::Write(\"`e[H`e[2J`e[3J\"); 'after'");
    expect(out.split('\n').filter((l) => l !== '')).toEqual(['before 1', 'before 2', 'after']);
  });

  it('a full reset (\\ec) does not wipe the capture', async () => {
    const out = await afterNoise("'kept'; [Console]::Write(\"`ec\"); 'too'");
    expect(out.split('\n').filter((l) => l !== '')).toEqual(['kept', 'too']);
  });

  it('plain output keeps its first line at the top, with no blank lines before it', async () => {
    expect(await afterNoise("'one'; 'two'")).toBe('one\ntwo');
  });
});

// Tabs came back as spaces ("a`tb" gave "a       b"): an agent that read a Makefile or a TSV and
// wrote it back broke it. Where the pty passes bytes through, output keeps its tabs.
describe('tabs', () => {
  it('a tab in output is a tab, also several, after a full stop-width field, and at the end of a line', async () => {
    const r = await s.run('"a`tb"; "x`t`ty`t"; "abcdefgh`tz"; "two  spaces`tthen tab"');
    expect(r.output.split('\n')).toEqual(['a\tb', 'x\t\ty\t', 'abcdefgh\tz', 'two  spaces\tthen tab']);
  });

  it('Get-Content of a Makefile and a TSV gives their text back byte for byte', async () => {
    const makefile = 'all: build\n\tnpm run build\n\t@echo done\t# tab before comment\n';
    const tsv = 'id\tname\tnote\n1\tå\t\n2\t\tlast\n';
    const file = (name: string): string => `${fx.dir}/${name}`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file('Makefile'), makefile);
    writeFileSync(file('data.tsv'), tsv);
    const mk = await s.run(`Get-Content -Raw '${file('Makefile')}'`);
    expect(`${mk.output}\n`).toBe(makefile);
    const data = await s.run(`Get-Content '${file('data.tsv')}'`);
    expect(`${data.output}\n`).toBe(tsv);
  });
});

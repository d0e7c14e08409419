import { describe, expect, it } from 'vitest';
import { commandLineIs, descendantsIn, parsePsTable, parseWin32Table, processTable, splitCommandLine, type ProcessRow } from './processes.js';

// The test helpers' process table: the macOS and Windows parsers run here on text shaped like what
// `ps` and the Win32_Process script print; the live table is this machine's.

describe('the process table of the test helpers', () => {
  it('parses `ps -A -o pid=,ppid=,stat=,command=` and leaves zombies out', () => {
    const rows = parsePsTable(['    1     0 Ss   /sbin/launchd', '  812     1 S    /usr/local/bin/pwsh -NoLogo -NoProfile', '  813   812 Z    (sleep)', ''].join('\n'));
    expect(rows).toEqual([
      { pid: 1, ppid: 0, argv: ['/sbin/launchd'] },
      { pid: 812, ppid: 1, argv: ['/usr/local/bin/pwsh', '-NoLogo', '-NoProfile'] },
    ]);
  });

  it('parses the Win32_Process lines: start time from FILETIME ticks, quoted program path, commas in the command line', () => {
    // CreationDate as FILETIME ticks; 0 where a process has none (System Idle Process).
    const text = ['0,0,0,', '4812,1200,133000000000000000,"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoLogo -Command "a,b"', ''].join('\r\n');
    const rows = parseWin32Table(text);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ pid: 0, ppid: 0, argv: [], startedMs: undefined });
    expect(rows[1]).toEqual({ pid: 4812, ppid: 1200, argv: ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', '-NoLogo', '-Command', 'a,b'], startedMs: (133_000_000_000_000_000 - 116_444_736_000_000_000) / 10_000 });
  });

  it('splits command lines on spaces outside double quotes', () => {
    expect(splitCommandLine('  sleep   317 ')).toEqual(['sleep', '317']);
    expect(splitCommandLine('"C:\\a b\\x.exe" "" y')).toEqual(['C:\\a b\\x.exe', '', 'y']);
  });

  it('matches a command line by its words, or by the program path Windows and ps show', () => {
    const row = (argv: string[]): ProcessRow => ({ pid: 1, ppid: 0, argv });
    expect(commandLineIs(row(['sleep', '317']), ['sleep', '317'])).toBe(true);
    expect(commandLineIs(row(['/usr/bin/sleep', '317']), ['sleep', '317'])).toBe(true);
    expect(commandLineIs(row(['C:\\Tools\\Sleep.EXE', '317']), ['sleep', '317'])).toBe(true);
    expect(commandLineIs(row(['sleep', '318']), ['sleep', '317'])).toBe(false);
    expect(commandLineIs(row(['sleep']), ['sleep', '317'])).toBe(false);
  });

  it('walks descendants by parent pid, and on Windows leaves out a "child" older than its parent (a reused pid)', () => {
    const table: ProcessRow[] = [
      { pid: 10, ppid: 1, argv: [] },
      { pid: 11, ppid: 10, argv: [] },
      { pid: 12, ppid: 11, argv: [] },
      { pid: 13, ppid: 99, argv: [] },
    ];
    expect(descendantsIn(table, 10).sort()).toEqual([11, 12]);
    expect(descendantsIn(table, 12)).toEqual([]);
    expect(descendantsIn(table, 404)).toEqual([]);
    const windows: ProcessRow[] = [
      { pid: 20, ppid: 4, argv: [], startedMs: 1000 },
      { pid: 21, ppid: 20, argv: [], startedMs: 2000 },
      // Started before pid 20 existed: its parent was an earlier process with that id.
      { pid: 22, ppid: 20, argv: [], startedMs: 500 },
    ];
    expect(descendantsIn(windows, 20)).toEqual([21]);
  });

  it('reads this machine\'s live table: this process, under its parent', () => {
    const table = processTable();
    const me = table.find((r) => r.pid === process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(descendantsIn(table, process.ppid)).toContain(process.pid);
  });
});

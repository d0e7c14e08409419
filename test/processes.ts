import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { currentPlatform } from '../main/core/platform/Platform.js';

// Test support: the machine's process table on Linux (/proc), macOS (`ps`) and Windows
// (Win32_Process through Windows PowerShell), so tests can ask "is it still running" and "what did
// it start" on every OS CI runs. Not used by the app (main/core/shell/processTree.ts is its own).

/** One live process. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  /** The command line: argv where the OS keeps it (Linux), else split on whitespace (quotes dropped). */
  argv: string[];
  /** Start time in ms since the epoch where known (Windows): a parent started after its "child" is a reused pid. */
  startedMs?: number;
}

/**
 * Every live process (zombies left out: they have ended and only wait to be collected).
 * Windows: `Get-CimInstance Win32_Process` through powershell.exe, which every Windows has
 * (about a second per call; tests poll it with waitFor).
 */
export function processTable(): ProcessRow[] {
  const os = currentPlatform().os;
  if (os === 'linux') return procTable();
  if (os === 'win32') return parseWin32Table(run('powershell.exe', ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', WIN32_TABLE_SCRIPT]));
  return parsePsTable(run('ps', ['-A', '-o', 'pid=,ppid=,stat=,command=']));
}

/**
 * One line per process, "pid,ppid,start (FILETIME ticks),command line"; the command line last, so
 * its commas need no quoting. Works in Windows PowerShell 5.1 (Get-CimInstance since 3.0).
 */
const WIN32_TABLE_SCRIPT =
  'Get-CimInstance Win32_Process | ForEach-Object { "{0},{1},{2},{3}" -f $_.ProcessId, $_.ParentProcessId, ' +
  '$(if ($_.CreationDate) { $_.CreationDate.ToFileTimeUtc() } else { 0 }), $_.CommandLine }';

/** Ticks (100 ns) between 1601-01-01 (FILETIME) and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 116_444_736_000_000_000n;

function run(file: string, args: string[]): string {
  const r = spawnSync(file, args, { encoding: 'utf8', windowsHide: true, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${String(r.status ?? r.error)}): ${r.stderr}`);
  return r.stdout;
}

function procTable(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
      rows.push({ pid: Number(name), ppid: Number(fields[1]), argv: argv.length === 1 && argv[0] === '' ? [] : argv });
    } catch {
      // The process ended while we looked.
    }
  }
  return rows;
}

/** Parses `ps -A -o pid=,ppid=,stat=,command=` (macOS, BSD). */
export function parsePsTable(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m || m[3]!.startsWith('Z')) continue;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), argv: splitCommandLine(m[4]!) });
  }
  return rows;
}

/** Parses the lines WIN32_TABLE_SCRIPT prints. */
export function parseWin32Table(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\d+),(\d+),(\d+),(.*)$/.exec(line);
    if (!m) continue;
    const ticks = BigInt(m[3]!);
    const startedMs = ticks > FILETIME_EPOCH_OFFSET ? Number((ticks - FILETIME_EPOCH_OFFSET) / 10_000n) : undefined;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), argv: splitCommandLine(m[4]!), startedMs });
  }
  return rows;
}

/** Splits a command line on whitespace outside double quotes, dropping the quotes (enough for tests). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  for (const m of line.trim().matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/**
 * Whether a process's command line is `argv`: the same words, or the same arguments with the program
 * named by its path (Windows and `ps` may show the resolved path, with `.exe`).
 */
export function commandLineIs(row: ProcessRow, argv: readonly string[]): boolean {
  if (row.argv.length !== argv.length) return false;
  if (row.argv.join('\0') === argv.join('\0')) return true;
  const program = (p: string): string => path.win32.basename(p).replace(/\.exe$/i, '').toLowerCase();
  return program(row.argv[0] ?? '') === program(argv[0] ?? '') && row.argv.slice(1).join('\0') === argv.slice(1).join('\0');
}

/**
 * The descendants of `pid` in `table` (children, their children, ...). Where start times are known
 * (Windows, which reuses pids and keeps a dead parent's id in its children), a "child" that started
 * before its parent belongs to an earlier owner of that pid and is left out.
 */
export function descendantsIn(table: readonly ProcessRow[], pid: number): number[] {
  const byPid = new Map(table.map((r) => [r.pid, r]));
  const found: number[] = [];
  const seen = new Set<number>([pid]);
  const stack = [pid];
  while (stack.length > 0) {
    const parent = byPid.get(stack.pop()!);
    if (!parent) continue;
    for (const row of table) {
      if (seen.has(row.pid) || row.ppid !== parent.pid) continue;
      if (parent.startedMs !== undefined && row.startedMs !== undefined && row.startedMs < parent.startedMs) continue;
      seen.add(row.pid);
      found.push(row.pid);
      stack.push(row.pid);
    }
  }
  return found;
}

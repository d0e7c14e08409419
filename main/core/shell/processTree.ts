import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One row of the process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Session id (Linux); a process that left the pty's session is still found through its parent chain. */
  sid?: number;
}

/**
 * The processes a shell started: descendants of `rootPid` through the parent chain, plus (where the
 * table has session ids) everything in the session `rootPid` leads, which catches orphans that were
 * re-parented to init when their parent died. The root itself is not included, nor the `spared` pids
 * (their children are): a launcher such as the dotnet tool shim runs the real pwsh as its child.
 */
export function descendantsOf(rootPid: number, table: ProcessInfo[], spared: readonly number[] = []): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const found = new Set<number>();
  const stack = [rootPid];
  // Orphans of the session are roots of their own subtrees: their children may have left the
  // session (setsid) and were started by the shell all the same.
  for (const p of table) {
    if (p.sid === rootPid && p.pid !== rootPid && !found.has(p.pid)) {
      found.add(p.pid);
      stack.push(p.pid);
    }
  }
  while (stack.length > 0) {
    const pid = stack.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child) && child !== rootPid) {
        found.add(child);
        stack.push(child);
      }
    }
  }
  for (const pid of spared) found.delete(pid);
  return [...found];
}

/** Parses one /proc/<pid>/stat line (the command name may hold spaces and parentheses). */
export function parseProcStat(line: string): ProcessInfo | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(line.slice(0, line.indexOf(' ')), 10);
  const rest = line.slice(close + 2).split(' ');
  // rest[0] = state, rest[1] = ppid, rest[2] = pgrp, rest[3] = session
  const ppid = Number.parseInt(rest[1] ?? '', 10);
  const sid = Number.parseInt(rest[3] ?? '', 10);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid)) return undefined;
  return { pid, ppid, sid: Number.isFinite(sid) ? sid : undefined };
}

/** Parses `ps -A -o pid=,ppid=` output (macOS and other Unixes without /proc). */
export function parsePsOutput(text: string): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map((n) => Number.parseInt(n, 10));
    if (Number.isFinite(pid) && Number.isFinite(ppid)) rows.push({ pid: pid!, ppid: ppid! });
  }
  return rows;
}

/** Parses `Get-CimInstance Win32_Process | ConvertTo-Csv` style "pid,ppid" rows (Windows). */
export function parseCsvPairs(text: string): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^"?(\d+)"?,"?(\d+)"?$/.exec(line.trim());
    if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]) });
  }
  return rows;
}

/** Where a platform's process table comes from: /proc on Linux, else a command and the parser of its output. */
export type ProcessTableSource = { kind: 'proc' } | { kind: 'command'; file: string; args: string[]; format: 'csv' | 'ps' };

/** How the process table is read on each platform. */
export function processTableSource(platform: NodeJS.Platform): ProcessTableSource {
  if (platform === 'linux') return { kind: 'proc' };
  if (platform === 'win32') {
    return {
      kind: 'command',
      file: 'powershell.exe',
      args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', 'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ProcessId),$($_.ParentProcessId)" }'],
      format: 'csv',
    };
  }
  return { kind: 'command', file: 'ps', args: ['-A', '-o', 'pid=,ppid='], format: 'ps' };
}

/** Reads the process table of this machine. */
export async function readProcessTable(platform: NodeJS.Platform): Promise<ProcessInfo[]> {
  const source = processTableSource(platform);
  if (source.kind === 'proc') {
    const rows: ProcessInfo[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const info = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
        if (info) rows.push(info);
      } catch {
        // The process ended while the table was read; it needs no killing.
      }
    }
    return rows;
  }
  const { stdout } = await execFileAsync(source.file, source.args, { windowsHide: true, timeout: 10000 });
  return source.format === 'csv' ? parseCsvPairs(stdout) : parsePsOutput(stdout);
}

/** The command that force-kills one process and its whole tree on each platform. */
export function treeKillCommand(pid: number, platform: NodeJS.Platform): { file: string; args: string[] } | undefined {
  if (platform === 'win32') return { file: 'taskkill', args: ['/PID', String(pid), '/T', '/F'] };
  return undefined;
}

/** Force-kills the given processes. Returns how many were signalled. */
export async function killProcesses(pids: number[], platform: NodeJS.Platform): Promise<number> {
  let killed = 0;
  for (const pid of pids) {
    const cmd = treeKillCommand(pid, platform);
    try {
      if (cmd) {
        await execFileAsync(cmd.file, cmd.args, { windowsHide: true, timeout: 10000 });
      } else {
        process.kill(pid, 'SIGKILL');
      }
      killed++;
    } catch {
      // Already gone (taskkill exits 128, kill throws ESRCH): nothing left to stop.
    }
  }
  return killed;
}

/** Kills every process `rootPid` started (not `rootPid` itself, nor `spared`). Returns the pids that were signalled. */
export async function killDescendants(rootPid: number, platform: NodeJS.Platform, spared: readonly number[] = []): Promise<number[]> {
  const pids = descendantsOf(rootPid, await readProcessTable(platform), spared);
  await killProcesses(pids, platform);
  return pids;
}

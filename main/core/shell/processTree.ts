import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Platform } from '../platform/Platform.js';

const execFileAsync = promisify(execFile);

/** One row of the process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Session id (Linux); a process that left the pty's session is still found through its parent chain. */
  sid?: number;
  /** When the process started (ms since the epoch), where the table says. */
  startedAt?: number;
  /** The process carries the session's tag in its environment (read only when a tag was asked for). */
  tagged?: boolean;
}

/**
 * The environment variable each pwsh session starts with (a random value per session): every process
 * it starts inherits it, also one that calls setsid and whose parent then died (re-parented to init,
 * out of the pty's session), so such a process is still found (Linux: /proc/<pid>/environ). A
 * process that clears its environment (`env -i`, a login through sudo) loses it and escapes.
 */
export const SESSION_TAG_VARIABLE = 'POSHPOOL_SESSION';

/** What a kill is limited to, beyond the descendants of a root. */
export interface KillScope {
  /** The session's tag: processes carrying it are the session's wherever they are in the tree. */
  tag?: string;
  /**
   * Only processes started at or after this time (epoch ms): those of one command, sparing what
   * earlier commands left running on purpose. Where the table has no start times (macOS's ps), all.
   */
  since?: number;
}

/**
 * Slack when comparing start times: /proc counts in clock ticks (10 ms), and a child can be stamped
 * in the same tick as its parent.
 */
const START_TIME_SLACK_MS = 20;

/** Whether `child` can be a child of `parent`: a process cannot be older than its parent. */
function canBeChildOf(child: ProcessInfo, parent: ProcessInfo | undefined): boolean {
  if (parent?.startedAt === undefined || child.startedAt === undefined) return true;
  return child.startedAt + START_TIME_SLACK_MS >= parent.startedAt;
}

/**
 * The processes a shell started: descendants of `rootPid` through the parent chain, plus (where the
 * table has session ids) everything in the session `rootPid` leads, which catches orphans that were
 * re-parented to init when their parent died. The root itself is not included, nor the `spared` pids
 * (their children are): a launcher such as the dotnet tool shim runs the real pwsh as its child.
 * Windows reuses process ids at once, and a process keeps the id of a parent that has ended: a child
 * older than the process now holding its parent's id is not that process's child, so a stranger's
 * tree is never taken for ours.
 */
export function descendantsOf(rootPid: number, table: ProcessInfo[], spared: readonly number[] = [], since?: number): number[] {
  const byPid = new Map<number, ProcessInfo>();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of table) {
    byPid.set(p.pid, p);
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const found = new Set<number>();
  const stack = [rootPid];
  // Orphans of the session are roots of their own subtrees: their children may have left the
  // session (setsid) and were started by the shell all the same.
  // So are processes carrying the session's tag (they left the session and their parent died).
  for (const p of table) {
    if ((p.sid === rootPid || p.tagged) && p.pid !== rootPid && !found.has(p.pid)) {
      found.add(p.pid);
      stack.push(p.pid);
    }
  }
  while (stack.length > 0) {
    const pid = stack.pop()!;
    const parent = byPid.get(pid);
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child.pid) && child.pid !== rootPid && canBeChildOf(child, parent)) {
        found.add(child.pid);
        stack.push(child.pid);
      }
    }
  }
  for (const pid of spared) found.delete(pid);
  if (since === undefined) return [...found];
  // Only what started since: a process without a start time is kept (nothing tells it apart).
  return [...found].filter((pid) => {
    const startedAt = byPid.get(pid)?.startedAt;
    return startedAt === undefined || startedAt + START_TIME_SLACK_MS >= since;
  });
}

/** Boot time and clock ticks per second, to turn /proc start times into epoch ms. */
export interface ProcClock {
  bootTimeMs: number;
  ticksPerSecond: number;
}

/** Parses one /proc/<pid>/stat line (the command name may hold spaces and parentheses). */
export function parseProcStat(line: string, clock?: ProcClock): ProcessInfo | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(line.slice(0, line.indexOf(' ')), 10);
  const rest = line.slice(close + 2).split(' ');
  // rest[0] = state, rest[1] = ppid, rest[2] = pgrp, rest[3] = session, rest[19] = starttime (field 22)
  const ppid = Number.parseInt(rest[1] ?? '', 10);
  const sid = Number.parseInt(rest[3] ?? '', 10);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid)) return undefined;
  const info: ProcessInfo = { pid, ppid, sid: Number.isFinite(sid) ? sid : undefined };
  const ticks = Number.parseInt(rest[19] ?? '', 10);
  if (clock && Number.isFinite(ticks)) info.startedAt = clock.bootTimeMs + (ticks * 1000) / clock.ticksPerSecond;
  return info;
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

/** Parses "pid,ppid[,started ms]" rows (the Windows query below). */
export function parseCsvPairs(text: string): ProcessInfo[] {
  const rows: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^"?(\d+)"?,"?(\d+)"?(?:,"?(\d+)"?)?$/.exec(line.trim());
    if (!m) continue;
    const row: ProcessInfo = { pid: Number(m[1]), ppid: Number(m[2]) };
    if (m[3] !== undefined && Number(m[3]) > 0) row.startedAt = Number(m[3]);
    rows.push(row);
  }
  return rows;
}

/** Where a platform's process table comes from: /proc on Linux, else a command and the parser of its output. */
export type ProcessTableSource = { kind: 'proc' } | { kind: 'command'; file: string; args: string[]; format: 'csv' | 'ps' };

/**
 * Windows: each process's id, parent id and creation time (epoch ms; 0 when unknown) through
 * Windows PowerShell, which every Windows has (5.1 syntax and .NET Framework 4.6 APIs only).
 */
const WINDOWS_PROCESS_QUERY =
  'Get-CimInstance Win32_Process | ForEach-Object { $t = 0; if ($_.CreationDate) { $t = ([DateTimeOffset]$_.CreationDate).ToUnixTimeMilliseconds() }; "$($_.ProcessId),$($_.ParentProcessId),$t" }';

/** How the process table is read on a platform. */
export function processTableSource(platform: Platform): ProcessTableSource {
  switch (platform.processTable) {
    case 'proc':
      return { kind: 'proc' };
    case 'cim':
      return { kind: 'command', file: 'powershell.exe', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', WINDOWS_PROCESS_QUERY], format: 'csv' };
    case 'ps':
      return { kind: 'command', file: 'ps', args: ['-A', '-o', 'pid=,ppid='], format: 'ps' };
  }
}

/**
 * Boot time and USER_HZ (100 on every Linux architecture poshpool runs on). The boot time is now
 * minus /proc/uptime (10 ms steps), not /proc/stat's btime: btime is whole seconds, which put start
 * times up to a second early, and a process started by a command looked older than the command.
 */
function readProcClock(): ProcClock | undefined {
  try {
    const uptimeSeconds = Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
    return Number.isFinite(uptimeSeconds) ? { bootTimeMs: Date.now() - uptimeSeconds * 1000, ticksPerSecond: 100 } : undefined;
  } catch {
    // No uptime: start times are left out and the parent chain alone decides.
    return undefined;
  }
}

/** Whether an environment block (/proc/<pid>/environ: NUL-separated NAME=value) holds the session tag. */
export function environHasTag(environ: Buffer, tag: string): boolean {
  const entry = Buffer.from(`${SESSION_TAG_VARIABLE}=${tag}\0`);
  const at = environ.indexOf(entry);
  return at === 0 || (at > 0 && environ[at - 1] === 0);
}

/**
 * Reads the process table of this machine. With a `tag`, rows carry `tagged` where the platform lets
 * a process read others' environments (Linux, for the user's own processes: ~5 ms for 70 processes).
 */
export async function readProcessTable(platform: Platform, tag?: string): Promise<ProcessInfo[]> {
  const source = processTableSource(platform);
  if (source.kind === 'proc') {
    const clock = readProcClock();
    const rows: ProcessInfo[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const info = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'), clock);
        if (!info) continue;
        if (tag) info.tagged = readTagged(name, tag);
        rows.push(info);
      } catch {
        // The process ended while the table was read; it needs no killing.
      }
    }
    return rows;
  }
  const { stdout } = await execFileAsync(source.file, source.args, { windowsHide: true, timeout: 10000 });
  return source.format === 'csv' ? parseCsvPairs(stdout) : parsePsOutput(stdout);
}

function readTagged(pid: string, tag: string): boolean {
  try {
    return environHasTag(readFileSync(`/proc/${pid}/environ`), tag);
  } catch {
    // Another user's process (EACCES) or one that just ended: not ours to find.
    return false;
  }
}

/** The command that force-kills one process and its whole tree, where the platform has one. */
export function treeKillCommand(pid: number, platform: Platform): { file: string; args: string[] } | undefined {
  if (platform.forceKill === 'taskkill') return { file: 'taskkill', args: ['/PID', String(pid), '/T', '/F'] };
  return undefined;
}

/** Force-kills the given processes. Returns how many were signalled. */
export async function killProcesses(pids: number[], platform: Platform): Promise<number> {
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

/**
 * Kills every process carrying `tag` and what they started (the leftovers of a session whose
 * poshpool is gone). Only where environments can be read (Linux); elsewhere nothing. Returns the pids.
 */
export async function killTagged(tag: string, platform: Platform): Promise<number[]> {
  if (platform.processTable !== 'proc') return [];
  const table = await readProcessTable(platform, tag);
  // Descendants by the parent chain and session alone (descendantsOf takes every tagged row as one).
  const plain = table.map((p) => ({ ...p, tagged: false }));
  // This process, its ancestors and its descendants are never taken: poshpool may have been started
  // from inside an old session (it carries the tag then, and so may what it starts).
  const protectedPids = new Set([process.pid, ...descendantsOf(process.pid, plain)]);
  const byPid = new Map(table.map((p) => [p.pid, p]));
  for (let p = byPid.get(process.pid); p && !protectedPids.has(p.ppid); p = byPid.get(p.ppid)) protectedPids.add(p.ppid);
  const pids = new Set<number>();
  for (const p of table) {
    if (!p.tagged) continue;
    pids.add(p.pid);
    for (const d of descendantsOf(p.pid, plain)) pids.add(d);
  }
  const doomed = [...pids].filter((pid) => !protectedPids.has(pid));
  await killProcesses(doomed, platform);
  return doomed;
}

/** Whether a process has ended: gone, or (Linux) a zombie waiting to be collected. */
export function processEnded(pid: number, platform: Platform): boolean {
  if (platform.processTable === 'proc') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
    } catch {
      return true;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Polls until every pid has ended or `ms` passed (a SIGKILLed process still has to be scheduled to die). */
export async function waitUntilEnded(pids: readonly number[], platform: Platform, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (pids.every((pid) => processEnded(pid, platform))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Kills every process `rootPid` started (not `rootPid` itself, nor `spared`), within `scope`. Returns
 * the pids that were signalled. `rootStartedBy` (epoch ms): when the process now holding `rootPid` started later,
 * the id was reused by a stranger, and nothing is killed.
 */
export async function killDescendants(rootPid: number, platform: Platform, spared: readonly number[] = [], rootStartedBy?: number, scope: KillScope = {}): Promise<number[]> {
  const table = await readProcessTable(platform, scope.tag);
  const root = table.find((p) => p.pid === rootPid);
  if (rootStartedBy !== undefined && root?.startedAt !== undefined && root.startedAt > rootStartedBy + START_TIME_SLACK_MS) return [];
  const pids = descendantsOf(rootPid, table, spared, scope.since);
  await killProcesses(pids, platform);
  return pids;
}

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Platform } from './Platform.js';

/**
 * Whether a process that published where to reach it (host.json: its pid, its socket or pipe) still
 * runs, when its pid may have been reused. Windows reuses pids soon and often, and nothing tells a
 * process that the user logs off (libuv turns CTRL_LOGOFF_EVENT into no signal; "interactive
 * applications are terminated at logoff": SetConsoleCtrlHandler's HandlerRoutine docs), so a host.json
 * outlives its host; after a reboot any OS hands low pids out again. A live pid alone proves nothing.
 */

/** What the checks read from the system; injectable so every branch runs in tests on any OS. */
export interface IdentityProbes {
  /** Whether a process with this pid exists (signal 0). */
  processExists(pid: number): boolean;
  /** A text file's content, or undefined when it cannot be read (/proc on Linux). */
  readText(file: string): string | undefined;
  /** stdout of a short command, or undefined when it failed (ps on macOS and the BSDs). */
  run(file: string, args: readonly string[]): string | undefined;
  /**
   * The names of the named pipes that exist (Windows: the listing of `\\.\pipe\`), or undefined when
   * they cannot be listed.
   */
  listPipes(): readonly string[] | undefined;
}

/** Longest a `ps` call may take before its answer counts as unknown. */
const PS_TIMEOUT_MS = 2_000;

/**
 * The pipe namespace as a directory. The trailing backslash matters: Node 23.2 stopped listing
 * `\\.\pipe` without it, and NtQueryDirectoryFile needs it (nodejs/node#56002, #56110); "Windows lacks
 * any kind of API aside from this for checking the existence of a named pipe — exists/stat actually
 * connects to the pipe" (#56002), which would take a connection of the host's.
 */
export const PIPE_NAMESPACE_DIR = '\\\\.\\pipe\\';

/** The real system. */
export const systemProbes: IdentityProbes = {
  processExists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      // EPERM: it exists but belongs to someone else.
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  readText(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // Unreadable (no /proc, the process is gone): the caller treats it as unknown.
      return undefined;
    }
  },
  run(file, args) {
    const r = spawnSync(file, args, { encoding: 'utf8', timeout: PS_TIMEOUT_MS, windowsHide: true });
    return r.status === 0 ? r.stdout : undefined;
  },
  listPipes() {
    try {
      return readdirSync(PIPE_NAMESPACE_DIR);
    } catch {
      // Not Windows, or the listing failed: unknown.
      return undefined;
    }
  },
};

/** Field 22 of /proc/<pid>/stat, counted from 1 (proc(5)): the start time in clock ticks after boot. */
const STAT_STARTTIME_FIELD = 22;
/** /proc/<pid>/stat's fields after the command name's closing parenthesis begin with field 3. */
const STAT_FIELDS_AFTER_COMM = 3;

/**
 * Linux: the boot id and the start time in ticks since boot from /proc/<pid>/stat (proc(5)); the
 * command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
function procStartTime(pid: number, probes: IdentityProbes): string | undefined {
  const stat = probes.readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const rest = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  const ticks = rest[STAT_STARTTIME_FIELD - STAT_FIELDS_AFTER_COMM];
  if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined;
  const boot = probes.readText('/proc/sys/kernel/random/boot_id')?.trim();
  return boot ? `${boot}:${ticks}` : ticks;
}

/** macOS and the BSDs: the start time `ps -o lstart=` prints (to the second, in the C locale). */
function psStartTime(pid: number, probes: IdentityProbes): string | undefined {
  const out = probes.run('ps', ['-o', 'lstart=', '-p', String(pid)])?.trim();
  return out ? out.replace(/\s+/g, ' ') : undefined;
}

/**
 * What tells this process apart from a later one with the same pid, to record in host.json; undefined
 * where the platform uses another proof (Windows: the host's random pipe) or it cannot be read.
 */
export function processStartIdentity(platform: Platform, pid: number, probes: IdentityProbes = systemProbes): string | undefined {
  switch (platform.hostLiveness) {
    case 'procStartTime':
      return procStartTime(pid, probes);
    case 'psStartTime':
      return psStartTime(pid, probes);
    case 'pipeListed':
      return undefined;
  }
}

/** What a publisher recorded about itself. */
export interface PublishedProcess {
  pid: number;
  /** {@link processStartIdentity} at publishing time, when there was one. */
  processStart?: string;
  /** Its Unix socket or named pipe. */
  socketPath: string;
}

/** Runs, or why it counts as gone. */
export type Liveness = { alive: true } | { alive: false; why: string };

/** The pipe's name under `\\.\pipe\`, or undefined for a path that is not a local named pipe. */
function pipeName(socketPath: string): string | undefined {
  const m = /^\\\\[.?]\\pipe\\(.+)$/i.exec(socketPath);
  return m?.[1];
}

/**
 * Whether the process that published `record` still runs. Its pid must exist; then, on Windows, its
 * pipe must exist (the name is 128 random bits, made anew by every host, and the pipe goes with the
 * last handle of the process that made it), elsewhere its start time must be the recorded one. A
 * record from before start times were recorded, or a start time that cannot be read now, is judged
 * by the pid alone, as before.
 */
export function publisherRuns(platform: Platform, record: PublishedProcess, probes: IdentityProbes = systemProbes): Liveness {
  if (!probes.processExists(record.pid)) return { alive: false, why: `pid ${record.pid} is gone` };
  if (platform.hostLiveness === 'pipeListed') {
    const name = pipeName(record.socketPath);
    if (name === undefined) return { alive: true };
    const pipes = probes.listPipes();
    if (pipes === undefined) return { alive: true };
    const key = name.toLowerCase();
    return pipes.some((p) => p.toLowerCase() === key) ? { alive: true } : { alive: false, why: `its pipe ${record.socketPath} is gone (pid ${record.pid} is another process now)` };
  }
  if (record.processStart === undefined) return { alive: true };
  const now = processStartIdentity(platform, record.pid, probes);
  if (now === undefined || now === record.processStart) return { alive: true };
  return { alive: false, why: `pid ${record.pid} is another process now (it started at another time)` };
}

/**
 * Reads the soak's resource figures from /proc and the file system (Linux only): the host's RSS,
 * descriptors and pseudo-terminals, the processes of the run (found by a tag in their environment,
 * which pwsh and everything started from it inherit, wherever they went), temp and data files.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { ResourceCounts } from './soakVerdict.js';

/** Name of the environment variable that tags every process of one run (not POSHPOOL_*, which pwsh never gets). */
export const SOAK_TAG_VARIABLE = 'SOAK_RUN_TAG';

/** Orphans' command lines kept per sample. */
const ORPHAN_ARGV_KEPT = 8;

/** What the probe looks at. */
export interface ProbeTargets {
  hostPid: number;
  /** The value of SOAK_RUN_TAG in this run's processes. */
  tag: string;
  /** The host's own TMPDIR. */
  tmpDir: string;
  dataDir: string;
}

/** One process of the run. */
export interface TaggedProcess {
  pid: number;
  ppid: number;
  comm: string;
  zombie: boolean;
  argv: string;
}

interface ProcStat {
  ppid: number;
  comm: string;
  state: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces or parentheses itself: the fields follow the last ')'.
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const rest = text.slice(close + 2).split(' ');
    return { comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    // The process ended while we looked.
    return undefined;
  }
}

function numericDirs(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Every live or zombie process whose environment holds SOAK_RUN_TAG=<tag> (only this user's are readable). */
export function taggedProcesses(tag: string): { tagged: TaggedProcess[]; parents: Map<number, number> } {
  const needle = `${SOAK_TAG_VARIABLE}=${tag}\0`;
  const tagged: TaggedProcess[] = [];
  const parents = new Map<number, number>();
  for (const pid of numericDirs('/proc')) {
    const stat = readStat(pid);
    if (!stat) continue;
    parents.set(pid, stat.ppid);
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      // Someone else's process, or gone.
      continue;
    }
    // A zombie's environ reads empty: it is still the run's when its parent is (checked by the caller through parents).
    if (!environ.startsWith(needle) && !environ.includes(`\0${needle}`) && stat.state !== 'Z') continue;
    let argv = '';
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      // Gone: keep it with no command line.
    }
    tagged.push({ pid, ppid: stat.ppid, comm: stat.comm, zombie: stat.state === 'Z', argv });
  }
  return { tagged, parents };
}

/** Whether pid is ancestor or one of its descendants, by the parent map. */
export function isUnder(pid: number, ancestor: number, parents: ReadonlyMap<number, number>): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 1000; p = parents.get(p), hops++) {
    if (p === ancestor) return true;
  }
  return false;
}

function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** A file's path relative to its root with numbers and hex runs folded, so files of one kind share a name. */
export function fileKind(relative: string): string {
  return relative.replace(/[0-9A-Fa-f]{6,}|\d+/g, '#');
}

/** Whether a process is PowerShell: pwsh itself, or the dotnet host running pwsh.dll (how the dotnet tool's pwsh runs). */
export function isPwsh(comm: string, argv: string): boolean {
  return comm === 'pwsh' || comm === 'powershell' || (comm === 'dotnet' && /(^|[\s/])pwsh\.dll(\s|$)/.test(argv));
}

/** Files (not directories) under dir at every depth, how many pass `match`, and how many of each kind (fileKind). */
function countFiles(dir: string, match: (name: string) => boolean = () => true, prefix = ''): { all: number; matching: number; kinds: Record<string, number> } {
  const out = { all: 0, matching: 0, kinds: {} as Record<string, number> };
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      const sub = countFiles(path.join(dir, e.name), match, rel);
      out.all += sub.all;
      out.matching += sub.matching;
      for (const [k, v] of Object.entries(sub.kinds)) out.kinds[k] = (out.kinds[k] ?? 0) + v;
    } else {
      out.all++;
      if (match(e.name)) out.matching++;
      const kind = fileKind(rel);
      out.kinds[kind] = (out.kinds[kind] ?? 0) + 1;
    }
  }
  return out;
}

/** Reads every figure once. The host must be alive (its /proc entry is read). */
export function probe(t: ProbeTargets): ResourceCounts & { orphanArgv: string[]; tmpKinds: Record<string, number> } {
  const { tagged, parents } = taggedProcesses(t.tag);
  let pwsh = 0;
  let hostChildren = 0;
  let orphans = 0;
  let bridges = 0;
  let zombies = 0;
  let treeRssKiB = rssKiB(t.hostPid);
  const orphanArgv: string[] = [];
  for (const p of tagged) {
    if (p.pid === t.hostPid) continue;
    const under = isUnder(p.pid, t.hostPid, parents);
    if (p.zombie) {
      // An untagged zombie (its environ reads empty) counts only when it is the host's or a tagged process's child.
      if (under || tagged.some((q) => q.pid === p.ppid)) zombies++;
      continue;
    }
    if (under) {
      treeRssKiB += rssKiB(p.pid);
      if (isPwsh(p.comm, p.argv)) pwsh++;
      else hostChildren++;
    } else if (p.argv.includes(' bridge ') || p.argv.endsWith(' bridge')) {
      bridges++;
    } else {
      orphans++;
      if (orphanArgv.length < ORPHAN_ARGV_KEPT) orphanArgv.push(`${p.pid} ${p.argv || p.comm}`);
    }
  }
  let fds = 0;
  let ptys = 0;
  for (const fd of readdirSync(`/proc/${t.hostPid}/fd`)) {
    fds++;
    try {
      if (readlinkSync(`/proc/${t.hostPid}/fd/${fd}`) === '/dev/ptmx') ptys++;
    } catch {
      // Closed while we looked.
    }
  }
  const tmp = countFiles(t.tmpDir, (n) => n.startsWith('CoreFxPipe_PSHost.'));
  const data = (sub: string): number => countFiles(path.join(t.dataDir, sub)).all;
  const dataSessionFiles = data('sessions');
  const dataOutputFiles = data('outputs');
  const dataLogFiles = data('logs');
  const dataOtherFiles = countFiles(t.dataDir).all - dataSessionFiles - dataOutputFiles - dataLogFiles;
  return {
    hostRssKiB: rssKiB(t.hostPid),
    treeRssKiB,
    fds,
    ptys,
    pwsh,
    hostChildren,
    orphans,
    bridges,
    zombies,
    tmpFiles: tmp.all,
    coreFxPipeFiles: tmp.matching,
    dataSessionFiles,
    dataOutputFiles,
    dataLogFiles,
    dataOtherFiles,
    orphanArgv,
    tmpKinds: tmp.kinds,
  };
}

/** Live processes of the run other than this one (after the host stopped: whatever escaped it). */
export function survivors(tag: string): TaggedProcess[] {
  return taggedProcesses(tag).tagged.filter((p) => !p.zombie && p.pid !== process.pid);
}

/**
 * Start-up benchmark: where a session's start goes (phase by phase) and what poshpool costs in memory
 * while it idles. Exports functions returning samples; bench/run.ts prints them.
 *
 * Phases of one PwshSession.start, with time stamps from both sides of the pty (pwsh's clock and
 * Node's are the same wall clock on one machine):
 *   spawn        Node: pty.spawn() called -> returned (fork + exec of the launcher or pwsh)
 *   launcher     the pty's process started -> pwsh's own process started (the dotnet tool's shim
 *                starts a .NET runtime of its own that runs pwsh as its child; 0 when pwsh runs
 *                directly). Both start times come from /proc (clock ticks: 10 ms steps).
 *   runtime      pwsh's process started -> the first statement of -Command runs (.NET host and
 *                runtime start, pwsh's console host and its runspace open)
 *   bootstrap    -Command's first statement -> session.ps1's first statement (read + parse the script)
 *   integration  session.ps1 first -> last statement (integration.ps1 + reset.ps1 run)
 *   prompt       session.ps1 done -> Node has the ready marker (first prompt, marker through the pty)
 * The time stamps are added by wrapping the pty module PwshSession takes (its ptyModule option): the
 * -Command text gets one leading assignment and session.ps1 one line at each end, nothing else changes.
 *
 * Memory: RSS is VmRSS from /proc/<pid>/status, summed over a process and all its descendants.
 * Linux only (other OSes get an error saying so).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IPty } from '@lydell/node-pty';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ShellConfig } from '../main/core/config/shellConfig.js';
import { OutputStore } from '../main/core/jobs/OutputStore.js';
import { currentPlatform } from '../main/core/platform/Platform.js';
import type { ResolvedShell } from '../main/core/shell/discovery.js';
import { descendantsOf, readProcessTable } from '../main/core/shell/processTree.js';
import { PwshSession, type PtyModule } from '../main/core/shell/PwshSession.js';
import type { IdleHostArgs, IdleHostMessage, PoolCounts } from './idleHostChild.js';
import { median } from './stats.js';

/** The phases of one start, in ms. */
export interface StartPhases {
  spawn: number;
  launcher: number;
  runtime: number;
  bootstrap: number;
  integration: number;
  prompt: number;
  /** PwshSession.start() called -> resolved. */
  total: number;
  /**
   * CPU time (user + system) the session's processes had used when it was ready: what a start costs
   * the machine, and the figure to compare when other work shares the cores (wall times then wander).
   */
  cpu: number;
}

/** One measured start: its phases and the session's memory once it has settled. */
export interface StartSample {
  phases: StartPhases;
  /** RSS of the pty's process and its descendants (the launcher included), KiB, after `settleMs`. */
  treeRssKiB: number;
  /** How many processes that tree holds (2 with the dotnet tool's shim, 1 without). */
  processes: number;
}

/** What a start benchmark runs. */
export interface StartBenchOptions {
  shell: ResolvedShell;
  config: ShellConfig;
  runs: number;
  /** Starts made and thrown away first (disk cache, JIT of Node's side). */
  warmup?: number;
  /** Extra environment for pwsh (e.g. DOTNET_* knobs to compare). */
  env?: Record<string, string>;
  /** Idle time after ready before the memory is read (tiered JIT and GC settle). */
  settleMs?: number;
}

/** .NET ticks (100 ns since 0001-01-01) at the Unix epoch. */
const DOTNET_EPOCH_TICKS = 621_355_968_000_000_000n;
const STAMP = '$global:__poshpoolBench';
/** Time limit of the command that reads the time stamps back. */
const STAMP_TIMEOUT_MS = 30_000;
/** Default idle time before a session's memory is read. */
const DEFAULT_SETTLE_MS = 3_000;

/** Epoch ms now, sub-millisecond (Node's side of the comparison). */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function ticksToEpochMs(ticks: string): number {
  const t = BigInt(ticks.trim()) - DOTNET_EPOCH_TICKS;
  return Number(t) / 10_000;
}

function requireLinux(): void {
  if (currentPlatform().processTable !== 'proc') throw new Error('bench/startup.ts reads memory from /proc: Linux only');
}

/** VmRSS of one process in KiB (0 when it has gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    // The process ended between listing and reading: it holds no memory any more.
    return 0;
  }
}

/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) one process has used so far, ms (0 when it has gone). */
function cpuMs(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is field 3, utime 14, stime 15.
    const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    // The process ended between listing and reading.
    return 0;
  }
}

/** RSS of `pid` and all its descendants, KiB, and how many processes that is (Linux only). */
export async function treeRss(pid: number): Promise<{ rssKiB: number; processes: number }> {
  requireLinux();
  const table = await readProcessTable(currentPlatform());
  const pids = [pid, ...descendantsOf(pid, table)];
  return { rssKiB: pids.reduce((sum, p) => sum + rssKiB(p), 0), processes: pids.length };
}

interface SpawnTrace {
  called?: number;
  returned?: number;
}

/** The pty module of this OS, wrapped to stamp the start: -Command's first statement and session.ps1's first and last. */
async function tracingPty(trace: SpawnTrace): Promise<PtyModule> {
  const real = (await import(currentPlatform().pty.module)) as PtyModule;
  return {
    spawn(file: string, args: string[] | string, options): IPty {
      const list = typeof args === 'string' ? [args] : [...args];
      const i = list.indexOf('-Command');
      if (i < 0 || i + 1 >= list.length) throw new Error('bench: no -Command in the launch');
      const script = /ReadAllText\('((?:[^']|'')+)'\)/.exec(list[i + 1] ?? '')?.[1]?.replace(/''/g, "'");
      if (!script) throw new Error('bench: the bootstrap names no session script');
      const now = '[DateTime]::UtcNow.Ticks';
      list[i + 1] = `${STAMP} = @{ command = ${now} }; ${list[i + 1]}`;
      writeFileSync(script, `${STAMP}.scriptStart = ${now}\n${readFileSync(script, 'utf8')}\n${STAMP}.scriptEnd = ${now}\n`);
      trace.called = epochNow();
      const proc = real.spawn(file, list, options);
      trace.returned = epochNow();
      return proc;
    },
  };
}

/** Starts one session with time stamps; the caller disposes it. */
async function tracedStart(o: StartBenchOptions, work: string, store: OutputStore): Promise<{ session: PwshSession; phases: StartPhases }> {
  const trace: SpawnTrace = {};
  const t0 = epochNow();
  const started = await PwshSession.start({
    shell: o.shell,
    config: o.config,
    outputStore: store,
    tempRoot: work,
    cwd: work,
    env: { ...process.env, ...o.env },
    ptyModule: await tracingPty(trace),
  });
  const ready = epochNow();
  if (!started.ok) throw new Error(`PwshSession.start failed: ${started.reason}`);
  const session = started.session;
  const table = await readProcessTable(currentPlatform());
  const ptyPid = session.ptyPid ?? -1;
  const cpu = [ptyPid, ...descendantsOf(ptyPid, table)].reduce((sum, pid) => sum + cpuMs(pid), 0);
  const r = await session.run(`"$(${STAMP}.command) $(${STAMP}.scriptStart) $(${STAMP}.scriptEnd)"`, { timeoutMs: STAMP_TIMEOUT_MS });
  const [command, scriptStart, scriptEnd] = r.output.trim().split(/\s+/).map(ticksToEpochMs);
  const startOf = (pid: number | undefined): number | undefined => table.find((row) => row.pid === pid)?.startedAt;
  const ptyStart = startOf(session.ptyPid);
  const pwshStart = startOf(session.pid);
  if (command === undefined || ptyStart === undefined || pwshStart === undefined || trace.called === undefined || trace.returned === undefined) {
    throw new Error(`bench: no time stamps from the session (output: ${r.output})`);
  }
  const launcher = pwshStart - ptyStart;
  return {
    session,
    phases: {
      spawn: trace.returned - trace.called,
      launcher,
      runtime: command - trace.returned - launcher,
      bootstrap: (scriptStart ?? NaN) - command,
      integration: (scriptEnd ?? NaN) - (scriptStart ?? NaN),
      prompt: ready - (scriptEnd ?? NaN),
      total: ready - t0,
      cpu,
    },
  };
}

/**
 * Starts `runs` sessions one after another (after `warmup` unrecorded ones) and returns each start's
 * phases and the session's settled memory (Linux only).
 */
export async function measureStartPhases(o: StartBenchOptions): Promise<StartSample[]> {
  requireLinux();
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-start-'));
  const store = new OutputStore({ dir: path.join(work, 'outputs'), pageBytes: 64 * 1024, maxEntries: 4, maxTotalBytes: 2 ** 20 });
  const samples: StartSample[] = [];
  try {
    for (let i = 0; i < (o.warmup ?? 1) + o.runs; i++) {
      const { session, phases } = await tracedStart(o, work, store);
      try {
        if (i < (o.warmup ?? 1)) continue;
        await delay(o.settleMs ?? DEFAULT_SETTLE_MS);
        const pid = session.ptyPid;
        if (pid === undefined) throw new Error('bench: the session has no pid');
        const tree = await treeRss(pid);
        samples.push({ phases, treeRssKiB: tree.rssKiB, processes: tree.processes });
      } finally {
        await session.dispose();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return samples;
}

/**
 * The same shell with any launcher kept (the dotnet tool's shim run as found): the "before" row of a
 * side-by-side comparison with what discovery resolved. Undefined when there is no launcher to keep.
 */
export function withLauncher(shell: ResolvedShell): ResolvedShell | undefined {
  return shell.run ? { path: shell.path, kind: shell.kind, description: `${shell.path} as found (its launcher kept)` } : undefined;
}

/** The median of each phase, of the total and of the settled memory. */
export function medianPhases(samples: readonly StartSample[]): StartPhases & { treeRssKiB: number } {
  const keys: (keyof StartPhases)[] = ['spawn', 'launcher', 'runtime', 'bootstrap', 'integration', 'prompt', 'total', 'cpu'];
  const out = Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s.phases[k]))])) as unknown as StartPhases;
  return { ...out, treeRssKiB: median(samples.map((s) => s.treeRssKiB)) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Memory of a host at one moment: its Node process and its sessions (each pwsh with what it started). */
export interface FootprintPoint {
  /** The host's Node process alone, KiB. */
  hostKiB: number;
  /** Everything the host started (pwsh sessions, launchers), KiB. */
  sessionsKiB: number;
  totalKiB: number;
  /** Processes counted, the host's own included. */
  processes: number;
  pool: PoolCounts;
}

/** The idle footprint of a real Host: after start, after clients used it and left, and after the demand window. */
export interface IdleFootprint {
  /** Warm sessions up, no client yet. */
  afterStart: FootprintPoint;
  /** Right after the clients left (the spare warm sessions they caused are still kept). */
  afterUse: FootprintPoint;
  /** Once warmDemandWindowSeconds has passed with no client: the floor again. */
  afterWindow: FootprintPoint;
  /** The target: host plus warm sessions, no client, KiB (DESIGN: 250 MB). */
  targetKiB: number;
}

/** What the footprint benchmark does. */
export interface FootprintOptions {
  /** MCP clients that use the host at once, each with its own connection. */
  clients: number;
  /** run_command calls each client makes (no session id: the stateless path). */
  commandsPerClient: number;
  /** The floor of warm sessions (the config default is 1). */
  warmSessions: number;
  maxSessions: number;
  /** Passed to the host's config; short, so the bench need not wait 10 minutes. */
  warmDemandWindowSeconds: number;
  /** Idle time before each reading (JIT and GC settle). */
  settleMs: number;
}

/** Host plus warm sessions with no client: at most 250 MB (issue 13). MB = 10^6 bytes. */
export const IDLE_FOOTPRINT_TARGET_KIB = Math.floor(250e6 / 1024);
/** Longest wait for the child host to be ready (its warm sessions started). */
const HOST_READY_TIMEOUT_MS = 120_000;
/** Longest wait for the child host to end after 'stop'. */
const HOST_STOP_TIMEOUT_MS = 30_000;

async function footprintPoint(pid: number, pool: PoolCounts): Promise<FootprintPoint> {
  const tree = await treeRss(pid);
  const hostKiB = rssKiB(pid);
  return { hostKiB, sessionsKiB: tree.rssKiB - hostKiB, totalKiB: tree.rssKiB, processes: tree.processes, pool };
}

/** The child's next message of one type. */
function nextMessage<T extends IdleHostMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<IdleHostMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`bench: the host sent no '${type}' within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: IdleHostMessage): void => {
      if (m.type === 'failed') done(new Error(`bench: the host did not start: ${m.reason}`));
      else if (m.type === type) done(undefined, m as Extract<IdleHostMessage, { type: T }>);
    };
    const onExit = (code: number | null): void => done(new Error(`bench: the host process ended (code ${code})`));
    const done = (error?: Error, value?: Extract<IdleHostMessage, { type: T }>): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function poolOf(child: ChildProcess): Promise<PoolCounts> {
  const reply = nextMessage(child, 'pool', 10_000);
  child.send('pool');
  const { type: _type, ...counts } = await reply;
  return counts;
}

/** One MCP client over HTTP: `commands` run_command calls without a session id, then it leaves. */
async function useAsClient(mcpUrl: string, token: string, name: string, commands: number): Promise<void> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  try {
    for (let i = 0; i < commands; i++) {
      const r = await client.callTool({ name: 'run_command', arguments: { command: `$x = ${i}; $x` } });
      if (r.isError) throw new Error(`bench: run_command failed: ${JSON.stringify(r.content)}`);
    }
  } finally {
    // Leaving as a client does: the MCP session is ended (DELETE), then the connection closed.
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
}

/**
 * Starts a real Host in a child process (its own Node, as `poshpool serve` runs) and reads the RSS of
 * its process tree at three moments: warm sessions up and no client; right after `clients` MCP
 * clients ran commands at once and left; and after the demand window, when the pool is back at its
 * floor. Linux only (/proc). The child is compiled next to this file (dist/bench/idleHostChild.js).
 */
export async function measureIdleFootprint(o: FootprintOptions): Promise<IdleFootprint> {
  requireLinux();
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-idle-'));
  const args: IdleHostArgs = {
    dataDir: path.join(work, 'data'),
    cwd: work,
    warmSessions: o.warmSessions,
    maxSessions: o.maxSessions,
    warmDemandWindowSeconds: o.warmDemandWindowSeconds,
  };
  const here = new URL(import.meta.url);
  const childFile = new URL(`./idleHostChild${path.extname(here.pathname)}`, here);
  const child = fork(childFile, [JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const ready = await nextMessage(child, 'ready', HOST_READY_TIMEOUT_MS);
    await delay(o.settleMs);
    const afterStart = await footprintPoint(ready.pid, await poolOf(child));
    const used = Date.now();
    await Promise.all(Array.from({ length: o.clients }, (_, i) => useAsClient(ready.mcpUrl, ready.token, `bench-idle-${i}`, o.commandsPerClient)));
    await delay(o.settleMs);
    const afterUse = await footprintPoint(ready.pid, await poolOf(child));
    // The window counts from each spare session's last use; then the pool may need a moment to end them.
    await delay(Math.max(0, used + o.warmDemandWindowSeconds * 1000 - Date.now()) + o.settleMs);
    let pool = await poolOf(child);
    for (let i = 0; i < 20 && pool.warm > o.warmSessions; i++) {
      await delay(500);
      pool = await poolOf(child);
    }
    const afterWindow = await footprintPoint(ready.pid, pool);
    return { afterStart, afterUse, afterWindow, targetKiB: IDLE_FOOTPRINT_TARGET_KIB };
  } finally {
    if (child.connected) child.send('stop');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      // A host that does not end in time is killed (its sessions end with their pty).
      const timer = setTimeout(() => child.kill('SIGKILL'), HOST_STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    rmSync(work, { recursive: true, force: true });
  }
}

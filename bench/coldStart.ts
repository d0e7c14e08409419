import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { median } from './stats.js';

/**
 * Cold start through the stdio bridge: what a client that runs `poshpool bridge` (Claude Desktop,
 * VS Code with a stdio config) waits for when no host runs. Each run uses a fresh data dir, so the
 * bridge finds no host and starts one; a bare `pwsh -Command 1` spawn in the same run is the yardstick.
 */

/** One cold start, in ms. */
export interface ColdStartRun {
  /** A bare `pwsh -NoLogo -NoProfile -NonInteractive -Command 1`, spawn to exit, just before the bridge starts. */
  bareSpawnMs: number;
  /** Spawning the bridge through the end of the MCP initialize handshake (client.connect). */
  initializeMs: number;
  /**
   * Spawning the bridge until it has started its first PowerShell (its first child process, polled
   * every few ms on Linux; null elsewhere): the first caller's session starts here.
   */
  firstShellSpawnedMs: number | null;
  /** tools/list right after initialize, as the SDK client does it (client.listTools()). */
  toolsListMs: number;
  /**
   * Of toolsListMs, what the SDK client spent compiling a validator for every tool's output schema
   * (it does so on each listTools): the client's own work, not the host's.
   */
  toolsListClientSchemaMs: number;
  /** The first run_command {command:'1'} without a sessionId, call to result. */
  firstRunMs: number;
  /** End of initialize to the first run_command's result (tools/list plus the first call): what the target compares. */
  firstResultAfterInitializeMs: number;
  /** Spawning the bridge to the first run_command's result: what the person waits for in all. */
  firstResultFromSpawnMs: number;
  /** The second run_command {command:'1'} without a sessionId. */
  secondRunMs: number;
  /** Closing the client until the bridge process has exited. */
  closeMs: number;
  /** Processes under the bridge (host, pwsh launchers, pwsh) seen before close: all were gone after it. */
  descendants: number;
}

/** What {@link measureColdStart} runs. */
export interface ColdStartOptions {
  /** Cold starts to time (each with a fresh data dir). */
  runs: number;
  /** Config of the started host (written to a config file in the temp dir; default `{}`, i.e. all defaults). */
  config?: Record<string, unknown>;
  /** The poshpool entry (default: bin/poshpool.js of this checkout, which runs dist/). */
  bin?: string;
  /** Bridge stderr lines go here (default: dropped). */
  onStderr?: (line: string) => void;
  /** The PowerShell of the bare spawn (default: pwsh on PATH, the one the host finds by default). */
  shellPath?: string;
}

/** The issue 13 targets for a cold start through the bridge. */
export const COLD_START_TARGETS = {
  /** The first run_command's result, after initialize, within this many bare pwsh spawns (same run). */
  firstResultPerBareSpawn: 1.5,
  /** tools/list, as the SDK client does it. */
  toolsListMs: 50,
};

/** Medians over the runs, per field, and how they stand against {@link COLD_START_TARGETS}. */
export interface ColdStartSummary {
  medians: Omit<ColdStartRun, 'descendants'>;
  /** Median over the runs of firstResultAfterInitializeMs / bareSpawnMs (each run against its own spawn). */
  firstResultPerBareSpawn: number;
  /** Median tools/list without the SDK client's schema compile: the host's part and the wire. */
  toolsListHostMs: number;
  firstResultOk: boolean;
  toolsListOk: boolean;
}

/** Sums up cold-start runs (at least one). */
export function summarizeColdStart(runs: readonly ColdStartRun[]): ColdStartSummary {
  if (runs.length === 0) throw new Error('no cold-start runs');
  const m = (pick: (r: ColdStartRun) => number): number => median(runs.map(pick));
  const shellSpawned = runs.flatMap((r) => (r.firstShellSpawnedMs === null ? [] : [r.firstShellSpawnedMs]));
  const medians = {
    bareSpawnMs: m((r) => r.bareSpawnMs),
    initializeMs: m((r) => r.initializeMs),
    firstShellSpawnedMs: shellSpawned.length > 0 ? median(shellSpawned) : null,
    toolsListMs: m((r) => r.toolsListMs),
    toolsListClientSchemaMs: m((r) => r.toolsListClientSchemaMs),
    firstRunMs: m((r) => r.firstRunMs),
    firstResultAfterInitializeMs: m((r) => r.firstResultAfterInitializeMs),
    firstResultFromSpawnMs: m((r) => r.firstResultFromSpawnMs),
    secondRunMs: m((r) => r.secondRunMs),
    closeMs: m((r) => r.closeMs),
  };
  const firstResultPerBareSpawn = m((r) => r.firstResultAfterInitializeMs / r.bareSpawnMs);
  return {
    medians,
    firstResultPerBareSpawn,
    toolsListHostMs: m((r) => r.toolsListMs - r.toolsListClientSchemaMs),
    firstResultOk: firstResultPerBareSpawn <= COLD_START_TARGETS.firstResultPerBareSpawn,
    toolsListOk: medians.toolsListMs <= COLD_START_TARGETS.toolsListMs,
  };
}

/** How long the bench waits for the bridge's processes to be gone after close before it calls it a leak. */
const EXIT_WAIT_MS = 15_000;
const SPAWN_TIMEOUT_MS = 30_000;

/** The bare spawn's environment: what a session sets for pwsh (as in bench/run.ts), so both start pwsh alike. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.toUpperCase().startsWith('POSHPOOL_')) env[k] = v;
  return { ...env, NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' };
}

/** One bare `pwsh -Command 1`, spawn to 'close'. */
export function bareSpawn(shellPath = 'pwsh'): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(shellPath, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '1'], { env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.trim() === '1') resolve(performance.now() - t0);
      else reject(new Error(`bare pwsh ended with code ${code}, stdout ${JSON.stringify(out)}`));
    });
  });
}

/** Linux: pid -> parent pid of every live (not zombie) process, from /proc. Elsewhere: empty. */
function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  if (!existsSync('/proc/self/stat')) return table;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone between readdir and read
    }
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') continue;
    table.set(Number(name), { ppid: Number(fields[1]), start: fields[19] ?? '' });
  }
  return table;
}

/** The live descendants of a process, with their start times (to tell a reused pid apart). */
function descendantsOf(root: number): Map<number, string> {
  const table = processTable();
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, p] of table) if (frontier.includes(p.ppid) && !found.has(pid)) {
      found.set(pid, p.start);
      next.push(pid);
    }
    frontier = next;
  }
  return found;
}

/** Waits until none of the given processes (nor the root) is alive; throws naming the ones left. */
async function waitGone(root: number, pids: Map<number, string>): Promise<void> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (;;) {
    const table = processTable();
    const left = [root, ...pids.keys()].filter((pid) => {
      const p = table.get(pid);
      return p !== undefined && (pid === root || p.start === pids.get(pid));
    });
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`cold start: processes left ${EXIT_WAIT_MS} ms after the client closed: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How often the bench looks for the bridge's first child process. */
const CHILD_POLL_MS = 5;

/**
 * Linux: resolves with performance.now() at which the process `pid()` names first has a child (its
 * main thread's, /proc/<pid>/task/<pid>/children); null on other systems or once `stop` is set.
 */
async function firstChildAt(pid: () => number | null, stop: { stopped: boolean }): Promise<number | null> {
  if (!existsSync('/proc/self/task')) return null;
  while (!stop.stopped) {
    const p = pid();
    if (p !== null) {
      try {
        if (readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim() !== '') return performance.now();
      } catch {
        return null; // the process is gone, or this kernel has no children file
      }
    }
    await new Promise((r) => setTimeout(r, CHILD_POLL_MS));
  }
  return null;
}

async function runCommand(client: Client): Promise<number> {
  const t0 = performance.now();
  const r = (await client.callTool({ name: 'run_command', arguments: { command: '1' } })) as CallToolResult;
  const ms = performance.now() - t0;
  if (r.isError || (r.structuredContent as { output?: string } | undefined)?.output?.trim() !== '1') {
    throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
  }
  return ms;
}

/** The SDK client's default validator, timing how long making validators takes. */
class TimedValidator implements jsonSchemaValidator {
  private readonly inner = new AjvJsonSchemaValidator();
  compileMs = 0;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const t0 = performance.now();
    try {
      return this.inner.getValidator<T>(schema);
    } finally {
      this.compileMs += performance.now() - t0;
    }
  }
}

/** One cold start in a fresh temp dir; everything it started is checked gone before it returns. */
async function coldStartOnce(options: ColdStartOptions, bin: string): Promise<ColdStartRun> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-cold-'));
  const dataDir = path.join(work, 'data');
  const configFile = path.join(work, 'config.json');
  writeFileSync(configFile, JSON.stringify(options.config ?? {}));
  try {
    const bareSpawnMs = await bareSpawn(options.shellPath);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'bridge', '--data-dir', dataDir, '--config', configFile],
      cwd: work,
      stderr: 'pipe',
    });
    let stderrText = '';
    const stderr = transport.stderr as Readable | null;
    stderr?.setEncoding('utf8');
    stderr?.on('data', (d: string) => {
      stderrText += d;
      for (let i = stderrText.indexOf('\n'); i >= 0; i = stderrText.indexOf('\n')) {
        options.onStderr?.(stderrText.slice(0, i));
        stderrText = stderrText.slice(i + 1);
      }
    });
    const validator = new TimedValidator();
    const client = new Client({ name: 'poshpool-bench-cold', version: '1.0.0' }, { jsonSchemaValidator: validator });
    let descendants = new Map<number, string>();
    let root: number | null = null;
    let closed = false;
    const watching = { stopped: false };
    try {
      const t0 = performance.now();
      const firstChild = firstChildAt(() => transport.pid, watching);
      await client.connect(transport);
      const t1 = performance.now();
      root = transport.pid;
      const tools = await client.listTools();
      const t2 = performance.now();
      const toolsListClientSchemaMs = validator.compileMs;
      if (!tools.tools.some((t) => t.name === 'run_command')) throw new Error('tools/list has no run_command');
      const firstRunMs = await runCommand(client);
      const t3 = performance.now();
      watching.stopped = true;
      const shellAt = await firstChild;
      const secondRunMs = await runCommand(client);
      if (root !== null) descendants = descendantsOf(root);
      const c0 = performance.now();
      await client.close();
      closed = true;
      if (root !== null) await waitGone(root, descendants);
      const closeMs = performance.now() - c0;
      if (existsSync(path.join(dataDir, 'host.json'))) throw new Error('cold start: host.json left behind after the bridge exited');
      return {
        bareSpawnMs,
        initializeMs: t1 - t0,
        firstShellSpawnedMs: shellAt === null ? null : shellAt - t0,
        toolsListMs: t2 - t1,
        toolsListClientSchemaMs,
        firstRunMs,
        firstResultAfterInitializeMs: t3 - t1,
        firstResultFromSpawnMs: t3 - t0,
        secondRunMs,
        closeMs,
        descendants: descendants.size,
      };
    } finally {
      watching.stopped = true;
      if (!closed) {
        if (root !== null) descendants = new Map([...descendants, ...descendantsOf(root)]);
        await client.close().catch(() => undefined);
        if (root !== null) await waitGone(root, descendants).catch(() => undefined);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Times `runs` cold starts through `poshpool bridge` (after one untimed bare pwsh spawn, so the
 * yardstick does not pay for a cold disk cache), each with its own fresh data dir and no host running
 * for it. Throws when a run fails or leaves a process or host.json behind.
 */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartRun[]> {
  const bin = options.bin ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/poshpool.js');
  await bareSpawn(options.shellPath);
  const out: ColdStartRun[] = [];
  for (let i = 0; i < options.runs; i++) out.push(await coldStartOnce(options, bin));
  return out;
}

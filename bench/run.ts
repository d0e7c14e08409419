/**
 * Engine benchmark (`npm run bench`). Measures, in one process and in this order:
 *   1. session start time to ready,
 *   2. warm round trip of the trivial command `1`,
 *   3. the spawn-per-command baseline (`pwsh -NoLogo -NoProfile -NonInteractive -Command 1`),
 *   4. output throughput (~10 MB through a session) and pwsh's own generation cost,
 *   and further steps (MCP, scheduler, backups, host process, warm path, approval rules, a remote
 *   host over ssh to 127.0.0.1 beside a local session),
 * then prints a table with the DESIGN.md §5 targets marked PASS/MISS and writes the figures as JSON
 * to bench/results/. Informational only: a missed target does not fail the run; a crash does.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { CommandResult } from '../common/shell.js';
import { defaultShellConfig, type ShellConfig } from '../main/core/config/shellConfig.js';
import { OutputStore } from '../main/core/jobs/OutputStore.js';
import { currentPlatform } from '../main/core/platform/Platform.js';
import { discoverShell, hostDiscoveryEnv, type ResolvedShell } from '../main/core/shell/discovery.js';
import { PwshSession } from '../main/core/shell/PwshSession.js';
import { measureCapturePipeline, timePwshToPipe } from './capture.js';
import { measureBackups } from './backup.js';
import { measureHostProcess } from './hostProcess.js';
import { measureApprovalOverhead } from './approvals.js';
import { measureRemote } from './remote.js';
import { measureMcpRoundTrips } from './mcp.js';
import { measureAcquire, measureConcurrent } from './scheduler.js';
import { formatTable, median, round, roundSummary, summarize, type Summary } from './stats.js';
import { measureWarmPath, warmPathRows, warmPathTargets } from './warmPath.js';

const START_RUNS = 5;
const ROUND_TRIP_WARMUP = 20;
const ROUND_TRIP_RUNS = 500;
const SPAWN_WARMUP = 2;
const SPAWN_RUNS = 30;
const THROUGHPUT_RUNS = 3;
const THROUGHPUT_LINES = 100_000;
const THROUGHPUT_MIN_BYTES = 9.9e6;
const OUTPUT_COMMAND = `$s = 'x' * 99; 1..${THROUGHPUT_LINES} | ForEach-Object { $s }`;
const GENERATION_COMMAND = `$s = 'x' * 99; $null = 1..${THROUGHPUT_LINES} | ForEach-Object { $s }`;
const ROUND_TRIP_TIMEOUT_MS = 10_000;
const THROUGHPUT_TIMEOUT_MS = 180_000;
const SPAWN_TIMEOUT_MS = 30_000;
/** MB here is 10^6 bytes. */
const MB = 1e6;
const ACQUIRE_SAMPLES = 30;
const BACKUP_FILES = 10_000;
const BACKUP_CHANGED = 10;
const BACKUP_ROUNDS = 5;
const MCP_WARMUP = 20;
const MCP_RUNS = 300;
/** Round trips per host in the approval-rules comparison. */
const APPROVAL_WARMUP = 10;
const APPROVAL_RUNS = 100;
const CONCURRENT_REQUESTS = 200;
const CONCURRENT_WARMUP = 30;
const CONCURRENT_SLOTS = 5;
const HOLD_MIN_MS = 200;
const HOLD_MAX_MS = 1200;
const CONCURRENT_SEED = 7;
const HOSTPROC_WARMUP = 20;
const HOSTPROC_RUNS = 300;
const HOSTPROC_COMMANDS = 200;
/** Remote host (issue 17): starts and round trips over ssh to 127.0.0.1, each beside a local one. */
const REMOTE_STARTS = 5;
const REMOTE_WARMUP = 20;
const REMOTE_RUNS = 300;

/** DESIGN.md §5 targets this benchmark can check. */
const TARGETS = {
  acquireP50Ms: 2,
  backupMs: 1000,
  etaMedianApePct: 25,
  roundTripP50Ms: 15,
  speedupVsSpawn: 25,
  outputMBps: 20,
};

/** Environment of the spawn baseline: the variables a session sets for pwsh, so both start pwsh alike. */
function baselineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith('POSHPOOL_')) env[k] = v;
  }
  return { ...env, NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' };
}

interface Context {
  shell: ResolvedShell;
  config: ShellConfig;
  store: OutputStore;
  work: string;
}

async function startSession(ctx: Context): Promise<PwshSession> {
  const started = await PwshSession.start({ shell: ctx.shell, config: ctx.config, outputStore: ctx.store, tempRoot: ctx.work, cwd: ctx.work });
  if (!started.ok) throw new Error(`PwshSession.start failed: ${started.reason}`);
  return started.session;
}

/** Runs a command and throws unless it completed successfully (the benchmark measures only healthy runs). */
async function runChecked(session: PwshSession, command: string, timeoutMs: number): Promise<{ result: CommandResult; ms: number }> {
  const t0 = performance.now();
  const result = await session.run(command, { timeoutMs });
  const ms = performance.now() - t0;
  if (result.status !== 'completed' || !result.success || !result.sessionAlive) {
    throw new Error(
      `"${command.slice(0, 80)}" did not complete cleanly: status=${result.status} success=${result.success} ` +
        `alive=${result.sessionAlive} exitCode=${result.exitCode}${result.message ? ` message=${result.message}` : ''}` +
        `${result.errors[0] ? ` error=${result.errors[0].message}` : ''}`,
    );
  }
  return { result, ms };
}

/** 1. Start-up: each start timed until it resolves, then the session is disposed. */
async function measureStart(ctx: Context): Promise<{ start: number[]; dispose: number[] }> {
  const start: number[] = [];
  const dispose: number[] = [];
  for (let i = 0; i < START_RUNS; i++) {
    const t0 = performance.now();
    const session = await startSession(ctx);
    start.push(performance.now() - t0);
    const t1 = performance.now();
    await session.dispose();
    dispose.push(performance.now() - t1);
  }
  return { start, dispose };
}

/** 2. Warm round trip of `1`, timed around `await session.run('1')`. */
async function measureRoundTrip(session: PwshSession): Promise<{ wall: number[]; engine: number[] }> {
  for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await runChecked(session, '1', ROUND_TRIP_TIMEOUT_MS);
  const wall: number[] = [];
  const engine: number[] = [];
  for (let i = 0; i < ROUND_TRIP_RUNS; i++) {
    const { result, ms } = await runChecked(session, '1', ROUND_TRIP_TIMEOUT_MS);
    if (result.output.trim() !== '1') throw new Error(`\`1\` printed ${JSON.stringify(result.output)} instead of "1"`);
    wall.push(ms);
    engine.push(result.durationMs);
  }
  return { wall, engine };
}

/** One `pwsh -Command 1`, timed from spawn to 'close'. */
function spawnOnce(shellPath: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(shellPath, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      if (code !== 0 || stdout.trim() !== '1') {
        reject(new Error(`spawned pwsh ended with code=${code} signal=${signal} stdout=${JSON.stringify(stdout)} stderr=${JSON.stringify(stderr)}`));
      } else {
        resolve(ms);
      }
    });
  });
}

/** 3. Spawn-per-command baseline (a couple of untimed warm-up spawns first, for a fair comparison). */
async function measureSpawn(shellPath: string): Promise<number[]> {
  const env = baselineEnv();
  for (let i = 0; i < SPAWN_WARMUP; i++) await spawnOnce(shellPath, env);
  const samples: number[] = [];
  for (let i = 0; i < SPAWN_RUNS; i++) samples.push(await spawnOnce(shellPath, env));
  return samples;
}

interface Throughput {
  outputBytes: number[];
  wallMs: number[];
  /** CPU time (user + system) this Node process spent during each output run: the engine's share of the work. */
  nodeCpuMs: number[];
  generationMs: number[];
  endToEndMBps: number[];
  /** outputBytes / (wall − median generation time), per run. */
  captureMBps: number[];
  truncated: boolean[];
  spilled: boolean[];
}

/** 4. ~10 MB of output through a warm session, and the same pipeline with its output discarded. */
async function measureThroughput(session: PwshSession, store: OutputStore, capBytes: number): Promise<Throughput> {
  const outputBytes: number[] = [];
  const wallMs: number[] = [];
  const nodeCpuMs: number[] = [];
  const truncated: boolean[] = [];
  const spilled: boolean[] = [];
  for (let i = 0; i < THROUGHPUT_RUNS; i++) {
    const cpu0 = process.cpuUsage();
    const { result, ms } = await runChecked(session, OUTPUT_COMMAND, THROUGHPUT_TIMEOUT_MS);
    const cpu = process.cpuUsage(cpu0);
    nodeCpuMs.push((cpu.user + cpu.system) / 1000);
    if (result.outputBytes < THROUGHPUT_MIN_BYTES) throw new Error(`expected >= ${THROUGHPUT_MIN_BYTES} output bytes, got ${result.outputBytes}`);
    if (!result.truncated) throw new Error(`expected a truncated result (output above the ${capBytes}-byte cap), got the whole output inline`);
    outputBytes.push(result.outputBytes);
    wallMs.push(ms);
    truncated.push(result.truncated);
    spilled.push(result.outputRef !== null);
    // Keep the store small: the spilled copy is not needed.
    if (result.outputRef) store.delete(result.outputRef);
  }
  const generationMs: number[] = [];
  for (let i = 0; i < THROUGHPUT_RUNS; i++) {
    const { result, ms } = await runChecked(session, GENERATION_COMMAND, THROUGHPUT_TIMEOUT_MS);
    if (result.outputBytes !== 0) throw new Error(`the generation-only command printed ${result.outputBytes} bytes`);
    generationMs.push(ms);
  }
  const gen = median(generationMs);
  const endToEndMBps = outputBytes.map((b, i) => b / MB / (wallMs[i]! / 1000));
  const captureMBps = outputBytes.map((b, i) => {
    const net = wallMs[i]! - gen;
    return net > 0 ? b / MB / (net / 1000) : Number.POSITIVE_INFINITY;
  });
  return { outputBytes, wallMs, nodeCpuMs, generationMs, endToEndMBps, captureMBps, truncated, spilled };
}

function pwshVersion(shellPath: string): string {
  try {
    return execFileSync(shellPath, ['-NoLogo', '-NoProfile', '-Command', '$PSVersionTable.PSVersion.ToString()'], {
      encoding: 'utf8',
      timeout: SPAWN_TIMEOUT_MS,
      env: baselineEnv(),
    }).trim();
  } catch (e) {
    return `unknown (${(e as Error).message.split('\n')[0]})`;
  }
}

function machineInfo(shell: ResolvedShell): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    platform: currentPlatform().os,
    arch: process.arch,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    pwsh: pwshVersion(shell.path),
    pwshPath: shell.path,
  };
}

/** The directory holding package.json, found upwards from this file (works from bench/ and dist/bench/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function passMiss(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

async function main(): Promise<void> {
  const config = defaultShellConfig();
  const found = discoverShell(config.path, hostDiscoveryEnv());
  if (!found.ok) throw new Error(found.reason);
  const shell = found.shell;
  const machine = machineInfo(shell);
  console.log(`poshpool engine benchmark: ${machine.os} ${machine.arch}, ${machine.cpuCount}× ${machine.cpuModel}, node ${machine.node}, pwsh ${machine.pwsh} (${shell.path})`);

  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-'));
  const store = new OutputStore({ dir: path.join(work, 'outputs'), pageBytes: 64 * 1024, maxEntries: 4, maxTotalBytes: 256 * 2 ** 20 });
  const ctx: Context = { shell, config, store, work };
  let session: PwshSession | undefined;
  const started = performance.now();
  try {
    console.log(`1/10 session start: ${START_RUNS} sessions one after another…`);
    const startup = await measureStart(ctx);

    console.log(`2/10 warm round trip: ${ROUND_TRIP_WARMUP} warm-up + ${ROUND_TRIP_RUNS} runs of \`1\`…`);
    session = await startSession(ctx);
    const roundTrip = await measureRoundTrip(session);

    console.log(`3/10 spawn-per-command baseline: ${SPAWN_WARMUP} warm-up + ${SPAWN_RUNS} spawns of pwsh -Command 1…`);
    const spawnSamples = await measureSpawn(shell.path);

    console.log(`4/10 output throughput: ${THROUGHPUT_RUNS}× ~10 MB, then ${THROUGHPUT_RUNS}× generation only…`);
    const throughput = await measureThroughput(session, store, config.outputCapBytes);

    await session.dispose();
    session = undefined;

    console.log(`5/10 where output time goes: pwsh alone writing the same output to a pipe, and the capture pipeline alone…`);
    const pipeMBps: number[] = [];
    const captureOnlyMBps: number[] = [];
    const spawnP50 = summarize(spawnSamples).p50;
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      const piped = await timePwshToPipe(shell.path, OUTPUT_COMMAND, baselineEnv());
      // Start-up is not output time: take off the median of a plain `pwsh -Command 1`.
      pipeMBps.push(piped.bytes / MB / ((piped.ms - spawnP50) / 1000));
      captureOnlyMBps.push((await measureCapturePipeline(store, THROUGHPUT_LINES, 99, config.outputCapBytes)).mbps);
    }

    console.log(`MCP round trips: ${MCP_WARMUP} warm-up + ${MCP_RUNS} run_command '1' over Streamable HTTP (SDK client, then a lean client), then over the stdio bridge…`);
    const mcpTrips = await measureMcpRoundTrips(MCP_WARMUP, MCP_RUNS);

    console.log(`6/10 acquire latency: ${ACQUIRE_SAMPLES} requests for a session while one is warm…`);
    const acquireSamples = await measureAcquire(ACQUIRE_SAMPLES);
    console.log(
      `7/10 ${CONCURRENT_REQUESTS} concurrent requests on ${CONCURRENT_SLOTS} slots (holds ${HOLD_MIN_MS}-${HOLD_MAX_MS} ms, after a warm-up burst of ${CONCURRENT_WARMUP})…`,
    );
    const concurrent = await measureConcurrent(CONCURRENT_REQUESTS, CONCURRENT_WARMUP, CONCURRENT_SLOTS, HOLD_MIN_MS, HOLD_MAX_MS, CONCURRENT_SEED);

    console.log(`8/10 backups of a ${BACKUP_FILES}-file repository, ${BACKUP_CHANGED} files changed each time, ${BACKUP_ROUNDS} rounds…`);
    const backupBench = await measureBackups(BACKUP_FILES, BACKUP_CHANGED, BACKUP_ROUNDS);

    console.log(`9/10 the tray app's host process: ${HOSTPROC_RUNS} snapshots over its port and over HTTP, then ${HOSTPROC_COMMANDS} commands' events…`);
    const hostProc = await measureHostProcess(HOSTPROC_WARMUP, HOSTPROC_RUNS, HOSTPROC_COMMANDS);

    console.log('10/10 the warm path (issue 13): engine overhead, run_command without a session id, start phases, cold bridge start, idle footprint…');
    const warm = await measureWarmPath({ shell, config, store, work }, (line) => console.log(`  ${line}`));

    console.log(`approval rules: ${APPROVAL_WARMUP} warm-up + ${APPROVAL_RUNS} run_command round trips on a host without rules and one with rules (none matching), alternating…`);
    const approval = await measureApprovalOverhead(APPROVAL_WARMUP, APPROVAL_RUNS);
    const approvalPlainSum = summarize(approval.withoutRules);
    const approvalRuledSum = summarize(approval.withRules);

    console.log(`remote host: ${REMOTE_STARTS} session starts over ssh to a throwaway sshd on 127.0.0.1 and ${REMOTE_STARTS} local, then ${REMOTE_WARMUP} warm-up + ${REMOTE_RUNS} round trips of \`1\`, remote and local alternating…`);
    const remote = await measureRemote(ctx, REMOTE_STARTS, REMOTE_WARMUP, REMOTE_RUNS);
    if (remote.skipped) console.log(`  skipped: ${remote.skipped}`);

    const startSum = summarize(startup.start);
    const disposeSum = summarize(startup.dispose);
    const rtSum = summarize(roundTrip.wall);
    const rtEngineSum = summarize(roundTrip.engine);
    const spawnSum = summarize(spawnSamples);
    const wallSum = summarize(throughput.wallMs);
    const cpuSum = summarize(throughput.nodeCpuMs);
    const genSum = summarize(throughput.generationMs);
    const e2eSum = summarize(throughput.endToEndMBps);
    const captureSum = summarize(throughput.captureMBps);
    const pipeSum = summarize(pipeMBps);
    const acquireSum = summarize(acquireSamples);
    const mcpHttpSum = summarize(mcpTrips.http);
    const mcpHttpLeanSum = summarize(mcpTrips.httpLean);
    const backupFirstSum = summarize(backupBench.firstMs);
    const backupLaterSum = summarize(backupBench.laterMs);
    const mcpBridgeSum = summarize(mcpTrips.bridge);
    const throughputPerSec = concurrent.served / (concurrent.wallMs / 1000);
    const captureOnlySum = summarize(captureOnlyMBps);
    const ratio = spawnSum.p50 / rtSum.p50;

    const row = (name: string, s: Summary, unit: string): (string | number)[] => [name, s.n, s.min, s.p50, s.p95, s.max, s.mean, unit];
    const table = formatTable(
      ['metric', 'n', 'min', 'p50', 'p95', 'max', 'mean', 'unit'],
      [
        row('session start to ready', startSum, 'ms'),
        row('session dispose', disposeSum, 'ms'),
        row('warm round trip `1` (wall)', rtSum, 'ms'),
        row('  of which engine durationMs', rtEngineSum, 'ms'),
        row('spawn pwsh -Command 1', spawnSum, 'ms'),
        row('10 MB output run (wall)', wallSum, 'ms'),
        row('  of which Node CPU time', cpuSum, 'ms'),
        row('10 MB generation only (wall)', genSum, 'ms'),
        row('output end-to-end', e2eSum, 'MB/s'),
        row('output minus generation', captureSum, 'MB/s'),
        row('pwsh alone, same output to a pipe', pipeSum, 'MB/s'),
        row('capture pipeline alone (no pwsh)', captureOnlySum, 'MB/s'),
        row('MCP run_command `1` over HTTP', mcpHttpSum, 'ms'),
        row('  same, lean client (host share)', mcpHttpLeanSum, 'ms'),
        row('MCP run_command `1` over stdio bridge', mcpBridgeSum, 'ms'),
        row('acquire from the warm pool', acquireSum, 'ms'),
        row(`first backup, ${BACKUP_FILES} files`, backupFirstSum, 'ms'),
        row(`backup of ${BACKUP_CHANGED} changes, ${BACKUP_FILES} files`, backupLaterSum, 'ms'),
        row('host process start to ready (1 start)', summarize([hostProc.readyMs]), 'ms'),
        row('dashboard snapshot over the host port', summarize(hostProc.portSnapshotMs), 'ms'),
        row('dashboard snapshot over HTTP /api', summarize(hostProc.httpSnapshotMs), 'ms'),
        row('host event to the app (batched 50 ms)', summarize(hostProc.eventLatencyMs), 'ms'),
        row(`wait of ${concurrent.samples.length} queued requests`, summarize(concurrent.samples.map((x) => x.waitMs)), 'ms'),
        row(`  ideal wait for ${CONCURRENT_SLOTS} slots and these holds (median)`, summarize([concurrent.idealMedianWaitMs]), 'ms'),
        row(`leases served per second (capacity ${round(concurrent.capacityPerSecond, 2)}/s)`, summarize([throughputPerSec]), '/s'),
        ...warmPathRows(warm).map(([name, s, unit]) => row(name, s, unit)),
        ...(remote.skipped
          ? []
          : [
              row('remote session start over ssh (127.0.0.1)', summarize(remote.remoteStartMs), 'ms'),
              row('  local session start, same run', summarize(remote.localStartMs), 'ms'),
              row('remote round trip `1` over ssh (127.0.0.1)', summarize(remote.remoteRoundTripMs), 'ms'),
              row('  local round trip `1`, alternating', summarize(remote.localRoundTripMs), 'ms'),
            ]),
      ],
    );
    const targets = [
      {
        target: `engine round trip p50 <= ${TARGETS.roundTripP50Ms} ms (MCP budget; engine should be far under)`,
        measured: `${round(rtSum.p50, 2)} ms`,
        ok: rtSum.p50 <= TARGETS.roundTripP50Ms,
      },
      {
        target: `>= ${TARGETS.speedupVsSpawn}x faster than spawn-per-command (spawn p50 / round trip p50)`,
        measured: `${round(ratio, 1)}x (${round(spawnSum.p50, 1)} / ${round(rtSum.p50, 2)} ms)`,
        ok: ratio >= TARGETS.speedupVsSpawn,
      },
      {
        target: `output capture >= ${TARGETS.outputMBps} MB/s (capture pipeline alone)`,
        measured: `${round(captureOnlySum.p50, 1)} MB/s`,
        ok: captureOnlySum.p50 >= TARGETS.outputMBps,
      },
      {
        target: `output end to end >= ${TARGETS.outputMBps} MB/s (bounded by pwsh's own console writing)`,
        measured: `${round(e2eSum.p50, 1)} MB/s (pwsh alone to a pipe: ${round(pipeSum.p50, 1)} MB/s)`,
        ok: e2eSum.p50 >= TARGETS.outputMBps,
      },
      {
        target: `MCP round trip over HTTP p50 <= ${TARGETS.roundTripP50Ms} ms and >= ${TARGETS.speedupVsSpawn}x faster than spawn`,
        measured: `${round(mcpHttpSum.p50, 2)} ms, ${round(spawnSum.p50 / mcpHttpSum.p50, 1)}x`,
        ok: mcpHttpSum.p50 <= TARGETS.roundTripP50Ms && spawnSum.p50 / mcpHttpSum.p50 >= TARGETS.speedupVsSpawn,
      },
      {
        target: `MCP round trip over the stdio bridge p50 <= ${TARGETS.roundTripP50Ms} ms and >= ${TARGETS.speedupVsSpawn}x faster than spawn`,
        measured: `${round(mcpBridgeSum.p50, 2)} ms, ${round(spawnSum.p50 / mcpBridgeSum.p50, 1)}x`,
        ok: mcpBridgeSum.p50 <= TARGETS.roundTripP50Ms && spawnSum.p50 / mcpBridgeSum.p50 >= TARGETS.speedupVsSpawn,
      },
      {
        target: `backup of a ${BACKUP_FILES}-file repo after the quiet period <= ${TARGETS.backupMs} ms (first backup too)`,
        measured: `${round(backupLaterSum.p50, 1)} ms (first: ${round(backupFirstSum.p50, 1)} ms; max ${round(Math.max(backupLaterSum.max, backupFirstSum.max), 1)} ms)`,
        ok: backupLaterSum.max <= TARGETS.backupMs && backupFirstSum.max <= TARGETS.backupMs,
      },
      {
        target: `acquire from the warm pool p50 <= ${TARGETS.acquireP50Ms} ms`,
        measured: `${round(acquireSum.p50, 3)} ms`,
        ok: acquireSum.p50 <= TARGETS.acquireP50Ms,
      },
      {
        target: `${CONCURRENT_REQUESTS} requests on ${CONCURRENT_SLOTS} slots: each served or refused`,
        measured: `${concurrent.served} served, ${concurrent.refused} refused, ${round(throughputPerSec, 2)}/s`,
        ok: concurrent.served + concurrent.refused === CONCURRENT_REQUESTS,
      },
      {
        target: `median absolute ETA error <= ${TARGETS.etaMedianApePct} % (seed design side by side)`,
        measured: `${round(concurrent.etaMedianApe, 1)} % (seed: ${round(concurrent.seedMedianApe, 1)} %)`,
        ok: concurrent.etaMedianApe <= TARGETS.etaMedianApePct,
      },
    ];
    targets.push({
      target: 'approval rules: the summary before each command adds no more than a warm round trip (p50 with rules <= 2x without)',
      measured: `${round(approvalRuledSum.p50, 2)} ms with rules vs ${round(approvalPlainSum.p50, 2)} ms without (+${round(approvalRuledSum.p50 - approvalPlainSum.p50, 2)} ms, ${round(approvalRuledSum.p50 / approvalPlainSum.p50, 2)}x)`,
      ok: approvalRuledSum.p50 <= 2 * approvalPlainSum.p50,
    });
    const warmTargets = warmPathTargets(warm, {
      spawnP50: spawnSum.p50,
      mcpHttpP50: mcpHttpSum.p50,
      mcpHttpLeanP50: mcpHttpLeanSum.p50,
      mcpBridgeP50: mcpBridgeSum.p50,
      concurrent: { ...concurrent, requests: CONCURRENT_REQUESTS },
      slots: CONCURRENT_SLOTS,
    });
    targets.push(...warmTargets);
    const targetTable = formatTable(
      ['target (DESIGN.md §5)', 'measured', 'result'],
      targets.map((t) => [t.target, t.measured, passMiss(t.ok)]),
    );

    const totalSec = (performance.now() - started) / 1000;
    console.log('');
    console.log(table);
    console.log('');
    console.log(targetTable);
    console.log('');
    console.log(
      `Output: ${throughput.outputBytes[0]} bytes per run, truncated=${throughput.truncated.every(Boolean)} ` +
        `(cap ${config.outputCapBytes} B), spilled to the store=${throughput.spilled.every(Boolean)}. MB = 10^6 bytes. ` +
        `Targets are informational. Total ${round(totalSec, 1)} s.`,
    );

    if (!remote.skipped) {
      const r = summarize(remote.remoteRoundTripMs).p50;
      const l = summarize(remote.localRoundTripMs).p50;
      console.log(
        `Remote host (ssh to 127.0.0.1, same run): round trip p50 ${round(r, 2)} ms vs local ${round(l, 2)} ms (+${round(r - l, 2)} ms, ${round(r / l, 2)}x); ` +
          `start p50 ${round(summarize(remote.remoteStartMs).p50, 1)} ms vs local ${round(summarize(remote.localStartMs).p50, 1)} ms. Informational: there is no target.`,
      );
    }

    const stamp = new Date().toISOString().replace(/:/g, '-');
    const outDir = path.join(repoRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `engine-${stamp}.json`);
    const samples = (xs: number[]): number[] => xs.map((x) => round(x));
    const json = {
      benchmark: 'engine',
      timestamp: new Date().toISOString(),
      machine,
      config: {
        startRuns: START_RUNS,
        roundTripWarmup: ROUND_TRIP_WARMUP,
        roundTripRuns: ROUND_TRIP_RUNS,
        spawnWarmup: SPAWN_WARMUP,
        spawnRuns: SPAWN_RUNS,
        spawnArgs: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '1'],
        throughputRuns: THROUGHPUT_RUNS,
        outputCommand: OUTPUT_COMMAND,
        generationCommand: GENERATION_COMMAND,
        outputCapBytes: config.outputCapBytes,
        mbIsBytes: MB,
      },
      metrics: {
        sessionStartMs: { summary: roundSummary(startSum), samples: samples(startup.start) },
        sessionDisposeMs: { summary: roundSummary(disposeSum), samples: samples(startup.dispose) },
        roundTripMs: { summary: roundSummary(rtSum), samples: samples(roundTrip.wall) },
        roundTripEngineDurationMs: { summary: roundSummary(rtEngineSum), samples: samples(roundTrip.engine) },
        spawnPerCommandMs: { summary: roundSummary(spawnSum), samples: samples(spawnSamples) },
        speedupVsSpawn: round(ratio, 2),
        outputRunMs: { summary: roundSummary(wallSum), samples: samples(throughput.wallMs) },
        outputRunNodeCpuMs: { summary: roundSummary(cpuSum), samples: samples(throughput.nodeCpuMs) },
        outputGenerationMs: { summary: roundSummary(genSum), samples: samples(throughput.generationMs) },
        outputBytes: throughput.outputBytes,
        outputTruncated: throughput.truncated,
        outputEndToEndMBps: { summary: roundSummary(e2eSum), samples: samples(throughput.endToEndMBps) },
        outputMinusGenerationMBps: { summary: roundSummary(captureSum), samples: samples(throughput.captureMBps) },
        pwshAloneToPipeMBps: { summary: roundSummary(pipeSum), samples: samples(pipeMBps) },
        capturePipelineAloneMBps: { summary: roundSummary(captureOnlySum), samples: samples(captureOnlyMBps) },
        acquireMs: { summary: roundSummary(acquireSum), samples: samples(acquireSamples) },
        mcpHttpRoundTripMs: { summary: roundSummary(mcpHttpSum), samples: samples(mcpTrips.http) },
        mcpHttpLeanRoundTripMs: { summary: roundSummary(mcpHttpLeanSum), samples: samples(mcpTrips.httpLean) },
        backupFirstMs: { summary: roundSummary(backupFirstSum), samples: samples(backupBench.firstMs), files: BACKUP_FILES, changed: BACKUP_CHANGED },
        backupLaterMs: { summary: roundSummary(backupLaterSum), samples: samples(backupBench.laterMs), files: BACKUP_FILES, changed: BACKUP_CHANGED },
        mcpBridgeRoundTripMs: { summary: roundSummary(mcpBridgeSum), samples: samples(mcpTrips.bridge) },
        hostProcess: {
          readyMs: round(hostProc.readyMs),
          portSnapshotMs: { summary: roundSummary(summarize(hostProc.portSnapshotMs)), samples: samples(hostProc.portSnapshotMs) },
          httpSnapshotMs: { summary: roundSummary(summarize(hostProc.httpSnapshotMs)), samples: samples(hostProc.httpSnapshotMs) },
          eventLatencyMs: { summary: roundSummary(summarize(hostProc.eventLatencyMs)), samples: samples(hostProc.eventLatencyMs) },
        },
        warmPath: {
          stateless: {
            warmSessionMs: { summary: roundSummary(summarize(warm.stateless.warmSessionMs)), samples: samples(warm.stateless.warmSessionMs) },
            repeatCallerMs: { summary: roundSummary(summarize(warm.stateless.repeatCallerMs)), samples: samples(warm.stateless.repeatCallerMs) },
            firstCallMs: samples(warm.stateless.firstCallMs),
            fiveCallersMs: { summary: roundSummary(summarize(warm.stateless.fiveCallersMs)), samples: samples(warm.stateless.fiveCallersMs) },
            fiveCallersPerSecond: round(warm.stateless.fiveCallersPerSecond, 2),
          },
          engineOverhead: warm.overhead,
          startPhases: warm.starts,
          coldStart: warm.cold,
          idleFootprint: warm.footprint,
          targets: warmTargets,
        },
        remoteHost: remote.skipped
          ? { skipped: remote.skipped }
          : {
              where: 'ssh -tt to a throwaway OpenSSH server on 127.0.0.1 (loopback: ssh and pty cost, no network latency)',
              remoteStartMs: { summary: roundSummary(summarize(remote.remoteStartMs)), samples: samples(remote.remoteStartMs) },
              localStartMs: { summary: roundSummary(summarize(remote.localStartMs)), samples: samples(remote.localStartMs) },
              remoteRoundTripMs: { summary: roundSummary(summarize(remote.remoteRoundTripMs)), samples: samples(remote.remoteRoundTripMs) },
              localRoundTripMs: { summary: roundSummary(summarize(remote.localRoundTripMs)), samples: samples(remote.localRoundTripMs) },
            },
        approvalRules: {
          command: 'run_command (SDK client, in-memory transport) of a 4-cmdlet pipeline; rules: the README examples, none matching',
          withoutRulesMs: { summary: roundSummary(approvalPlainSum), samples: samples(approval.withoutRules) },
          withRulesMs: { summary: roundSummary(approvalRuledSum), samples: samples(approval.withRules) },
        },
        concurrent: {
          capacityPerSecond: round(concurrent.capacityPerSecond, 3),
          idealMedianWaitMs: round(concurrent.idealMedianWaitMs),
          holdsMs: concurrent.holdsMs,
          requests: concurrent.requests,
          slots: CONCURRENT_SLOTS,
          holdMs: [HOLD_MIN_MS, HOLD_MAX_MS],
          warmupRequests: CONCURRENT_WARMUP,
          served: concurrent.served,
          refused: concurrent.refused,
          wallMs: round(concurrent.wallMs),
          servedPerSecond: round(throughputPerSec, 3),
          etaMedianApePct: round(concurrent.etaMedianApe, 2),
          seedMedianApePct: round(concurrent.seedMedianApe, 2),
          samples: concurrent.samples.map((x) => ({ etaMs: round(x.etaMs), seedEtaMs: round(x.seedEtaMs), waitMs: round(x.waitMs) })),
        },
      },
      targets: {
        roundTripP50Ms: { target: TARGETS.roundTripP50Ms, measured: round(rtSum.p50), pass: targets[0]!.ok },
        speedupVsSpawn: { target: TARGETS.speedupVsSpawn, measured: round(ratio, 2), pass: targets[1]!.ok },
        outputMBps: {
          target: TARGETS.outputMBps,
          captureOnly: round(captureOnlySum.p50, 2),
          endToEnd: round(e2eSum.p50, 2),
          minusGeneration: round(captureSum.p50, 2),
          pwshToPipe: round(pipeSum.p50, 2),
          passCaptureOnly: targets[2]!.ok,
          passEndToEnd: targets[3]!.ok,
        },
      },
    };
    writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`Results written to ${path.relative(process.cwd(), outFile) || outFile}`);
  } finally {
    await session?.dispose();
    store.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => {
    // Everything is disposed, so the process should end by itself; if a handle lingers, name it and leave.
    setTimeout(() => {
      console.error(`bench: still running 5 s after finishing; open resources: ${process.getActiveResourcesInfo().join(', ')}`);
      process.exit(process.exitCode ?? 0);
    }, 5000).unref();
  },
  (e: unknown) => {
    console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 5000).unref();
  },
);

import type { ShellConfig } from '../main/core/config/shellConfig.js';
import type { OutputStore } from '../main/core/jobs/OutputStore.js';
import type { ResolvedShell } from '../main/core/shell/discovery.js';
import { measureColdStart, type ColdStartRun } from './coldStart.js';
import { measureEngineOverhead, type OverheadSample } from './overhead.js';
import { measureStateless, type StatelessRun } from './stateless.js';
import { IDLE_FOOTPRINT_TARGET_KIB, measureIdleFootprint, measureStartPhases, medianPhases, type IdleFootprint, type StartSample } from './startup.js';
import { median, round, summarize, type Summary } from './stats.js';

/** Issue 13's targets (DESIGN.md §5: every call warm). */
export const WARM_TARGETS = {
  /** run_command without a session id, repeat caller: p50 <= this × the warm session round trip. */
  repeatCallerRatio: 1.5,
  /** Engine: wall <= pwsh's own durationMs + this (ms, p50 of the per-run difference). */
  engineOverheadMs: 1.5,
  /** MCP (HTTP or bridge): <= the engine's wall + this (ms, p50s). */
  mcpOverheadMs: 1,
  /** Warm round trip through MCP: >= this × faster than spawn-per-command. */
  mcpSpeedupVsSpawn: 150,
  /** Leases: served at >= this share of what the slots could serve. */
  leaseCapacityShare: 0.8,
  /** Leases: median queued wait within this share of the ideal for that capacity. */
  leaseWaitTolerance: 0.25,
  /** Cold start: first result after initialize <= this × one bare pwsh spawn. */
  coldFirstResultRatio: 1.5,
  /** Cold start: tools/list (ms). */
  coldToolsListMs: 50,
};

const STATELESS_WARMUP = 20;
const STATELESS_RUNS = 200;
const FIVE_ROUNDS = 40;
const OVERHEAD_WARMUP = 20;
const OVERHEAD_RUNS = 300;
/** A caller that does something between its commands (an agent thinks between calls) does not wait for pwsh's previous prompt. */
const OVERHEAD_PAUSE_MS = 5;
const START_PHASE_RUNS = 8;
const COLD_RUNS = 3;
const FOOTPRINT = { clients: 5, commandsPerClient: 10, warmSessions: 1, maxSessions: 5, warmDemandWindowSeconds: 5, settleMs: 3000 };

export interface WarmPathInputs {
  shell: ResolvedShell;
  config: ShellConfig;
  store: OutputStore;
  work: string;
}

/** Everything the warm path measures, in one run. */
export interface WarmPath {
  stateless: StatelessRun;
  overhead: OverheadSample[];
  /** The same with a pause of OVERHEAD_PAUSE_MS between calls. */
  overheadPaused: OverheadSample[];
  starts: StartSample[];
  cold: ColdStartRun[];
  footprint: IdleFootprint;
}

/** Runs the warm-path measurements one after another (each cleans up after itself). */
export async function measureWarmPath(inputs: WarmPathInputs, log: (line: string) => void): Promise<WarmPath> {
  log(`warm path: engine overhead, ${OVERHEAD_WARMUP} warm-up + ${OVERHEAD_RUNS} runs of \`1\`, phase by phase…`);
  const ctx = { shell: inputs.shell, config: inputs.config, store: inputs.store, work: inputs.work };
  const overhead = await measureEngineOverhead(ctx, '1', OVERHEAD_WARMUP, OVERHEAD_RUNS);
  const overheadPaused = await measureEngineOverhead(ctx, '1', OVERHEAD_WARMUP, OVERHEAD_RUNS, OVERHEAD_PAUSE_MS);
  log(`warm path: run_command without a session id (repeat caller, ${STATELESS_RUNS} runs beside the warm session) and five callers at once (${FIVE_ROUNDS} rounds)…`);
  const stateless = await measureStateless(STATELESS_WARMUP, STATELESS_RUNS, FIVE_ROUNDS);
  log(`warm path: ${START_PHASE_RUNS} session starts, phase by phase…`);
  const starts = await measureStartPhases({ shell: inputs.shell, config: inputs.config, runs: START_PHASE_RUNS, warmup: 1 });
  log(`warm path: ${COLD_RUNS} cold starts through \`poshpool bridge\` with no host running…`);
  const cold = await measureColdStart({ runs: COLD_RUNS, shellPath: inputs.shell.path });
  log(`warm path: idle footprint of a host (${FOOTPRINT.clients} clients use it and leave; demand window ${FOOTPRINT.warmDemandWindowSeconds} s)…`);
  const footprint = await measureIdleFootprint(FOOTPRINT);
  return { stateless, overhead, overheadPaused, starts, cold, footprint };
}

type Row = [string, Summary, string];

/** Table rows of the warm path. */
export function warmPathRows(w: WarmPath): Row[] {
  const phases = medianPhases(w.starts);
  const pick = (k: keyof OverheadSample): number[] => w.overhead.map((s) => s[k]);
  const cold = (k: Exclude<keyof ColdStartRun, 'firstShellSpawnedMs'>): number[] => w.cold.map((c) => c[k]);
  const mb = (kib: number): Summary => summarize([(kib * 1024) / 1e6]);
  return [
    ['engine `1`: wall', summarize(pick('wall')), 'ms'],
    ['  pwsh durationMs', summarize(pick('durationMs')), 'ms'],
    ['  engine overhead (wall − durationMs)', summarize(pick('overhead')), 'ms'],
    ['  phase: write the command line', summarize(pick('write')), 'ms'],
    ['  phase: line written -> start marker', summarize(pick('toStart')), 'ms'],
    ['  phase: start -> end marker', summarize(pick('toEnd')), 'ms'],
    ['  phase: end marker -> result', summarize(pick('toResolve')), 'ms'],
    [`engine \`1\`, ${OVERHEAD_PAUSE_MS} ms between calls: wall`, summarize(w.overheadPaused.map((s) => s.wall)), 'ms'],
    ['  engine overhead (wall − durationMs)', summarize(w.overheadPaused.map((s) => s.overhead)), 'ms'],
    ['HTTP run_command `1` with sessionId', summarize(w.stateless.warmSessionMs), 'ms'],
    ['HTTP run_command `1` no sessionId, repeat caller', summarize(w.stateless.repeatCallerMs), 'ms'],
    ['HTTP run_command `1` no sessionId, first call', summarize(w.stateless.firstCallMs), 'ms'],
    ['HTTP run_command `1` no sessionId, 5 callers at once', summarize(w.stateless.fiveCallersMs), 'ms'],
    ['start phase: spawn', summarize([phases.spawn]), 'ms'],
    ['start phase: launcher', summarize([phases.launcher]), 'ms'],
    ['start phase: .NET runtime + runspace', summarize([phases.runtime]), 'ms'],
    ['start phase: bootstrap', summarize([phases.bootstrap]), 'ms'],
    ['start phase: integration script', summarize([phases.integration]), 'ms'],
    ['start phase: first prompt', summarize([phases.prompt]), 'ms'],
    ['start: total (median of phases run)', summarize(w.starts.map((s) => s.phases.total)), 'ms'],
    ['start: CPU time of the session', summarize(w.starts.map((s) => s.phases.cpu)), 'ms'],
    ['session RSS once settled', summarize(w.starts.map((s) => (s.treeRssKiB * 1024) / 1e6)), 'MB'],
    ['cold bridge: bare pwsh spawn', summarize(cold('bareSpawnMs')), 'ms'],
    ['cold bridge: initialize', summarize(cold('initializeMs')), 'ms'],
    ['cold bridge: tools/list', summarize(cold('toolsListMs')), 'ms'],
    ['  of which the SDK client compiling schemas', summarize(cold('toolsListClientSchemaMs')), 'ms'],
    ['cold bridge: first run_command', summarize(cold('firstRunMs')), 'ms'],
    ['cold bridge: initialize -> first result', summarize(cold('firstResultAfterInitializeMs')), 'ms'],
    ['cold bridge: second run_command', summarize(cold('secondRunMs')), 'ms'],
    ['idle host + warm sessions, after start', mb(w.footprint.afterStart.totalKiB), 'MB'],
    ['idle host + warm sessions, clients just left', mb(w.footprint.afterUse.totalKiB), 'MB'],
    ['idle host + warm sessions, after the demand window', mb(w.footprint.afterWindow.totalKiB), 'MB'],
  ];
}

export interface WarmTarget {
  target: string;
  measured: string;
  ok: boolean;
}

/** What the rest of the bench measured that the warm-path targets compare against. */
export interface WarmContext {
  spawnP50: number;
  /** The SDK client over HTTP, in the host's process. */
  mcpHttpP50: number;
  /** A lean JSON-RPC client over one keep-alive connection: the host's share of MCP over HTTP. */
  mcpHttpLeanP50: number;
  mcpBridgeP50: number;
  concurrent: { served: number; refused: number; requests: number; wallMs: number; capacityPerSecond: number; idealMedianWaitMs: number; samples: { waitMs: number }[] };
  slots: number;
}

/** The warm path's targets, checked against this run. */
export function warmPathTargets(w: WarmPath, c: WarmContext): WarmTarget[] {
  const T = WARM_TARGETS;
  const engineWall = median(w.overhead.map((s) => s.wall));
  const engineOver = median(w.overhead.map((s) => s.overhead));
  const warmHttp = median(w.stateless.warmSessionMs);
  const repeat = median(w.stateless.repeatCallerMs);
  const served = c.concurrent.served / (c.concurrent.wallMs / 1000);
  const share = served / c.concurrent.capacityPerSecond;
  const medianWait = median(c.concurrent.samples.map((s) => s.waitMs));
  const waitOff = Math.abs(medianWait - c.concurrent.idealMedianWaitMs) / c.concurrent.idealMedianWaitMs;
  const coldRatio = median(w.cold.map((x) => x.firstResultAfterInitializeMs / x.bareSpawnMs));
  const toolsList = median(w.cold.map((x) => x.toolsListMs));
  const idle = w.footprint.afterWindow.totalKiB;
  return [
    {
      target: `run_command without sessionId, repeat caller: p50 <= ${T.repeatCallerRatio}x the warm session round trip (HTTP)`,
      measured: `${round(repeat, 2)} ms vs ${round(warmHttp, 2)} ms (${round(repeat / warmHttp, 2)}x); five callers at once p50 ${round(median(w.stateless.fiveCallersMs), 2)} ms, ${round(w.stateless.fiveCallersPerSecond, 1)}/s`,
      ok: repeat <= T.repeatCallerRatio * warmHttp,
    },
    {
      target: `${c.concurrent.requests} leases on ${c.slots} slots: served at >= ${T.leaseCapacityShare * 100} % of slot capacity`,
      measured: `${round(served, 2)}/s of ${round(c.concurrent.capacityPerSecond, 2)}/s (${round(share * 100, 1)} %); ${c.concurrent.served} served, ${c.concurrent.refused} refused`,
      ok: share >= T.leaseCapacityShare && c.concurrent.served + c.concurrent.refused === c.concurrent.requests,
    },
    {
      target: `leases: median queued wait within ${T.leaseWaitTolerance * 100} % of the ideal for that capacity`,
      measured: `${round(medianWait / 1000, 2)} s vs ideal ${round(c.concurrent.idealMedianWaitMs / 1000, 2)} s (${round(waitOff * 100, 1)} % off)`,
      ok: waitOff <= T.leaseWaitTolerance,
    },
    {
      target: `engine: wall <= pwsh's durationMs + ${T.engineOverheadMs} ms (p50 of the difference)`,
      measured: `+${round(engineOver, 2)} ms back to back (wall ${round(engineWall, 2)} ms); +${round(median(w.overheadPaused.map((s) => s.overhead)), 2)} ms with ${OVERHEAD_PAUSE_MS} ms between calls`,
      ok: engineOver <= T.engineOverheadMs,
    },
    {
      target: `MCP over HTTP: <= engine wall + ${T.mcpOverheadMs} ms (host's share: lean client)`,
      measured: `lean ${round(c.mcpHttpLeanP50, 2)} ms = engine + ${round(c.mcpHttpLeanP50 - engineWall, 2)} ms; SDK client ${round(c.mcpHttpP50, 2)} ms = engine + ${round(c.mcpHttpP50 - engineWall, 2)} ms`,
      ok: c.mcpHttpLeanP50 - engineWall <= T.mcpOverheadMs,
    },
    {
      target: `MCP over the stdio bridge: <= engine wall + ${T.mcpOverheadMs} ms`,
      measured: `${round(c.mcpBridgeP50, 2)} ms = engine + ${round(c.mcpBridgeP50 - engineWall, 2)} ms`,
      ok: c.mcpBridgeP50 - engineWall <= T.mcpOverheadMs,
    },
    {
      target: `warm round trip through MCP >= ${T.mcpSpeedupVsSpawn}x faster than spawn-per-command`,
      measured: `HTTP ${round(c.spawnP50 / c.mcpHttpP50, 1)}x, bridge ${round(c.spawnP50 / c.mcpBridgeP50, 1)}x (spawn ${round(c.spawnP50, 1)} ms)`,
      ok: c.spawnP50 / c.mcpHttpP50 >= T.mcpSpeedupVsSpawn && c.spawnP50 / c.mcpBridgeP50 >= T.mcpSpeedupVsSpawn,
    },
    {
      target: `cold bridge: first result after initialize <= ${T.coldFirstResultRatio}x one bare pwsh spawn`,
      measured: `${round(coldRatio, 2)}x (median of ${w.cold.length} runs)`,
      ok: coldRatio <= T.coldFirstResultRatio,
    },
    {
      target: `cold bridge: tools/list <= ${T.coldToolsListMs} ms`,
      measured: `${round(toolsList, 1)} ms`,
      ok: toolsList <= T.coldToolsListMs,
    },
    {
      target: `idle footprint (host + warm sessions, no client) <= ${round((IDLE_FOOTPRINT_TARGET_KIB * 1024) / 1e6, 0)} MB`,
      measured: `${round((idle * 1024) / 1e6, 1)} MB (${w.footprint.afterWindow.processes} processes; just after use ${round((w.footprint.afterUse.totalKiB * 1024) / 1e6, 1)} MB)`,
      ok: idle <= IDLE_FOOTPRINT_TARGET_KIB,
    },
  ];
}

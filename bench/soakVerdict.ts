/**
 * The soak benchmark's bookkeeping and verdict: what counts as a lost call, an error's kind, how
 * resource samples before, during and after a run are compared, and when RSS grew without bound.
 * Pure functions over plain data; no I/O.
 */
import { median } from './stats.js';

/** How a call ended, from the client's side. */
export type Outcome =
  /** A result without isError. */
  | 'result'
  /** A result with isError: a tool failure the tool reports (its message is the error's kind). */
  | 'toolError'
  /** A JSON-RPC error answer (McpError other than a timeout or a closed connection). */
  | 'protocolError'
  /** Cancelled by this client on purpose (AbortSignal: notifications/cancelled; no answer is owed). */
  | 'aborted'
  /** In flight when this client vanished on purpose (close() without DELETE, or the bridge killed). */
  | 'vanished'
  /** No answer: the per-call timeout passed, the connection dropped under it, or it never settled. */
  | 'lost';

export const OUTCOMES: readonly Outcome[] = ['result', 'toolError', 'protocolError', 'aborted', 'vanished', 'lost'];

/** One tool call as the client saw it. */
export interface CallRecord {
  tool: string;
  outcome: Outcome;
  /** Error kind (toolError, protocolError, lost): the message with ids and numbers folded. */
  kind?: string;
  /** run_command's status field, when it answered with a result. */
  status?: string;
  ms: number;
  /** Which client (index and generation) made it. */
  client: string;
}

/** Resource figures read at one moment. */
export interface ResourceCounts {
  /** RSS of the host process (Node). */
  hostRssKiB: number;
  /** RSS of the host and every process under it (pwsh sessions, what commands started). */
  treeRssKiB: number;
  /** Open file descriptors of the host process. */
  fds: number;
  /** Pseudo-terminals the host holds (its descriptors open on /dev/ptmx). */
  ptys: number;
  /** Live pwsh processes under the host. */
  pwsh: number;
  /** Live processes under the host other than pwsh (what commands started: bash, sleep). */
  hostChildren: number;
  /** Live processes of this run (tagged in their environment) that are not under the host and are not bridges: escaped. */
  orphans: number;
  /** Live `poshpool bridge` processes of this run. */
  bridges: number;
  /** Zombie processes of this run (exited, not yet reaped). */
  zombies: number;
  /** Entries in the host's temp dir (its own TMPDIR, which pwsh inherits), all depths. */
  tmpFiles: number;
  /** CoreFxPipe_PSHost.* files among them (one per pwsh; left behind when pwsh is killed). */
  coreFxPipeFiles: number;
  /** Files under <data dir>/sessions (sessions' private dirs). */
  dataSessionFiles: number;
  /** Files under <data dir>/outputs (spilled outputs of commands and jobs). */
  dataOutputFiles: number;
  /** Files under <data dir>/logs (audit log and its rotations). */
  dataLogFiles: number;
  /** Every other file in the data dir (token, host.json, learned holds). */
  dataOtherFiles: number;
}

export type ResourceKey = keyof ResourceCounts;

/** Every resource figure, in the order the report lists them. */
export const RESOURCE_KEYS: readonly ResourceKey[] = [
  'hostRssKiB',
  'treeRssKiB',
  'fds',
  'ptys',
  'pwsh',
  'hostChildren',
  'orphans',
  'bridges',
  'zombies',
  'tmpFiles',
  'coreFxPipeFiles',
  'dataSessionFiles',
  'dataOutputFiles',
  'dataLogFiles',
  'dataOtherFiles',
];

export type Phase = 'before' | 'during' | 'after';

/** One resource sample. */
export interface Sample extends ResourceCounts {
  phase: Phase;
  /** Time since the host was ready (ms). */
  atMs: number;
  /** Command lines of the orphans, for the report (at most a few). */
  orphanArgv: string[];
  /** Temp files by kind (numbers folded), to tell what piled up. */
  tmpKinds: Record<string, number>;
}

/** Kinds of files that are more numerous in `after` than in `before`, as "kind +n" (most first). */
export function grownKinds(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): string[] {
  return Object.entries(after)
    .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, d]) => `${k} +${d}`);
}

/** How far above its before-value a count may end after the settle period, and why. */
export interface CountLimit {
  slack: number;
  why: string;
}

/** What the soak's host config bounds (for the limits that follow from it). */
export interface SoakBounds {
  /** Spilled outputs the host's output store keeps at most (command outputs over the cap and jobs' outputs). */
  outputStoreEntries: number;
  auditMaxFiles: number;
}

/**
 * The documented slack of every count. RSS is judged by its trend instead (rssGrowth); treeRssKiB
 * is informational (it follows the pwsh count, which is checked).
 */
export function countLimits(b: SoakBounds): Partial<Record<ResourceKey, CountLimit>> {
  return {
    fds: { slack: 10, why: 'client sockets still closing, a log file; a leak per call or per session passes it within minutes' },
    ptys: { slack: 1, why: 'a warm session being replaced' },
    pwsh: { slack: 1, why: 'a warm session being replaced' },
    hostChildren: { slack: 0, why: 'every session that started them ended or was reset' },
    orphans: { slack: 0, why: 'nothing an agent starts may outlive its session' },
    bridges: { slack: 0, why: 'every bridge was closed or killed' },
    zombies: { slack: 2, why: 'a killed launcher not yet reaped' },
    tmpFiles: { slack: 4, why: "one pwsh's runtime files (CoreFxPipe_PSHost, clr-debug-pipe in and out, dotnet-diagnostic socket): a warm session being replaced" },
    coreFxPipeFiles: { slack: 1, why: 'one per live pwsh' },
    dataSessionFiles: { slack: 2, why: 'a session starting or ending' },
    dataOutputFiles: { slack: b.outputStoreEntries, why: `spilled outputs are kept up to the output store's bound (${b.outputStoreEntries} entries)` },
    dataLogFiles: { slack: b.auditMaxFiles + 1, why: `the audit log rotates into at most auditMaxFiles (${b.auditMaxFiles})` },
    dataOtherFiles: { slack: 2, why: 'learned hold times saved at shutdown' },
  };
}

/** The message of an error with ids, paths' numbers and counts folded, so alike errors share a kind. */
export function errorKind(message: string): string {
  const folded = message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b(?=[0-9a-z_-]*\d)[0-9a-z_-]{12,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = folded.split(/(?<=\.)\s/)[0] ?? folded;
  return sentence.length > 100 ? `${sentence.slice(0, 99)}…` : sentence;
}

/** Calls by tool and outcome, errors by kind, run_command statuses and the lost calls. */
export interface CallSummary {
  total: number;
  /** Calls answered (result, tool error or JSON-RPC error). */
  served: number;
  byTool: Record<string, Record<Outcome, number>>;
  errorsByKind: Record<string, number>;
  runStatuses: Record<string, number>;
  lost: CallRecord[];
}

/** Adds up the call records. */
export function summarizeCalls(records: readonly CallRecord[]): CallSummary {
  const byTool: Record<string, Record<Outcome, number>> = {};
  const errorsByKind: Record<string, number> = {};
  const runStatuses: Record<string, number> = {};
  const lost: CallRecord[] = [];
  let served = 0;
  for (const r of records) {
    const row = (byTool[r.tool] ??= { result: 0, toolError: 0, protocolError: 0, aborted: 0, vanished: 0, lost: 0 });
    row[r.outcome]++;
    if (r.outcome === 'result' || r.outcome === 'toolError' || r.outcome === 'protocolError') served++;
    if (r.outcome === 'toolError' || r.outcome === 'protocolError' || r.outcome === 'lost') {
      const k = `${r.outcome === 'lost' ? 'LOST' : r.outcome}: ${r.tool}: ${r.kind ?? '(no message)'}`;
      errorsByKind[k] = (errorsByKind[k] ?? 0) + 1;
    }
    if (r.outcome === 'lost') lost.push(r);
    if (r.status !== undefined) runStatuses[r.status] = (runStatuses[r.status] ?? 0) + 1;
  }
  return { total: records.length, served, byTool, errorsByKind, runStatuses, lost };
}

/** The RSS trend over the run: medians of its first and last thirds. */
export interface RssGrowth {
  firstThirdMedianKiB: number;
  lastThirdMedianKiB: number;
  growthPct: number;
}

/** Fewest during-samples from which the trend is judged (two per third). */
export const MIN_TREND_SAMPLES = 6;

/** RSS growth from the first third of the samples to the last (medians); null with fewer than MIN_TREND_SAMPLES samples. */
export function rssGrowth(values: readonly number[]): RssGrowth | null {
  if (values.length < MIN_TREND_SAMPLES) return null;
  const third = Math.floor(values.length / 3);
  const first = median(values.slice(0, third));
  const last = median(values.slice(values.length - third));
  return { firstThirdMedianKiB: first, lastThirdMedianKiB: last, growthPct: first > 0 ? ((last - first) / first) * 100 : 0 };
}

/** Per count: the median of the given samples (robust against one sample taken mid-change). */
export function medianCounts(samples: readonly ResourceCounts[]): ResourceCounts {
  if (samples.length === 0) throw new Error('no samples');
  const out = {} as ResourceCounts;
  for (const k of RESOURCE_KEYS) out[k] = median(samples.map((s) => s[k]));
  return out;
}

/** One row of the resource table. */
export interface ResourceRow {
  key: ResourceKey;
  before: number;
  duringMax: number;
  after: number;
  slack: number | null;
  ok: boolean;
}

/** What the verdict reads. */
export interface VerdictInput {
  samples: readonly Sample[];
  calls: CallSummary;
  limits: Partial<Record<ResourceKey, CountLimit>>;
  rssGrowthPct: number;
  /** Processes of this run still alive after the host stopped (command lines). */
  aliveAfterStop: readonly string[];
  /** How many of the last after-samples make the after-value (their median). */
  afterWindow?: number;
}

export interface Verdict {
  pass: boolean;
  failures: string[];
  rows: ResourceRow[];
  rss: RssGrowth | null;
  before: ResourceCounts;
  after: ResourceCounts;
}

/** Default count of after-samples whose median is the after-value. */
export const AFTER_WINDOW = 3;

/**
 * PASS when no call was lost, every count after the settle period is at most its before-value plus
 * its slack, the host's RSS did not grow by more than rssGrowthPct from the first third of the run
 * to the last (medians), and nothing of the run outlived the host. Before = median of the before
 * samples; after = median of the last `afterWindow` after-samples.
 */
export function judge(input: VerdictInput): Verdict {
  const before = input.samples.filter((s) => s.phase === 'before');
  const during = input.samples.filter((s) => s.phase === 'during');
  const after = input.samples.filter((s) => s.phase === 'after');
  if (before.length === 0 || after.length === 0) throw new Error('judge: needs samples before and after the run');
  const b = medianCounts(before);
  const a = medianCounts(after.slice(-(input.afterWindow ?? AFTER_WINDOW)));
  const failures: string[] = [];
  if (input.calls.lost.length > 0) {
    const kinds = [...new Set(input.calls.lost.map((l) => `${l.tool}: ${l.kind ?? '?'}`))].slice(0, 5).join('; ');
    failures.push(`${input.calls.lost.length} call(s) lost (${kinds})`);
  }
  const rows: ResourceRow[] = [];
  for (const key of RESOURCE_KEYS) {
    const limit = input.limits[key];
    const duringMax = Math.max(b[key], ...during.map((s) => s[key]));
    const ok = limit === undefined || a[key] <= b[key] + limit.slack;
    if (!ok) failures.push(`${key}: ${a[key]} after settling, above ${b[key]} before + slack ${limit!.slack} (${limit!.why})`);
    rows.push({ key, before: b[key], duringMax, after: a[key], slack: limit?.slack ?? null, ok });
  }
  const rss = rssGrowth(during.map((s) => s.hostRssKiB));
  if (rss && rss.growthPct > input.rssGrowthPct) {
    failures.push(`host RSS grew without bound: last third's median ${Math.round(rss.lastThirdMedianKiB)} KiB is ${rss.growthPct.toFixed(1)} % above the first third's ${Math.round(rss.firstThirdMedianKiB)} KiB (limit ${input.rssGrowthPct} %)`);
  }
  if (input.aliveAfterStop.length > 0) {
    failures.push(`${input.aliveAfterStop.length} process(es) of the run alive after the host stopped: ${input.aliveAfterStop.slice(0, 5).join(' | ')}`);
  }
  return { pass: failures.length === 0, failures, rows, rss, before: b, after: a };
}

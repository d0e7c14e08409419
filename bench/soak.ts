/**
 * Soak benchmark (`npm run soak`, not part of `npm test`; Linux only, it reads /proc). Starts a real
 * `poshpool serve` in its own process with a throwaway data dir, temp dir and config, then lets
 * several real MCP clients (Streamable HTTP and `poshpool bridge` over stdio, alternately) mix every
 * tool for a set time: commands that succeed, fail, exit non-zero, print a lot, leave background
 * children, time out, get cancelled (protocol cancel and cancel_command), wait for input; background
 * jobs followed and cancelled; queue operations; sessions forgotten; clients that vanish (close
 * without DELETE, or their bridge killed) and are replaced. It samples the host's RSS, descriptors,
 * ptys, the run's processes and temp/data files before, during and after a settle period, prints a
 * summary ending in PASS or FAIL and writes JSON. Exit code 1 when a call was lost, a count ended
 * above its before-value plus its slack, RSS grew without bound, or something outlived the host
 * (soakVerdict.ts says each rule).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHostInfo } from '../main/host/hostInfo.js';
import { pickAction, runAction, type ActionName } from './soakActions.js';
import { SoakClient, type SoakEndpoint, type TransportKind } from './soakClient.js';
import { parseSoakOptions, randomInt, seededRandom, SOAK_USAGE, type SoakOptions } from './soakOptions.js';
import { probe, SOAK_TAG_VARIABLE, survivors, type ProbeTargets } from './soakProbe.js';
import { formatSoakReport, type Surprise } from './soakReport.js';
import { countLimits, grownKinds, judge, summarizeCalls, type CallRecord, type Phase, type Sample } from './soakVerdict.js';

/**
 * The host's config: few slots so requests queue, and short reclaim times so what vanishing and
 * forgetful clients hold is freed well within the settle period (the longest here is 20 s).
 */
export const SOAK_HOST_CONFIG = {
  maxSessions: 3,
  warmSessions: 1,
  warmDemandWindowSeconds: 15,
  defaultSessionIdleSeconds: 20,
  defaultSessionYieldSeconds: 3,
  idleLimitSeconds: 10,
  reclaimAfterSeconds: 10,
  httpStreamGoneSeconds: 5,
  httpSessionIdleSeconds: 15,
  jobRetentionCount: 20,
  auditMaxFiles: 5,
};

/**
 * Spilled outputs the host keeps at most: its output store's entry bound, max(1000, 4 x
 * jobRetentionCount) (main/core/createCore.ts). Outputs below it are kept on purpose, not leaked.
 */
const OUTPUT_STORE_ENTRIES = Math.max(1000, SOAK_HOST_CONFIG.jobRetentionCount * 4);

/** Longest wait for the host to publish host.json (ms). */
const HOST_READY_TIMEOUT_MS = 90_000;
/** Longest wait for the warm sessions before the before-samples (ms). */
const WARM_TIMEOUT_MS = 60_000;
/** Before-samples and their interval (ms). */
const BEFORE_SAMPLES = 3;
const BEFORE_INTERVAL_MS = 1000;
/** Longest wait for the host to stop after SIGTERM before SIGKILL (ms). */
const HOST_STOP_TIMEOUT_MS = 30_000;
/** Time after the host stopped before looking for survivors (ms). */
const AFTER_STOP_GRACE_MS = 2000;
/** Pause between two actions of a client: [min, max] (ms). */
const THINK_MS: [number, number] = [50, 400];
/** A progress line on stderr at most this often (ms). */
const PROGRESS_EVERY_MS = 30_000;
/** Surprise examples kept per kind. */
const SURPRISE_EXAMPLES = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Starts `poshpool serve` with the run's tag and temp dir; resolves once host.json names it. */
async function startHost(work: string, tag: string): Promise<{ child: ChildProcess; endpoint: Omit<SoakEndpoint, 'bridgeEnv'>; stderr: () => string; probeTargets: ProbeTargets }> {
  const dataDir = path.join(work, 'data');
  const tmpDir = path.join(work, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const configFile = path.join(work, 'config.json');
  writeFileSync(configFile, JSON.stringify(SOAK_HOST_CONFIG, null, 2));
  const bin = path.join(repoRoot(), 'bin', 'poshpool.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--config', configFile, '--data-dir', dataDir], {
    cwd: work,
    env: { ...process.env, TMPDIR: tmpDir, [SOAK_TAG_VARIABLE]: tag },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  const until = Date.now() + HOST_READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`poshpool serve exited with ${child.exitCode}: ${err}`);
    const info = readHostInfo(dataDir);
    if (info.ok && info.info.pid === child.pid) {
      const token = readFileSync(info.info.tokenFile, 'utf8').trim();
      return {
        child,
        endpoint: { mcpUrl: info.info.mcpUrl, token, node: process.execPath, bin, dataDir },
        stderr: () => err,
        probeTargets: { hostPid: child.pid, tag, tmpDir, dataDir },
      };
    }
    if (Date.now() > until) throw new Error(`poshpool serve did not publish host.json within ${HOST_READY_TIMEOUT_MS} ms: ${err}`);
    await sleep(200);
  }
}

/** Stops the host (SIGTERM, then SIGKILL after a while); its exit code or signal. */
async function stopHost(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return `already exited (${child.exitCode ?? child.signalCode})`;
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), HOST_STOP_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Everything one run collects. */
interface RunState {
  records: CallRecord[];
  actions: Record<string, number>;
  surprises: Record<string, Surprise>;
  vanishes: number;
}

/** One client slot: runs actions until the deadline, replacing its client whenever it vanished. */
async function clientLoop(index: number, kind: TransportKind, o: SoakOptions, endpoint: SoakEndpoint, deadline: number, state: RunState): Promise<void> {
  const random = seededRandom((o.seed + index * 7919) >>> 0);
  const record = (r: CallRecord): void => void state.records.push(r);
  const surprise = (what: string, detail: string): void => {
    const s = (state.surprises[what] ??= { count: 0, examples: [] });
    s.count++;
    if (s.examples.length < SURPRISE_EXAMPLES) s.examples.push(`[${kind}] ${detail}`);
  };
  let generation = 0;
  const connect = async (): Promise<SoakClient | undefined> => {
    const name = `soak-${index}.${generation++}-${kind}`;
    const t0 = Date.now();
    try {
      return await SoakClient.connect(kind, name, endpoint, record, o.callTimeoutSeconds * 1000);
    } catch (e) {
      record({ tool: 'initialize', outcome: 'lost', kind: (e as Error).message.slice(0, 100), ms: Date.now() - t0, client: name });
      return undefined;
    }
  };
  let client = await connect();
  while (Date.now() < deadline) {
    if (!client) {
      await sleep(1000);
      client = await connect();
      continue;
    }
    const action: ActionName = pickAction(random);
    state.actions[action] = (state.actions[action] ?? 0) + 1;
    const end = await runAction(action, { client, random, surprise });
    if (end === 'vanished') {
      state.vanishes++;
      client = await connect();
    }
    await sleep(randomInt(random, THINK_MS[0], THINK_MS[1]));
  }
  // Half leave as the SDK's close() does (no DELETE): the host must reclaim those too.
  await client?.leave(index % 2 === 0);
}

async function main(): Promise<number> {
  const parsed = parseSoakOptions(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`soak: ${parsed.reason}`);
    return 2;
  }
  if ('help' in parsed) {
    process.stdout.write(SOAK_USAGE);
    return 0;
  }
  const o = parsed.options;
  if (os.platform() !== 'linux') {
    process.stderr.write('soak: Linux only (it reads /proc for descriptors, ptys and processes).\n');
    return 2;
  }
  const tag = randomUUID();
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-soak-'));
  const samples: Sample[] = [];
  const state: RunState = { records: [], actions: {}, surprises: {}, vanishes: 0 };
  const notes: string[] = [];
  const t0 = Date.now();
  const log = (line: string): void => void process.stderr.write(`soak ${((Date.now() - t0) / 1000).toFixed(0)}s: ${line}\n`);
  let host: Awaited<ReturnType<typeof startHost>> | undefined;
  let hostExit = '';
  let aliveAfterStop: string[] = [];
  let readyAt = 0;
  const take = (phase: Phase): Sample => {
    const s: Sample = { ...probe(host!.probeTargets), phase, atMs: Date.now() - readyAt };
    samples.push(s);
    return s;
  };
  try {
    host = await startHost(work, tag);
    readyAt = Date.now();
    log(`host ready (pid ${host.child.pid}); waiting for ${SOAK_HOST_CONFIG.warmSessions} warm session(s)`);
    const warmUntil = Date.now() + WARM_TIMEOUT_MS;
    while (probe(host.probeTargets).pwsh < SOAK_HOST_CONFIG.warmSessions && Date.now() < warmUntil) await sleep(500);
    for (let i = 0; i < BEFORE_SAMPLES; i++) {
      await sleep(BEFORE_INTERVAL_MS);
      take('before');
    }
    const endpoint: SoakEndpoint = { ...host.endpoint, bridgeEnv: { ...(process.env as Record<string, string>), [SOAK_TAG_VARIABLE]: tag } };
    const deadline = Date.now() + o.minutes * 60_000;
    log(`${o.clients} clients for ${o.minutes} min (seed ${o.seed})`);
    let lastProgress = Date.now();
    const sampler = setInterval(() => {
      const s = take('during');
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        const lost = state.records.filter((r) => r.outcome === 'lost').length;
        log(`${state.records.length} calls (${lost} lost), pwsh ${s.pwsh}, ptys ${s.ptys}, fds ${s.fds}, orphans ${s.orphans}, host RSS ${Math.round(s.hostRssKiB / 1024)} MiB`);
      }
    }, o.sampleSeconds * 1000);
    const loops = Array.from({ length: o.clients }, (_, i) => clientLoop(i, i % 2 === 0 ? 'http' : 'bridge', o, endpoint, deadline, state));
    // Every call has the per-call timeout, so the loops end soon after the deadline; a loop still going well after it hangs.
    const hangLimit = o.callTimeoutSeconds * 1000 * 3 + 60_000;
    let hangTimer: NodeJS.Timeout | undefined;
    const hung = await Promise.race([
      Promise.all(loops).then(() => false),
      new Promise<boolean>((resolve) => (hangTimer = setTimeout(() => resolve(true), deadline - Date.now() + hangLimit))),
    ]);
    clearTimeout(hangTimer);
    clearInterval(sampler);
    if (hung) {
      state.records.push({ tool: '(client loop)', outcome: 'lost', kind: `a client loop did not end within ${hangLimit / 1000} s of the deadline`, ms: 0, client: '?' });
    }
    log(`clients done: ${state.records.length} calls; settling for ${o.settleSeconds} s`);
    const settleUntil = Date.now() + o.settleSeconds * 1000;
    do {
      await sleep(o.sampleSeconds * 1000);
      take('after');
    } while (Date.now() < settleUntil || samples.filter((s) => s.phase === 'after').length < 3);
  } finally {
    if (host) {
      hostExit = await stopHost(host.child);
      await sleep(AFTER_STOP_GRACE_MS);
      const left = survivors(tag);
      aliveAfterStop = left.map((p) => `${p.pid} ${p.argv || p.comm}`);
      // Clean-up of what this run started and left: by pid, only processes carrying this run's tag.
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (left.length > 0) notes.push(`Killed ${left.length} process(es) of this run left after the host stopped.`);
      notes.push(`Host stopped: ${hostExit}.`);
    }
    rmSync(work, { recursive: true, force: true });
  }
  const calls = summarizeCalls(state.records);
  const verdict = judge({ samples, calls, limits: countLimits({ outputStoreEntries: OUTPUT_STORE_ENTRIES, auditMaxFiles: SOAK_HOST_CONFIG.auditMaxFiles }), rssGrowthPct: o.rssGrowthPct, aliveAfterStop });
  const firstBefore = samples.find((s) => s.phase === 'before');
  const lastAfter = samples.filter((s) => s.phase === 'after').at(-1);
  if (firstBefore && lastAfter) {
    const grown = grownKinds(firstBefore.tmpKinds, lastAfter.tmpKinds);
    if (grown.length > 0) notes.push(`Temp files added by the run and still there after settling: ${grown.slice(0, 8).join(', ')}.`);
    if (lastAfter.orphanArgv.length > 0) notes.push(`Orphans after settling: ${lastAfter.orphanArgv.join(' | ')}.`);
  }
  const outFile = o.out ?? path.join(repoRoot(), 'bench', 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(outFile), { recursive: true });
  const json = {
    when: new Date().toISOString(),
    options: o,
    hostConfig: SOAK_HOST_CONFIG,
    machine: { cpus: os.cpus().length, node: process.version, platform: os.platform() },
    vanishes: state.vanishes,
    actions: state.actions,
    calls: { ...calls, lost: calls.lost.slice(0, 100) },
    surprises: state.surprises,
    verdict,
    aliveAfterStop,
    hostStderrTail: host?.stderr().slice(-2000),
    samples,
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  notes.push(`Clients vanished and were replaced: ${state.vanishes}.`, `JSON: ${outFile}`);
  const header = `poshpool soak: ${o.clients} clients for ${o.minutes} min (seed ${o.seed}), settle ${o.settleSeconds} s, samples every ${o.sampleSeconds} s; host config ${JSON.stringify(SOAK_HOST_CONFIG)}`;
  process.stdout.write(`${formatSoakReport({ header, calls, actions: state.actions, surprises: state.surprises, verdict, rssGrowthPct: o.rssGrowthPct, notes })}\n`);
  return verdict.pass ? 0 : 1;
}

const code = await main().catch((e: unknown) => {
  process.stderr.write(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
});
// A client loop that hung still holds timers and sockets: the verdict is out, so leave without them.
process.exit(code);

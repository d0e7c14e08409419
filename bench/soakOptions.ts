/** Options of the soak benchmark (`npm run soak`) from argv and environment, and its seeded RNG. Pure: no I/O. */
import { parseArgs } from 'node:util';
import { mulberry32 } from '../main/core/scheduler/etaSimulation.js';

/** What one soak run does. */
export interface SoakOptions {
  /** How long the clients run (minutes; fractions allowed). */
  minutes: number;
  /** MCP clients at once (alternately Streamable HTTP and `poshpool bridge` over stdio, HTTP first). */
  clients: number;
  /** Seed of every random choice (actions, pauses, cancel delays): the same seed makes the same choices. */
  seed: number;
  /** Where the JSON result goes; undefined = bench/results/soak-<time>.json. */
  out: string | undefined;
  /** Interval between two resource samples (s). */
  sampleSeconds: number;
  /** Time after the clients left before the after-values are read (s): longer than every reclaim the soak config sets. */
  settleSeconds: number;
  /** A call with no answer after this long counts as lost (s): above the host's 50 s return-after and wait limits. */
  callTimeoutSeconds: number;
  /** RSS grew without bound when the median of the last third of the run's samples is above the first third's by more than this (%). */
  rssGrowthPct: number;
}

/** Defaults: the 10 minutes with 5 clients. */
export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  minutes: 10,
  clients: 5,
  seed: 14,
  out: undefined,
  sampleSeconds: 5,
  settleSeconds: 60,
  callTimeoutSeconds: 120,
  rssGrowthPct: 25,
};

/** Environment variables that set an option (argv wins over them). */
export const SOAK_ENV: Record<keyof SoakOptions, string> = {
  minutes: 'SOAK_MINUTES',
  clients: 'SOAK_CLIENTS',
  seed: 'SOAK_SEED',
  out: 'SOAK_OUT',
  sampleSeconds: 'SOAK_SAMPLE_SECONDS',
  settleSeconds: 'SOAK_SETTLE_SECONDS',
  callTimeoutSeconds: 'SOAK_CALL_TIMEOUT_SECONDS',
  rssGrowthPct: 'SOAK_RSS_GROWTH_PCT',
};

export const SOAK_USAGE = `npm run soak -- [options]   (every option can also come from the environment)
  --minutes <m>               how long the clients run (default 10; fractions allowed)        SOAK_MINUTES
  --clients <n>               MCP clients at once, HTTP and bridge alternately (default 5)     SOAK_CLIENTS
  --seed <n>                  seed of every random choice (default 14)                         SOAK_SEED
  --out <file>                JSON result (default bench/results/soak-<time>.json)             SOAK_OUT
  --sample-seconds <s>        interval between resource samples (default 5)                    SOAK_SAMPLE_SECONDS
  --settle-seconds <s>        wait after the clients left before the after-values (default 60) SOAK_SETTLE_SECONDS
  --call-timeout-seconds <s>  a call unanswered this long is LOST (default 120)                SOAK_CALL_TIMEOUT_SECONDS
  --rss-growth-pct <p>        RSS growth (last third vs first third, medians) that fails (25)  SOAK_RSS_GROWTH_PCT
`;

type NumberKey = Exclude<keyof SoakOptions, 'out'>;

/** Bounds of each numeric option: [min, max, whole numbers only]. */
const BOUNDS: Record<NumberKey, [number, number, boolean]> = {
  minutes: [0.05, 24 * 60, false],
  clients: [1, 50, true],
  seed: [0, 2 ** 32 - 1, true],
  sampleSeconds: [0.5, 600, false],
  settleSeconds: [0, 3600, false],
  callTimeoutSeconds: [10, 3600, false],
  rssGrowthPct: [0, 10000, false],
};

const FLAG: Record<keyof SoakOptions, string> = {
  minutes: 'minutes',
  clients: 'clients',
  seed: 'seed',
  out: 'out',
  sampleSeconds: 'sample-seconds',
  settleSeconds: 'settle-seconds',
  callTimeoutSeconds: 'call-timeout-seconds',
  rssGrowthPct: 'rss-growth-pct',
};

export type ParsedSoakOptions = { ok: true; options: SoakOptions } | { ok: true; help: true } | { ok: false; reason: string };

/** Reads the options from argv (after the script name) and the environment; argv wins. */
export function parseSoakOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedSoakOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.values(FLAG).map((f) => [f, { type: 'string' as const }]));
    values = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (e) {
    return { ok: false, reason: `${(e as Error).message}\n\n${SOAK_USAGE}` };
  }
  if (values.help) return { ok: true, help: true };
  const result: SoakOptions = { ...DEFAULT_SOAK_OPTIONS };
  for (const key of Object.keys(FLAG) as (keyof SoakOptions)[]) {
    const fromArgv = values[FLAG[key]];
    const raw = typeof fromArgv === 'string' ? fromArgv : env[SOAK_ENV[key]];
    if (raw === undefined || raw === '') continue;
    const source = typeof fromArgv === 'string' ? `--${FLAG[key]}` : SOAK_ENV[key];
    if (key === 'out') {
      result.out = raw;
      continue;
    }
    const n = Number(raw);
    const [min, max, whole] = BOUNDS[key];
    if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
      return { ok: false, reason: `${source} wants ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}".\n\n${SOAK_USAGE}` };
    }
    result[key] = n;
  }
  return { ok: true, options: result };
}

/** A small seeded PRNG (mulberry32, the ETA simulation's): uniform floats in [0, 1), the same sequence for the same seed. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Picks a name by weight with the given random source. */
export function pickWeighted<T extends string>(weights: Readonly<Record<T, number>>, random: () => number): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (!(total > 0)) throw new Error('pickWeighted: the weights add up to nothing');
  let r = random() * total;
  for (const [name, w] of entries) {
    r -= w;
    if (r < 0) return name;
  }
  return entries[entries.length - 1]![0];
}

/** A whole number from min to max (both included). */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

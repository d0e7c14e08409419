import { EtaEstimator } from './EtaEstimator.js';
import { SeedEstimator } from './SeedEstimator.js';
import { WaitQueue } from './WaitQueue.js';

/** How long a served request holds its session. */
export type HoldDistribution =
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number };

/** When the measured requests arrive, relative to the start of the measured phase. */
export type ArrivalPattern =
  /** All at the same instant. */
  | { kind: 'burst' }
  /** `waves` groups of equal size; wave k starts at k × gapMs and its arrivals spread uniformly over spreadMs. */
  | { kind: 'waves'; waves: number; spreadMs: number; gapMs: number };

/** One simulated run. */
export interface EtaSimulationOptions {
  /** A label for reports. */
  name: string;
  /** Seed of the PRNG: the same options give the same result. */
  seed: number;
  /** Sessions lent at once (maxSessions). */
  slots: number;
  /** Requests measured. */
  requests: number;
  /** Requests arriving in a burst and served before the measured ones, so both estimators have a history; not measured. */
  warmupRequests: number;
  arrival: ArrivalPattern;
  hold: HoldDistribution;
  /** EtaEstimator's moving-average weight (config etaAlpha). */
  alpha: number;
  /** Both estimators' guess before anything is recorded (EtaEstimator's hold, SeedEstimator's wait). */
  initialHoldMs: number;
  /** EtaEstimator's overdueFloor (its default when omitted). */
  overdueFloor?: number;
}

/** A measured request that had to wait: the ETAs it was given when enqueued, and the real wait. */
export interface EtaSample {
  id: string;
  /** Its queue position when enqueued. */
  position: number;
  waitMs: number;
  etaMs: number;
  seedEtaMs: number;
}

/** What a run measured. */
export interface EtaSimulationResult {
  name: string;
  /** Measured requests that waited (the ones given an ETA), in order of service. */
  samples: EtaSample[];
  /** Measured requests served at once, without waiting. */
  servedAtOnce: number;
  /** Median of |eta − wait| / wait over the samples with a wait > 0, as a fraction (0.1 = 10 %). */
  etaMedianApe: number;
  /** The same for SeedEstimator. */
  seedMedianApe: number;
  /** Simulated time at which the last request was released (ms). */
  endMs: number;
}

/** mulberry32: a small, fast, seeded PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The standard scenarios of the ETA benchmark: 200 requests on 5 slots, in a burst and in waves, with uniform and log-normal holds. */
export function standardEtaScenarios(seed = 1): EtaSimulationOptions[] {
  const base = { seed, slots: 5, requests: 200, warmupRequests: 20, alpha: 0.2, initialHoldMs: 1000 };
  const uniform: HoldDistribution = { kind: 'uniform', minMs: 50, maxMs: 500 };
  const lognormal: HoldDistribution = { kind: 'lognormal', medianMs: 200, sigma: 0.5 };
  const waves: ArrivalPattern = { kind: 'waves', waves: 5, spreadMs: 500, gapMs: 2000 };
  return [
    { ...base, name: 'burst, uniform 50-500 ms', arrival: { kind: 'burst' }, hold: uniform },
    { ...base, name: 'waves, uniform 50-500 ms', arrival: waves, hold: uniform },
    { ...base, name: 'burst, log-normal median 200 ms', arrival: { kind: 'burst' }, hold: lognormal },
    { ...base, name: 'waves, log-normal median 200 ms', arrival: waves, hold: lognormal },
  ];
}

interface Waiting {
  measured: boolean;
  position: number;
  etaMs: number;
  seedEtaMs: number;
}

interface Held {
  since: number;
  until: number;
}

/**
 * Simulates requests competing for session slots on a fake clock (discrete events, no timers): a
 * WaitQueue in front of the slots, every request sync, each served request holding its slot for a
 * random time. Each waiting request gets an ETA from EtaEstimator and from SeedEstimator when it is
 * enqueued; the estimators learn as in the scheduler (a hold when a session is released, a wait when
 * a request is served). Releases at the same instant as an arrival happen first.
 */
export function simulateEta(options: EtaSimulationOptions): EtaSimulationResult {
  const rand = mulberry32(options.seed);
  let clock = 0;
  const now = (): number => clock;
  const queue = new WaitQueue<Waiting>({ maxWaiting: options.requests + options.warmupRequests, now });
  const eta = new EtaEstimator({ alpha: options.alpha, initialHoldMs: options.initialHoldMs, now, overdueFloor: options.overdueFloor });
  const seed = new SeedEstimator({ initialWaitMs: options.initialHoldMs });
  const slots: (Held | null)[] = new Array<Held | null>(options.slots).fill(null);
  const samples: EtaSample[] = [];
  let servedAtOnce = 0;
  let endMs = 0;

  const drawHold = (): number => {
    const h = options.hold;
    if (h.kind === 'uniform') return h.minMs + rand() * (h.maxMs - h.minMs);
    // Box-Muller; 1 - rand() is in (0, 1], so the log is finite.
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return h.medianMs * Math.exp(h.sigma * z);
  };

  const lend = (slot: number): void => {
    slots[slot] = { since: clock, until: clock + drawHold() };
  };

  const release = (slot: number): void => {
    const held = slots[slot]!;
    eta.recordHold(held.until - held.since);
    slots[slot] = null;
    endMs = clock;
    const next = queue.shift();
    if (!next) return;
    lend(slot);
    const waitMs = clock - next.enqueuedAt;
    seed.recordWait(waitMs);
    if (next.data.measured) {
      samples.push({ id: next.id, position: next.data.position, waitMs, etaMs: next.data.etaMs, seedEtaMs: next.data.seedEtaMs });
    }
  };

  const arrive = (id: string, measured: boolean): void => {
    const free = slots.indexOf(null);
    if (free >= 0 && queue.size === 0) {
      lend(free);
      if (measured) servedAtOnce++;
      return;
    }
    const data: Waiting = { measured, position: 0, etaMs: 0, seedEtaMs: 0 };
    const r = queue.enqueue({ id, clientId: 'sim', priority: 'sync', data });
    if (!r.ok) throw new Error(`simulation queue refused a request: ${r.reason}`);
    const runningSince = slots.filter((s): s is Held => s !== null).map((s) => s.since);
    data.position = r.position;
    data.etaMs = eta.estimate(r.position, { total: options.slots, runningSince });
    data.seedEtaMs = seed.estimate(r.position);
  };

  /** Runs arrivals (absolute times, ascending) and releases until every slot is free again. */
  const runUntilIdle = (arrivals: readonly number[], prefix: string, measured: boolean): void => {
    let next = 0;
    for (;;) {
      let slot = -1;
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i];
        if (s && (slot < 0 || s.until < slots[slot]!.until)) slot = i;
      }
      const releaseAt = slot >= 0 ? slots[slot]!.until : Number.POSITIVE_INFINITY;
      const arriveAt = next < arrivals.length ? arrivals[next]! : Number.POSITIVE_INFINITY;
      if (releaseAt === Number.POSITIVE_INFINITY && arriveAt === Number.POSITIVE_INFINITY) return;
      if (releaseAt <= arriveAt) {
        clock = releaseAt;
        release(slot);
      } else {
        clock = arriveAt;
        arrive(`${prefix}${next}`, measured);
        next++;
      }
    }
  };

  runUntilIdle(new Array<number>(options.warmupRequests).fill(0), 'warmup-', false);
  const start = clock + 1000;
  runUntilIdle(arrivalTimes(options, rand).map((t) => start + t), 'r', true);

  const apes = (pick: (s: EtaSample) => number): number[] =>
    samples.filter((s) => s.waitMs > 0).map((s) => Math.abs(pick(s) - s.waitMs) / s.waitMs);
  return {
    name: options.name,
    samples,
    servedAtOnce,
    etaMedianApe: median(apes((s) => s.etaMs)),
    seedMedianApe: median(apes((s) => s.seedEtaMs)),
    endMs,
  };
}

/** Arrival offsets of the measured requests, ascending. */
function arrivalTimes(options: EtaSimulationOptions, rand: () => number): number[] {
  const { arrival, requests } = options;
  if (arrival.kind === 'burst') return new Array<number>(requests).fill(0);
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const wave = Math.floor((i * arrival.waves) / requests);
    times.push(wave * arrival.gapMs + rand() * arrival.spreadMs);
  }
  return times.sort((a, b) => a - b);
}

/** Median of the values; NaN for none. */
function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

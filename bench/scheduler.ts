import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../main/core/config/schema.js';
import { createCore, type Core } from '../main/core/createCore.js';
import { mulberry32 } from '../main/core/scheduler/etaSimulation.js';
import { SeedEstimator } from '../main/core/scheduler/SeedEstimator.js';
import { median } from './stats.js';

/** Builds a core with real pwsh sessions in a temp data dir. */
function makeCore(warmSessions: number, maxSessions: number, maxWaiting: number): { core: Core; work: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-sched-'));
  const made = createCore({ config: defaultConfig({ warmSessions, maxSessions, maxWaiting }), dataDir: path.join(work, 'data'), cwd: work });
  if (!made.ok) throw new Error(made.reason);
  return { core: made.core, work };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out waiting for the pool');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Acquire latency from the warm pool: requestSession() while a warm session is ready, timed until it
 * returns the allocated session. The session is ended after each sample and the pool refilled before
 * the next, so every sample is a warm acquire.
 */
export async function measureAcquire(samples: number): Promise<number[]> {
  const { core, work } = makeCore(3, 5, 10);
  const out: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      await until(() => core.pool.warmCount >= 3, 60_000);
      const t0 = performance.now();
      const ticket = await core.manager.requestSession('bench');
      out.push(performance.now() - t0);
      if (ticket.status !== 'allocated') throw new Error(`warm acquire was ${ticket.status}`);
      await core.manager.endSession('bench', ticket.sessionId);
    }
  } finally {
    await core.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** Results of the concurrent-requests run. */
export interface ConcurrentRun {
  requests: number;
  served: number;
  refused: number;
  wallMs: number;
  /** ETA given at enqueue vs the real wait, for requests that waited. */
  samples: { etaMs: number; seedEtaMs: number; waitMs: number }[];
  etaMedianApe: number;
  seedMedianApe: number;
  /** Hold times of the measured burst, in arrival order. */
  holdsMs: number[];
  /** What the slots could serve if a lease cost nothing but its hold: slots / mean hold. */
  capacityPerSecond: number;
  /** Median wait of the queued requests with no cost beyond the holds (FIFO on the slots). */
  idealMedianWaitMs: number;
}

/**
 * Waits of `holds` (all arriving at once, served in order) on `slots` slots when a lease costs
 * nothing but its hold: each request takes the slot that frees first. Only requests that had to
 * wait (beyond the first `slots`) are returned.
 */
export function idealWaits(holds: number[], slots: number): number[] {
  const free = Array.from({ length: slots }, () => 0);
  const waits: number[] = [];
  holds.forEach((hold, i) => {
    let k = 0;
    for (let j = 1; j < free.length; j++) if (free[j]! < free[k]!) k = j;
    const start = free[k]!;
    free[k] = start + hold;
    if (i >= slots) waits.push(start);
  });
  return waits;
}

/**
 * `requests` clients ask for a session at once on `slots` slots; each holds its session for a
 * random time (a real `Start-Sleep` in the session), then ends it. The ETA each queued request was
 * given is compared with its real wait, next to the seed design's estimate (average past wait ×
 * position) computed from the same waits.
 */
export async function measureConcurrent(
  requests: number,
  warmupRequests: number,
  slots: number,
  holdMinMs: number,
  holdMaxMs: number,
  seed: number,
): Promise<ConcurrentRun> {
  const { core, work } = makeCore(3, slots, requests);
  const random = mulberry32(seed);
  const seedEstimator = new SeedEstimator({ initialWaitMs: 0 });
  let samples: ConcurrentRun['samples'] = [];
  let served = 0;
  let refused = 0;
  let holds: number[] = [];
  /** One burst of clients; the first (a warm-up) lets both estimators learn before the measured one. */
  const burst = (count: number, tag: string): Promise<unknown> =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const client = `${tag}${i}`;
        const holdMs = Math.round(holdMinMs + random() * (holdMaxMs - holdMinMs));
        holds.push(holdMs);
        const asked = performance.now();
        const ticket = await core.manager.requestSession(client);
        let sessionId: string;
        if (ticket.status === 'rejected') {
          refused++;
          return;
        }
        if (ticket.status === 'queued') {
          const seedEtaMs = seedEstimator.estimate(ticket.position);
          const a = await ticket.allocation;
          if (!a.ok) {
            refused++;
            return;
          }
          const waitMs = performance.now() - asked;
          seedEstimator.recordWait(waitMs);
          samples.push({ etaMs: ticket.etaMs, seedEtaMs, waitMs });
          sessionId = a.sessionId;
        } else {
          sessionId = ticket.sessionId;
        }
        served++;
        const ran = await core.manager.run(client, sessionId, `Start-Sleep -Milliseconds ${holdMs}`);
        if (!ran.ok || !ran.result.success) throw new Error(`hold failed: ${ran.ok ? ran.result.message : ran.reason}`);
        await core.manager.endSession(client, sessionId);
      }),
    );
  try {
    await until(() => core.pool.warmCount >= 3, 60_000);
    await burst(warmupRequests, 'warm');
    samples = [];
    served = 0;
    refused = 0;
    holds = [];
    await until(() => core.pool.warmCount >= 3, 60_000);
    const t0 = performance.now();
    await burst(requests, 'c');
    const wallMs = performance.now() - t0;
    const ape = (eta: number, wait: number): number => (Math.abs(eta - wait) / Math.max(wait, 1)) * 100;
    return {
      requests,
      served,
      refused,
      wallMs,
      samples,
      etaMedianApe: median(samples.map((s) => ape(s.etaMs, s.waitMs))),
      seedMedianApe: median(samples.map((s) => ape(s.seedEtaMs, s.waitMs))),
      holdsMs: holds,
      capacityPerSecond: slots / (holds.reduce((a, b) => a + b, 0) / holds.length / 1000),
      idealMedianWaitMs: median(idealWaits(holds, slots)),
    };
  } finally {
    await core.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

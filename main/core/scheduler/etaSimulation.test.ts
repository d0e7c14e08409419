import { describe, expect, it } from 'vitest';
import { mulberry32, simulateEta, standardEtaScenarios, type EtaSimulationOptions } from './etaSimulation.js';

const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

function scenario(name: string, seed = 1): EtaSimulationOptions {
  const found = standardEtaScenarios(seed).find((s) => s.name.startsWith(name));
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}

describe('mulberry32', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });

  it('is uniform in [0, 1)', () => {
    const r = mulberry32(7);
    const values = Array.from({ length: 20_000 }, r);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((t, v) => t + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const lowTenth = values.filter((v) => v < 0.1).length / values.length;
    expect(lowTenth).toBeGreaterThan(0.09);
    expect(lowTenth).toBeLessThan(0.11);
  });
});

describe('simulateEta mechanics', () => {
  it('the same options give the same result', () => {
    const o = scenario('waves, uniform');
    expect(simulateEta(o)).toEqual(simulateEta(o));
    expect(simulateEta({ ...o, seed: 2 }).samples).not.toEqual(simulateEta(o).samples);
  });

  it('burst: the first `slots` requests are served at once, the rest wait in order with positions 1..n', () => {
    const r = simulateEta(scenario('burst, uniform'));
    expect(r.servedAtOnce).toBe(5);
    expect(r.samples).toHaveLength(195);
    expect(r.samples.map((s) => s.position)).toEqual(Array.from({ length: 195 }, (_, i) => i + 1));
    expect(r.samples[0]?.id).toBe('r5');
    // Served first come first served: each waits at least as long as the one before.
    for (let i = 1; i < r.samples.length; i++) expect(r.samples[i]!.waitMs).toBeGreaterThanOrEqual(r.samples[i - 1]!.waitMs);
    for (let i = 1; i < r.samples.length; i++) expect(r.samples[i]!.etaMs).toBeGreaterThanOrEqual(r.samples[i - 1]!.etaMs);
    // 200 requests × ~275 ms mean hold on 5 slots take about 11 s (plus the warm-up before them).
    const lastWait = r.samples[r.samples.length - 1]!.waitMs;
    expect(lastWait).toBeGreaterThan(9_000);
    expect(lastWait).toBeLessThan(13_000);
  });

  it('waves: every measured request is served, at once or after a wait', () => {
    const r = simulateEta(scenario('waves, log-normal'));
    expect(r.servedAtOnce + r.samples.length).toBe(200);
    expect(r.servedAtOnce).toBeGreaterThan(5); // idle slots between waves
    expect(new Set(r.samples.map((s) => s.id)).size).toBe(r.samples.length);
    expect(r.samples.every((s) => s.waitMs > 0 && s.etaMs >= 0 && s.position >= 1)).toBe(true);
    expect(r.endMs).toBeGreaterThan(8_000); // the 5th wave starts 8 s in
  });

  it('with no history, the ETA is only as good as initialHoldMs', () => {
    const cold = { ...scenario('burst, uniform'), warmupRequests: 0 };
    // Guessing 1000 ms for holds that average 275 ms: every ETA is ~3.6× too long.
    expect(simulateEta({ ...cold, initialHoldMs: 1000 }).etaMedianApe).toBeGreaterThan(2);
    // Guessing the true mean: close.
    expect(simulateEta({ ...cold, initialHoldMs: 275 }).etaMedianApe).toBeLessThan(0.1);
  });
});

describe('ETA accuracy: EtaEstimator against the seed design', () => {
  it.each(standardEtaScenarios(1).map((s) => [s.name, s] as const))(
    '%s: median APE <= 25 % and lower than the seed',
    (_name, options) => {
      const r = simulateEta(options);
      console.log(`${options.name} (seed ${options.seed}): EtaEstimator ${percent(r.etaMedianApe)}, SeedEstimator ${percent(r.seedMedianApe)}, ${r.samples.length} waited`);
      expect(r.samples.length).toBeGreaterThan(150);
      expect(r.etaMedianApe).toBeLessThanOrEqual(0.25);
      expect(r.etaMedianApe).toBeLessThan(r.seedMedianApe);
    },
  );

  it('over 20 seeds: beats the seed in every run, and the typical run is within 25 %', () => {
    const names = standardEtaScenarios().map((s) => s.name);
    for (const name of names) {
      const apes: number[] = [];
      for (let seed = 1; seed <= 20; seed++) {
        const r = simulateEta(scenario(name, seed));
        expect(r.etaMedianApe).toBeLessThan(r.seedMedianApe);
        apes.push(r.etaMedianApe);
      }
      const sorted = [...apes].sort((a, b) => a - b);
      const typical = (sorted[9]! + sorted[10]!) / 2;
      console.log(`${name}, 20 seeds: median of median APE ${percent(typical)}, worst ${percent(sorted[19]!)}, runs over 25 %: ${apes.filter((a) => a > 0.25).length}`);
      expect(typical).toBeLessThanOrEqual(0.25);
    }
  });
});

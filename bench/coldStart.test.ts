import { describe, expect, it } from 'vitest';
import { COLD_START_TARGETS, summarizeColdStart, type ColdStartRun } from './coldStart.js';

function run(over: Partial<ColdStartRun>): ColdStartRun {
  return {
    bareSpawnMs: 800,
    initializeMs: 700,
    firstShellSpawnedMs: 450,
    toolsListMs: 40,
    toolsListClientSchemaMs: 10,
    firstRunMs: 900,
    firstResultAfterInitializeMs: 940,
    firstResultFromSpawnMs: 1640,
    secondRunMs: 15,
    closeMs: 300,
    descendants: 2,
    ...over,
  };
}

describe('summarizeColdStart', () => {
  it('takes the first-result ratio per run (each against its own bare spawn), then the median', () => {
    // Ratios 1.0, 2.0, 1.2: median 1.2 (the median of the times over the median spawn would be 1000 / 1000).
    const s = summarizeColdStart([
      run({ bareSpawnMs: 1000, firstResultAfterInitializeMs: 1000 }),
      run({ bareSpawnMs: 500, firstResultAfterInitializeMs: 1000 }),
      run({ bareSpawnMs: 1250, firstResultAfterInitializeMs: 1500 }),
    ]);
    expect(s.firstResultPerBareSpawn).toBeCloseTo(1.2, 10);
    expect(s.medians.bareSpawnMs).toBe(1000);
    expect(s.medians.firstShellSpawnedMs).toBe(450);
    expect(s.firstResultOk).toBe(true);
  });

  it('judges tools/list as the client sees it, and tells the host part apart from the client schema compile', () => {
    const s = summarizeColdStart([run({ toolsListMs: 300, toolsListClientSchemaMs: 270 }), run({ toolsListMs: 320, toolsListClientSchemaMs: 290 })]);
    expect(s.medians.toolsListMs).toBe(310);
    expect(s.toolsListHostMs).toBe(30);
    expect(s.toolsListOk).toBe(false);
    expect(summarizeColdStart([run({ toolsListMs: COLD_START_TARGETS.toolsListMs })]).toolsListOk).toBe(true);
  });

  it('leaves out runs that could not see the first PowerShell start (not Linux)', () => {
    expect(summarizeColdStart([run({ firstShellSpawnedMs: null }), run({ firstShellSpawnedMs: 500 })]).medians.firstShellSpawnedMs).toBe(500);
    expect(summarizeColdStart([run({ firstShellSpawnedMs: null })]).medians.firstShellSpawnedMs).toBeNull();
  });

  it('misses the first-result target above 1.5 bare spawns, and refuses no runs', () => {
    expect(summarizeColdStart([run({ bareSpawnMs: 800, firstResultAfterInitializeMs: 1300 })]).firstResultOk).toBe(false);
    expect(() => summarizeColdStart([])).toThrow('no cold-start runs');
  });
});

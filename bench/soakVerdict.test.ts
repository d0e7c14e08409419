import { describe, expect, it } from 'vitest';
import { formatSoakReport } from './soakReport.js';
import { countLimits, errorKind, judge, rssGrowth, summarizeCalls, type CallRecord, type ResourceCounts, type Sample } from './soakVerdict.js';

const zero: ResourceCounts = {
  hostRssKiB: 100_000,
  treeRssKiB: 200_000,
  fds: 40,
  ptys: 1,
  pwsh: 1,
  hostChildren: 0,
  orphans: 0,
  bridges: 0,
  zombies: 0,
  tmpFiles: 1,
  coreFxPipeFiles: 1,
  dataSessionFiles: 2,
  dataOutputFiles: 0,
  dataLogFiles: 1,
  dataOtherFiles: 3,
};

function sample(phase: Sample['phase'], over: Partial<ResourceCounts> = {}, atMs = 0): Sample {
  return { ...zero, ...over, phase, atMs, orphanArgv: [], tmpKinds: {} };
}

const limits = countLimits({ outputStoreEntries: 1000, auditMaxFiles: 5 });
const call = (over: Partial<CallRecord>): CallRecord => ({ tool: 'run_command', outcome: 'result', ms: 5, client: 'c', ...over });

describe('errorKind', () => {
  it('folds ids and numbers so alike errors share a kind, and keeps the first sentence', () => {
    const a = errorKind('Session 3f2a9c1e-1b2c-4d5e-8f90-123456789abc is busy with another command. Wait for it.');
    const b = errorKind('Session 0a0a0a0a-0000-4000-8000-000000000000 is busy with another command. Try later.');
    expect(a).toBe('Session <id> is busy with another command.');
    expect(b).toBe(a);
    expect(errorKind('Every session stayed busy for 50 s (you were at position 3)')).toBe('Every session stayed busy for # s (you were at position #)');
  });

  it('cuts a long message', () => {
    expect(errorKind('x '.repeat(200)).length).toBeLessThanOrEqual(100);
  });
});

describe('summarizeCalls', () => {
  it('counts answered calls as served, lists lost ones and counts errors and run statuses by kind', () => {
    const s = summarizeCalls([
      call({ status: 'completed' }),
      call({ status: 'timedOut' }),
      call({ outcome: 'toolError', kind: 'busy' }),
      call({ outcome: 'toolError', kind: 'busy' }),
      call({ tool: 'get_job', outcome: 'protocolError', kind: '-32602 bad' }),
      call({ outcome: 'aborted' }),
      call({ outcome: 'vanished' }),
      call({ tool: 'list_sessions', outcome: 'lost', kind: 'Request timed out' }),
    ]);
    expect(s.total).toBe(8);
    expect(s.served).toBe(5);
    expect(s.lost).toHaveLength(1);
    expect(s.errorsByKind).toEqual({ 'toolError: run_command: busy': 2, 'protocolError: get_job: -32602 bad': 1, 'LOST: list_sessions: Request timed out': 1 });
    expect(s.runStatuses).toEqual({ completed: 1, timedOut: 1 });
    expect(s.byTool.run_command).toEqual({ result: 2, toolError: 2, protocolError: 0, aborted: 1, vanished: 1, lost: 0 });
  });
});

describe('rssGrowth', () => {
  it('compares the medians of the first and last thirds', () => {
    const g = rssGrowth([100, 110, 100, 120, 130, 125, 150, 160, 155]);
    expect(g).toMatchObject({ firstThirdMedianKiB: 100, lastThirdMedianKiB: 155 });
    expect(g!.growthPct).toBeCloseTo(55, 10);
  });

  it('does not judge from fewer than six samples', () => {
    expect(rssGrowth([1, 2, 3, 4, 5])).toBeNull();
  });

  it('sees a flat series with one spike as flat', () => {
    expect(rssGrowth([100, 100, 100, 500, 100, 100, 100, 100, 100])!.growthPct).toBe(0);
  });
});

describe('judge', () => {
  const flat = (n: number): Sample[] => Array.from({ length: n }, (_, i) => sample('during', { hostRssKiB: 100_000 + (i % 2) * 1000 }, i * 5000));

  it('passes when no call was lost, counts came back within their slack and RSS stayed flat', () => {
    const v = judge({
      samples: [sample('before'), ...flat(9).map((s) => ({ ...s, pwsh: 3, fds: 70 })), sample('after', { pwsh: 2, fds: 48 }), sample('after'), sample('after')],
      calls: summarizeCalls([call({})]),
      limits,
      rssGrowthPct: 25,
      aliveAfterStop: [],
    });
    expect(v.failures).toEqual([]);
    expect(v.pass).toBe(true);
    expect(v.rows.find((r) => r.key === 'pwsh')).toEqual({ key: 'pwsh', before: 1, duringMax: 3, after: 1, slack: 1, ok: true });
  });

  it('fails on a lost call, naming the tool and kind', () => {
    const v = judge({ samples: [sample('before'), sample('after')], calls: summarizeCalls([call({ outcome: 'lost', kind: 'Request timed out' })]), limits, rssGrowthPct: 25, aliveAfterStop: [] });
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual(['1 call(s) lost (run_command: Request timed out)']);
  });

  it('fails when a count stays above its before-value plus slack after settling (median of the last after-samples)', () => {
    const v = judge({
      samples: [sample('before'), sample('after', { orphans: 9 }), sample('after', { orphans: 2, coreFxPipeFiles: 40 }), sample('after', { orphans: 2, coreFxPipeFiles: 41 }), sample('after', { orphans: 2, coreFxPipeFiles: 42 })],
      calls: summarizeCalls([]),
      limits,
      rssGrowthPct: 25,
      aliveAfterStop: [],
    });
    expect(v.pass).toBe(false);
    expect(v.failures).toHaveLength(2);
    expect(v.failures[0]).toMatch(/^orphans: 2 after settling, above 0 before \+ slack 0/);
    expect(v.failures[1]).toMatch(/^coreFxPipeFiles: 41 after settling, above 1 before \+ slack 1/);
  });

  it("lets a count end within its slack: spilled outputs kept up to the output store's bound, not one beyond", () => {
    const within = judge({ samples: [sample('before'), sample('after', { dataOutputFiles: 1000 })], calls: summarizeCalls([]), limits, rssGrowthPct: 25, aliveAfterStop: [] });
    expect(within.pass).toBe(true);
    const beyond = judge({ samples: [sample('before'), sample('after', { dataOutputFiles: 1001 })], calls: summarizeCalls([]), limits, rssGrowthPct: 25, aliveAfterStop: [] });
    expect(beyond.failures).toEqual([expect.stringMatching(/^dataOutputFiles: 1001 after settling, above 0 before \+ slack 1000/)]);
  });

  it('fails when RSS grew without bound over the run', () => {
    const growing = Array.from({ length: 9 }, (_, i) => sample('during', { hostRssKiB: 100_000 + i * 10_000 }));
    const v = judge({ samples: [sample('before'), ...growing, sample('after')], calls: summarizeCalls([]), limits, rssGrowthPct: 25, aliveAfterStop: [] });
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toMatch(/^host RSS grew without bound: last third's median 170000 KiB is 54\.5 % above the first third's 110000 KiB \(limit 25 %\)/);
  });

  it('fails when something of the run outlived the host', () => {
    const v = judge({ samples: [sample('before'), sample('after')], calls: summarizeCalls([]), limits, rssGrowthPct: 25, aliveAfterStop: ['4242 sleep 304'] });
    expect(v.failures).toEqual(['1 process(es) of the run alive after the host stopped: 4242 sleep 304']);
  });

  it('refuses to judge without before or after samples', () => {
    expect(() => judge({ samples: [sample('during')], calls: summarizeCalls([]), limits, rssGrowthPct: 25, aliveAfterStop: [] })).toThrow(/before and after/);
  });
});

describe('formatSoakReport', () => {
  it('ends in a one-line verdict and shows lost calls, errors and failing resources', () => {
    const calls = summarizeCalls([call({ status: 'completed' }), call({ outcome: 'lost', kind: 'Request timed out' })]);
    const verdict = judge({ samples: [sample('before'), sample('after', { orphans: 1 })], calls, limits, rssGrowthPct: 25, aliveAfterStop: [] });
    const text = formatSoakReport({ header: 'soak', calls, actions: { quick: 2 }, surprises: { 'quick: output expected': { count: 1, examples: ['x'] } }, verdict, rssGrowthPct: 25, notes: [] });
    const lines = text.split('\n');
    expect(lines[lines.length - 1]).toBe('SOAK FAIL: 2 problem(s)');
    expect(text).toContain('Calls: 2 made, 1 answered, 1 lost');
    expect(text).toContain('LOST: run_command: Request timed out');
    expect(text).toMatch(/^orphans\s+0\s+0\s+1\s+0\s+NO$/m);
    expect(text).toContain('quick: output expected');
  });

  it('says PASS when the verdict passes', () => {
    const calls = summarizeCalls([call({})]);
    const verdict = judge({ samples: [sample('before'), sample('after')], calls, limits, rssGrowthPct: 25, aliveAfterStop: [] });
    const text = formatSoakReport({ header: 'soak', calls, actions: {}, surprises: {}, verdict, rssGrowthPct: 25, notes: [] });
    expect(text.split('\n').at(-1)).toBe('SOAK PASS: every call answered, nothing grew');
  });
});

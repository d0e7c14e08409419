import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { EtaEstimator } from './EtaEstimator.js';
import { ETA_MEMORY_FILE, learnedFor, loadLearnedHolds, saveLearnedHolds } from './etaMemory.js';

describe('learned hold times across runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-eta-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves and loads what was saved, host by host', () => {
    expect(loadLearnedHolds(dir)).toEqual({});
    const byHost = { local: { meanHoldMs: 4200, holds: 12 }, buildbox: { meanHoldMs: 90_000, holds: 3 } };
    expect(saveLearnedHolds(dir, byHost, new Date(0))).toEqual({ ok: true });
    expect(loadLearnedHolds(dir)).toEqual(byHost);
    expect(JSON.parse(readFileSync(path.join(dir, ETA_MEMORY_FILE), 'utf8'))).toEqual({ version: 2, hosts: byHost, savedAt: '1970-01-01T00:00:00.000Z' });
    expect(readdirSync(dir)).toEqual([ETA_MEMORY_FILE]);
  });

  it("reads a file from before remote hosts (version 1) as this machine's", () => {
    writeFileSync(path.join(dir, ETA_MEMORY_FILE), '{"version":1,"meanHoldMs":4200,"holds":12,"savedAt":"1970-01-01T00:00:00.000Z"}\n');
    expect(loadLearnedHolds(dir)).toEqual({ local: { meanHoldMs: 4200, holds: 12 } });
  });

  it("finds a host's holds by its name as the config matches names, case-insensitively", () => {
    const byHost = { local: { meanHoldMs: 1, holds: 1 }, BuildBox: { meanHoldMs: 2, holds: 2 } };
    expect(learnedFor(byHost, 'buildbox')).toEqual({ meanHoldMs: 2, holds: 2 });
    expect(learnedFor(byHost, 'other')).toBeUndefined();
  });

  it.runIf(onPosix)('saves user-only, 0600 (POSIX-only: file modes; Windows uses an ACL)', () => {
    expect(saveLearnedHolds(dir, { local: { meanHoldMs: 4200, holds: 12 } }, new Date(0))).toEqual({ ok: true });
    expect(statSync(path.join(dir, ETA_MEMORY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('ignores a file that is not ours (not JSON, another shape, impossible values) and a host entry that is not usable', () => {
    for (const text of [
      '{"version":1,"meanHoldMs":',
      '[]',
      '{"version":2,"meanHoldMs":1,"holds":1,"savedAt":""}',
      '{"version":3,"hosts":{"local":{"meanHoldMs":1,"holds":1}},"savedAt":""}',
      '{"version":1,"meanHoldMs":-5,"holds":1,"savedAt":""}',
      '{"version":1,"meanHoldMs":5,"holds":0,"savedAt":""}',
    ]) {
      writeFileSync(path.join(dir, ETA_MEMORY_FILE), text);
      expect(loadLearnedHolds(dir), text).toEqual({});
    }
    writeFileSync(path.join(dir, ETA_MEMORY_FILE), '{"version":2,"hosts":{"local":{"meanHoldMs":5,"holds":2},"a":{"meanHoldMs":-1,"holds":2},"b":"x"},"savedAt":""}');
    expect(loadLearnedHolds(dir)).toEqual({ local: { meanHoldMs: 5, holds: 2 } });
  });

  it('reports a save that cannot be made, leaving no temp file', () => {
    const missing = path.join(dir, 'gone');
    const r = saveLearnedHolds(missing, { local: { meanHoldMs: 1, holds: 1 } });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining(missing) });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an estimator seeded with what was learned starts from it and moves on from it as the first would have', () => {
    const first = new EtaEstimator({ alpha: 0.05, initialHoldMs: 30_000, now: () => 0 });
    expect(first.learned()).toBeUndefined();
    for (let i = 0; i < 40; i++) first.recordHold(2000);
    const learned = first.learned()!;
    expect(learned).toEqual({ meanHoldMs: 2000, holds: 40 });
    const next = new EtaEstimator({ alpha: 0.05, initialHoldMs: 30_000, now: () => 0, learned });
    expect(next.meanHoldMs).toBe(2000);
    // The first ETA of the new run uses the learned mean, not the 30 s default: one free slot, one running for 0 ms.
    expect(next.estimate(1, { total: 1, runningSince: [0] })).toBe(2000);
    next.recordHold(4000);
    first.recordHold(4000);
    expect(next.meanHoldMs).toBeCloseTo(first.meanHoldMs, 6);
    // Nonsense is ignored.
    expect(new EtaEstimator({ alpha: 0.05, initialHoldMs: 30_000, now: () => 0, learned: { meanHoldMs: Number.NaN, holds: 3 } }).meanHoldMs).toBe(30_000);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK_OPTIONS, parseSoakOptions, pickWeighted, randomInt, seededRandom } from './soakOptions.js';

describe('soak options', () => {
  it('defaults to 10 minutes with 5 clients', () => {
    expect(parseSoakOptions([], {})).toEqual({ ok: true, options: DEFAULT_SOAK_OPTIONS });
    expect(DEFAULT_SOAK_OPTIONS).toMatchObject({ minutes: 10, clients: 5 });
  });

  it('reads flags, then the environment, argv winning', () => {
    const parsed = parseSoakOptions(['--minutes', '2', '--seed', '9', '--out', '/tmp/x.json'], { SOAK_MINUTES: '7', SOAK_CLIENTS: '3', SOAK_SETTLE_SECONDS: '30' });
    expect(parsed).toEqual({ ok: true, options: { ...DEFAULT_SOAK_OPTIONS, minutes: 2, clients: 3, seed: 9, out: '/tmp/x.json', settleSeconds: 30 } });
  });

  it('takes fractional minutes and ignores empty environment values', () => {
    const parsed = parseSoakOptions(['--minutes=0.5'], { SOAK_SEED: '' });
    expect(parsed.ok && 'options' in parsed && parsed.options).toMatchObject({ minutes: 0.5, seed: DEFAULT_SOAK_OPTIONS.seed });
  });

  it('refuses a value out of range or not a number, naming the flag or variable and the range', () => {
    const bad = parseSoakOptions(['--clients', '2.5'], {});
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^--clients wants a whole number from 1 to 50, got "2\.5"/);
    const env = parseSoakOptions([], { SOAK_MINUTES: 'ten' });
    expect(!env.ok && env.reason).toMatch(/^SOAK_MINUTES wants a number from 0\.05 to 1440, got "ten"/);
  });

  it('refuses an unknown flag with the usage', () => {
    const bad = parseSoakOptions(['--hours', '1'], {});
    expect(!bad.ok && bad.reason).toMatch(/Unknown option '--hours'[\s\S]*npm run soak/);
  });

  it('answers --help', () => {
    expect(parseSoakOptions(['--help'], {})).toEqual({ ok: true, help: true });
  });
});

describe('seeded choices', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = seededRandom(14);
    const b = seededRandom(14);
    const c = seededRandom(15);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('picks by weight: never a zero weight, about as often as weighted', () => {
    const random = seededRandom(1);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 4000; i++) counts[pickWeighted({ a: 3, b: 1, never: 0 }, random)]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });

  it('refuses weights that add up to nothing', () => {
    expect(() => pickWeighted({ a: 0 }, seededRandom(1))).toThrow(/add up to nothing/);
  });

  it('draws whole numbers within both bounds', () => {
    const random = seededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(randomInt(random, 2, 4));
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });
});

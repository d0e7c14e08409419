/** Summary statistics for benchmark samples. Pure functions, no I/O. */

/** What the report keeps of one metric's samples. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Copy of the samples in ascending order; throws on an empty list or a non-finite value. */
function sortedCopy(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error('no samples');
  for (const s of samples) if (!Number.isFinite(s)) throw new Error(`sample is not a finite number: ${s}`);
  return [...samples].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0..100) of already sorted values, interpolating linearly between the two
 * closest ranks (the "R-7" / numpy default definition): p50 of [1, 2, 3, 4] is 2.5.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile out of range: ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** The p-th percentile (0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  return percentileOfSorted(sortedCopy(samples), p);
}

/** The median of unsorted samples. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** n, min, p50, p95, max and mean of the samples. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = sortedCopy(samples);
  const sum = sorted.reduce((t, s) => t + s, 0);
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** Rounds for display and JSON: 3 significant decimals are plenty for ms timings. */
export function round(value: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** A Summary with every figure rounded. */
export function roundSummary(s: Summary, decimals = 3): Summary {
  return {
    n: s.n,
    min: round(s.min, decimals),
    p50: round(s.p50, decimals),
    p95: round(s.p95, decimals),
    max: round(s.max, decimals),
    mean: round(s.mean, decimals),
  };
}

/** Renders rows as a plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === '' || r[i] === undefined));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    widths
      .map((w, i) => {
        const c = r[i] ?? '';
        return numeric[i] ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** A number for a table cell: at most 2 decimals, no trailing zeros beyond what is needed. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 1 : 2);
}

/** The soak benchmark's human summary: tables of calls, errors, surprises and resources, ending in a one-line verdict. Pure. */
import { formatTable } from './stats.js';
import { OUTCOMES, type CallSummary, type Verdict } from './soakVerdict.js';

/** An answer that was not what the tool documents for that case, counted by what was expected. */
export interface Surprise {
  count: number;
  /** The first few answers seen instead. */
  examples: string[];
}

/** What the summary shows. */
export interface SoakReportInput {
  header: string;
  calls: CallSummary;
  actions: Record<string, number>;
  surprises: Record<string, Surprise>;
  verdict: Verdict;
  rssGrowthPct: number;
  /** Extra lines (clean-up done, where the JSON went). */
  notes: string[];
}

/** Most error kinds listed in the table (the JSON has them all). */
const ERROR_KINDS_SHOWN = 20;

/** The summary text; its last line is the verdict. */
export function formatSoakReport(input: SoakReportInput): string {
  const { calls, verdict } = input;
  const out: string[] = [input.header, ''];
  out.push(`Calls: ${calls.total} made, ${calls.served} answered, ${calls.lost.length} lost`);
  const tools = Object.keys(calls.byTool).sort();
  out.push(
    formatTable(
      ['tool', ...OUTCOMES, 'total'],
      tools.map((t) => {
        const row = calls.byTool[t]!;
        return [t, ...OUTCOMES.map((o) => row[o]), OUTCOMES.reduce((s, o) => s + row[o], 0)];
      }),
    ),
  );
  out.push('', `run_command statuses: ${Object.entries(calls.runStatuses).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  out.push(`Actions: ${Object.entries(input.actions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const kinds = Object.entries(calls.errorsByKind).sort((a, b) => b[1] - a[1]);
  out.push('', `Errors by kind (${kinds.length} kinds${kinds.length > ERROR_KINDS_SHOWN ? `, the ${ERROR_KINDS_SHOWN} most frequent shown` : ''}):`);
  out.push(kinds.length === 0 ? '  none' : formatTable(['count', 'kind'], kinds.slice(0, ERROR_KINDS_SHOWN).map(([k, v]) => [v, k])));
  const surprises = Object.entries(input.surprises).sort((a, b) => b[1].count - a[1].count);
  out.push('', 'Surprises (an answer other than the one the tool documents for the case; reported, not judged):');
  out.push(surprises.length === 0 ? '  none' : formatTable(['count', 'expected', 'first seen instead'], surprises.map(([k, s]) => [s.count, k, s.examples[0] ?? ''])));
  out.push('', 'Resources (before = median before the clients; after = median of the last samples after settling):');
  out.push(
    formatTable(
      ['resource', 'before', 'during max', 'after', 'slack', 'ok'],
      verdict.rows.map((r) => [r.key, r.before, r.duringMax, r.after, r.slack === null ? 'trend' : r.slack, r.ok ? 'yes' : 'NO']),
    ),
  );
  const rss = verdict.rss;
  out.push(
    rss
      ? `Host RSS trend: first third median ${Math.round(rss.firstThirdMedianKiB)} KiB, last third ${Math.round(rss.lastThirdMedianKiB)} KiB, ${rss.growthPct >= 0 ? '+' : ''}${rss.growthPct.toFixed(1)} % (limit +${input.rssGrowthPct} %)`
      : 'Host RSS trend: too few samples to judge (run longer or sample more often)',
  );
  if (input.notes.length > 0) out.push('', ...input.notes);
  if (verdict.failures.length > 0) out.push('', 'Failures:', ...verdict.failures.map((f) => `  - ${f}`));
  out.push('', verdict.pass ? 'SOAK PASS: every call answered, nothing grew' : `SOAK FAIL: ${verdict.failures.length} problem(s)`);
  return out.join('\n');
}

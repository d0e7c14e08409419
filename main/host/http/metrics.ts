import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PoolState } from '../../../common/events.js';
import type { MetricsSnapshot } from '../../../common/scheduler.js';
import { sendJson } from './respond.js';

/** Content type of the Prometheus text exposition format this module writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Every pool state, so each gets a 0/1 sample; the Record type keeps it in step with the union. */
const POOL_STATES: Record<PoolState, true> = { starting: true, healthy: true, degraded: true, disposed: true };

type Labels = Readonly<Record<string, string>>;
interface Sample {
  labels?: Labels;
  /** null: not known yet, so no sample is written. */
  value: number | null;
}
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

/**
 * Serves a metrics snapshot: JSON by default; the Prometheus text format (0.0.4) with
 * `?format=prometheus`, or when `Accept` prefers `text/plain` (or OpenMetrics) to `application/json`.
 * `?format=json` forces JSON.
 */
export function handleMetrics(req: IncomingMessage, res: ServerResponse, getSnapshot: () => MetricsSnapshot): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: `Metrics are read with GET (got ${req.method ?? 'no method'}).` }, { allow: 'GET, HEAD' });
    return;
  }
  const format = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('format');
  if (format !== null && format !== 'json' && format !== 'prometheus') {
    sendJson(res, 400, { error: `Unknown format ${JSON.stringify(format.slice(0, 40))}; use ?format=json or ?format=prometheus.` });
    return;
  }
  const snapshot = getSnapshot();
  const prometheus = format === 'prometheus' || (format === null && prefersText(req.headers.accept));
  if (!prometheus) {
    sendJson(res, 200, snapshot, { vary: 'Accept' });
    return;
  }
  const text = toPrometheus(snapshot);
  res.writeHead(200, {
    'content-type': PROMETHEUS_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    vary: 'Accept',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** The snapshot in the Prometheus text exposition format, version 0.0.4 (ends with a newline). */
export function toPrometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  for (const family of families(s)) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      if (sample.value === null) continue;
      lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function families(s: MetricsSnapshot): Family[] {
  const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
  const perClass = (sync: number | null, async: number | null): Sample[] => [
    { labels: { class: 'sync' }, value: sync },
    { labels: { class: 'async' }, value: async },
  ];
  return [
    {
      name: 'poshpool_pool_state',
      help: 'Health of the warm pool: 1 for the current state, 0 for the others.',
      type: 'gauge',
      samples: (Object.keys(POOL_STATES) as PoolState[]).map((state) => ({ labels: { state }, value: s.poolState === state ? 1 : 0 })),
    },
    { name: 'poshpool_paused', help: 'New sessions paused by a person: 1 paused, 0 serving.', type: 'gauge', samples: [{ value: s.paused ? 1 : 0 }] },
    { name: 'poshpool_active_sessions', help: 'Sessions lent to clients now.', type: 'gauge', samples: [{ value: s.activeSessions }] },
    { name: 'poshpool_free_slots', help: 'Sessions that can be lent now without waiting.', type: 'gauge', samples: [{ value: s.freeSlots }] },
    { name: 'poshpool_max_sessions', help: 'Most sessions lent at once (maxSessions).', type: 'gauge', samples: [{ value: s.maxSessions }] },
    { name: 'poshpool_warm_sessions', help: 'Warm sessions started and ready to lend.', type: 'gauge', samples: [{ value: s.warmSessions }] },
    {
      name: 'poshpool_queue_depth',
      help: 'Requests waiting for a session, per priority class.',
      type: 'gauge',
      samples: perClass(s.queueDepthSync, s.queueDepthAsync),
    },
    { name: 'poshpool_peak_sessions', help: 'Most sessions lent at once since start.', type: 'gauge', samples: [{ value: s.peakSessions }] },
    { name: 'poshpool_peak_queue_depth', help: 'Most requests waiting at once since start.', type: 'gauge', samples: [{ value: s.peakQueueDepth }] },
    {
      name: 'poshpool_average_wait_seconds',
      help: 'Average time a served request waited for a session, per class (absent until one was served).',
      type: 'gauge',
      samples: perClass(seconds(s.averageWaitMs.sync), seconds(s.averageWaitMs.async)),
    },
    {
      name: 'poshpool_estimated_wait_seconds',
      help: 'Wait a request made now would be told, per class.',
      type: 'gauge',
      samples: perClass(seconds(s.estimatedWaitMs.sync), seconds(s.estimatedWaitMs.async)),
    },
    {
      name: 'poshpool_command_duration_seconds',
      help: 'Duration of recent commands at the given quantile (absent until a command ran).',
      type: 'gauge',
      samples: [
        { labels: { quantile: '0.5' }, value: seconds(s.commandDurationMs.p50) },
        { labels: { quantile: '0.95' }, value: seconds(s.commandDurationMs.p95) },
      ],
    },
    { name: 'poshpool_commands_run_total', help: 'Commands run since start.', type: 'counter', samples: [{ value: s.commandsRun }] },
    { name: 'poshpool_commands_failed_total', help: 'Commands that failed since start.', type: 'counter', samples: [{ value: s.commandsFailed }] },
    {
      name: 'poshpool_session_restarts_total',
      help: 'Sessions started to replace ones that failed or died, since start.',
      type: 'counter',
      samples: [{ value: s.restarts }],
    },
    {
      name: 'poshpool_sessions_reused_total',
      help: 'Returned sessions reset and lent again (no pwsh start), since start.',
      type: 'counter',
      samples: [{ value: s.sessionsReused }],
    },
    {
      name: 'poshpool_sessions_discarded_total',
      help: 'Returned sessions ended because their reset failed or found them dirty, since start.',
      type: 'counter',
      samples: [{ value: s.sessionsDiscarded }],
    },
    { name: 'poshpool_starting_sessions', help: 'Sessions being started now.', type: 'gauge', samples: [{ value: s.startingSessions }] },
    {
      name: 'poshpool_requests_rejected_total',
      help: 'Session requests refused since start.',
      type: 'counter',
      samples: [{ value: s.requestsRejected }],
    },
    {
      name: 'poshpool_backups_total',
      help: 'Backups of the watched folders since start, by outcome.',
      type: 'counter',
      samples: [
        { labels: { outcome: 'completed' }, value: s.backups.completed },
        { labels: { outcome: 'skipped' }, value: s.backups.skipped },
        { labels: { outcome: 'failed' }, value: s.backups.failed },
      ],
    },
  ];
}

/**
 * True when `Accept` ranks text/plain (or OpenMetrics text, answered as 0.0.4 text) above
 * application/json; equal quality goes to whichever is listed first. Wildcards choose JSON.
 */
function prefersText(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let text: { q: number; at: number } | null = null;
  let json: { q: number; at: number } | null = null;
  const entries = accept.split(',');
  for (let at = 0; at < entries.length; at++) {
    const [type, ...params] = (entries[at] ?? '').split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if ((type === 'text/plain' || type === 'application/openmetrics-text') && (text === null || q > text.q)) text = { q, at };
    if (type === 'application/json' && (json === null || q > json.q)) json = { q, at };
  }
  if (text === null) return false;
  if (json === null) return true;
  return text.q > json.q || (text.q === json.q && text.at < json.at);
}

function formatLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../common/scheduler.js';
import { HttpServer } from './HttpServer.js';
import { handleMetrics, PROMETHEUS_CONTENT_TYPE, toPrometheus } from './metrics.js';
import { json, send } from '../../../test/httpClient.js';

const TOKEN = 'metrics-test-token-metrics-test-token-metri';

const snapshot: MetricsSnapshot = {
  time: 1_700_000_000_000,
  poolState: 'healthy',
  poolDegradedReason: '',
    paused: false,
  activeSessions: 2,
  freeSlots: 3,
  maxSessions: 5,
  warmSessions: 1,
  queueDepth: 4,
  queueDepthSync: 1,
  queueDepthAsync: 3,
  peakSessions: 5,
  peakQueueDepth: 7,
  averageWaitMs: { sync: 1500, async: 250 },
  estimatedWaitMs: { sync: 2000, async: 12_500 },
  commandsRun: 42,
  commandsFailed: 3,
  restarts: 1,
  sessionsReused: 0,
  sessionsDiscarded: 0,
  startingSessions: 0,
  commandDurationMs: { p50: 12, p95: 340 },
  requestsRejected: 2,
  backups: { completed: 6, skipped: 2, failed: 1 },
};

const EXPECTED_PROMETHEUS = [
  '# HELP poshpool_pool_state Health of the warm pool: 1 for the current state, 0 for the others.',
  '# TYPE poshpool_pool_state gauge',
  'poshpool_pool_state{state="starting"} 0',
  'poshpool_pool_state{state="healthy"} 1',
  'poshpool_pool_state{state="degraded"} 0',
  'poshpool_pool_state{state="disposed"} 0',
  '# HELP poshpool_paused New sessions paused by a person: 1 paused, 0 serving.',
  '# TYPE poshpool_paused gauge',
  'poshpool_paused 0',
  '# HELP poshpool_active_sessions Sessions lent to clients now.',
  '# TYPE poshpool_active_sessions gauge',
  'poshpool_active_sessions 2',
  '# HELP poshpool_free_slots Sessions that can be lent now without waiting.',
  '# TYPE poshpool_free_slots gauge',
  'poshpool_free_slots 3',
  '# HELP poshpool_max_sessions Most sessions lent at once (maxSessions).',
  '# TYPE poshpool_max_sessions gauge',
  'poshpool_max_sessions 5',
  '# HELP poshpool_warm_sessions Warm sessions started and ready to lend.',
  '# TYPE poshpool_warm_sessions gauge',
  'poshpool_warm_sessions 1',
  '# HELP poshpool_queue_depth Requests waiting for a session, per priority class.',
  '# TYPE poshpool_queue_depth gauge',
  'poshpool_queue_depth{class="sync"} 1',
  'poshpool_queue_depth{class="async"} 3',
  '# HELP poshpool_peak_sessions Most sessions lent at once since start.',
  '# TYPE poshpool_peak_sessions gauge',
  'poshpool_peak_sessions 5',
  '# HELP poshpool_peak_queue_depth Most requests waiting at once since start.',
  '# TYPE poshpool_peak_queue_depth gauge',
  'poshpool_peak_queue_depth 7',
  '# HELP poshpool_average_wait_seconds Average time a served request waited for a session, per class (absent until one was served).',
  '# TYPE poshpool_average_wait_seconds gauge',
  'poshpool_average_wait_seconds{class="sync"} 1.5',
  'poshpool_average_wait_seconds{class="async"} 0.25',
  '# HELP poshpool_estimated_wait_seconds Wait a request made now would be told, per class.',
  '# TYPE poshpool_estimated_wait_seconds gauge',
  'poshpool_estimated_wait_seconds{class="sync"} 2',
  'poshpool_estimated_wait_seconds{class="async"} 12.5',
  '# HELP poshpool_command_duration_seconds Duration of recent commands at the given quantile (absent until a command ran).',
  '# TYPE poshpool_command_duration_seconds gauge',
  'poshpool_command_duration_seconds{quantile="0.5"} 0.012',
  'poshpool_command_duration_seconds{quantile="0.95"} 0.34',
  '# HELP poshpool_commands_run_total Commands run since start.',
  '# TYPE poshpool_commands_run_total counter',
  'poshpool_commands_run_total 42',
  '# HELP poshpool_commands_failed_total Commands that failed since start.',
  '# TYPE poshpool_commands_failed_total counter',
  'poshpool_commands_failed_total 3',
  '# HELP poshpool_session_restarts_total Sessions started to replace ones that failed or died, since start.',
  '# TYPE poshpool_session_restarts_total counter',
  'poshpool_session_restarts_total 1',
  '# HELP poshpool_sessions_reused_total Returned sessions reset and lent again (no pwsh start), since start.',
  '# TYPE poshpool_sessions_reused_total counter',
  'poshpool_sessions_reused_total 0',
  '# HELP poshpool_sessions_discarded_total Returned sessions ended because their reset failed or found them dirty, since start.',
  '# TYPE poshpool_sessions_discarded_total counter',
  'poshpool_sessions_discarded_total 0',
  '# HELP poshpool_starting_sessions Sessions being started now.',
  '# TYPE poshpool_starting_sessions gauge',
  'poshpool_starting_sessions 0',
  '# HELP poshpool_requests_rejected_total Session requests refused since start.',
  '# TYPE poshpool_requests_rejected_total counter',
  'poshpool_requests_rejected_total 2',
  '# HELP poshpool_backups_total Backups of the watched folders since start, by outcome.',
  '# TYPE poshpool_backups_total counter',
  'poshpool_backups_total{outcome="completed"} 6',
  'poshpool_backups_total{outcome="skipped"} 2',
  'poshpool_backups_total{outcome="failed"} 1',
];

describe('toPrometheus', () => {
  it('writes the snapshot line by line in the 0.0.4 text format', () => {
    const text = toPrometheus(snapshot);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').slice(0, -1)).toEqual(EXPECTED_PROMETHEUS);
  });

  it('follows the exposition grammar: HELP and TYPE before each family, prefixed names, counters end in _total', () => {
    const lines = toPrometheus(snapshot).trimEnd().split('\n');
    const typed = new Map<string, string>();
    for (const [i, line] of lines.entries()) {
      const help = /^# HELP (poshpool_[a-z_]+) \S.*$/.exec(line);
      if (help) {
        expect(lines[i + 1]).toMatch(new RegExp(`^# TYPE ${help[1]} (gauge|counter)$`));
        continue;
      }
      const type = /^# TYPE (poshpool_[a-z_]+) (gauge|counter)$/.exec(line);
      if (type) {
        typed.set(type[1] ?? '', type[2] ?? '');
        if (type[2] === 'counter') expect(type[1]).toMatch(/_total$/);
        continue;
      }
      const sample = /^(poshpool_[a-z_]+)(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
      expect(sample, line).not.toBeNull();
      expect(typed.has(sample?.[1] ?? ''), line).toBe(true);
    }
    expect(typed.size).toBe(20);
  });

  it('marks the current pool state and leaves out values not known yet', () => {
    const text = toPrometheus({
      ...snapshot,
      poolState: 'degraded',
      averageWaitMs: { sync: null, async: 40 },
      commandDurationMs: { p50: null, p95: null },
    });
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('poshpool_pool_state{'))).toEqual([
      'poshpool_pool_state{state="starting"} 0',
      'poshpool_pool_state{state="healthy"} 0',
      'poshpool_pool_state{state="degraded"} 1',
      'poshpool_pool_state{state="disposed"} 0',
    ]);
    expect(lines.filter((l) => l.startsWith('poshpool_average_wait_seconds'))).toEqual(['poshpool_average_wait_seconds{class="async"} 0.04']);
    expect(lines.filter((l) => l.startsWith('poshpool_command_duration_seconds'))).toEqual([]);
    expect(lines).toContain('# TYPE poshpool_command_duration_seconds gauge');
  });
});

describe('handleMetrics over HTTP', () => {
  let server: HttpServer;
  let served = 0;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    server = await HttpServer.listen({
      port: 0,
      token: TOKEN,
      tokenFile: '/tmp/token',
      maxBodyBytes: 1024,
      routes: new Map([
        [
          '/metrics',
          (req, res) =>
            handleMetrics(req, res, () => {
              served++;
              return snapshot;
            }),
        ],
      ]),
    });
  });
  afterAll(() => server.dispose());

  it('answers JSON by default', async () => {
    const res = await send({ port: server.port, path: '/metrics', headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(res)).toEqual(snapshot);
  });

  it('answers the Prometheus text format for ?format=prometheus', async () => {
    const res = await send({ port: server.port, path: '/metrics?format=prometheus', headers: { ...auth, accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body.split('\n').slice(0, -1)).toEqual(EXPECTED_PROMETHEUS);
  });

  it('negotiates on Accept: text/plain and Prometheus scrapers get text, JSON-first clients and wildcards get JSON', async () => {
    const accepts: Array<[string, 'text' | 'json']> = [
      ['text/plain', 'text'],
      ['text/plain;version=0.0.4', 'text'],
      ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'text'],
      ['application/json;q=0.5, text/plain', 'text'],
      ['application/json, text/plain, */*', 'json'],
      ['text/plain;q=0.2, application/json', 'json'],
      ['*/*', 'json'],
      ['text/plain;q=0', 'json'],
    ];
    for (const [accept, want] of accepts) {
      const res = await send({ port: server.port, path: '/metrics', headers: { ...auth, accept } });
      expect([accept, res.headers['content-type']]).toEqual([accept, want === 'text' ? PROMETHEUS_CONTENT_TYPE : 'application/json; charset=utf-8']);
    }
    const forced = await send({ port: server.port, path: '/metrics?format=json', headers: { ...auth, accept: 'text/plain' } });
    expect(json(forced)).toEqual(snapshot);
  });

  it('refuses an unknown format (400) and other methods (405), and is guarded', async () => {
    const bad = await send({ port: server.port, path: '/metrics?format=xml', headers: auth });
    expect(bad.status).toBe(400);
    expect((json(bad) as { error: string }).error).toContain('?format=prometheus');
    const del = await send({ port: server.port, path: '/metrics', method: 'DELETE', headers: auth });
    expect(del.status).toBe(405);
    const before = served;
    const anonymous = await send({ port: server.port, path: '/metrics?format=prometheus' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).not.toContain('poshpool_');
    expect(served).toBe(before);
  });
});

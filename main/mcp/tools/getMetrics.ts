import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { LOCAL_HOST, type HostSummary, type MetricsSnapshot } from '../../../common/scheduler.js';
import { nullable, ok, READ_ONLY, type ToolDeps } from './shared.js';

/** One host's figures in get_metrics. */
const hostOutput = z.object({
  name: z.string().describe('local (this machine), or the name agents pass as host'),
  kind: z.string().describe('local or ssh'),
  destination: nullable(z.string(), 'this machine').describe('Where ssh connects (user@host:port)'),
  labels: z.array(z.string()).describe('Labels agents can ask for'),
  state: z.string().describe('starting, healthy, degraded (sessions cannot start there: see degradedReason) or disposed'),
  degradedReason: z.string().describe('Why the host is degraded, in plain words, or empty'),
  activeSessions: z.number().describe('Sessions lent now on this host'),
  maxSessions: z.number().describe('Sessions lent at once at most on this host'),
  freeSlots: z.number().describe('Sessions that can be lent now on this host'),
  warmSessions: z.number().describe('Started sessions ready to lend'),
  queueDepth: z.number().describe('Requests waiting for this host'),
  estimatedWaitSeconds: z.number().describe('Wait a new sync request for this host would be told'),
  commandsRun: z.number().describe('Commands run on this host'),
  commandsFailed: z.number().describe('Commands that failed on this host'),
});

/** Seconds with one decimal, from milliseconds (null stays null). */
function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 100) / 10;
}

/** Every host's figures, this machine first; figures from before hosts give this machine alone. */
function hostsOf(m: MetricsSnapshot): z.infer<typeof hostOutput>[] {
  const hosts: HostSummary[] = m.hosts ?? [
    {
      name: LOCAL_HOST,
      kind: 'local',
      destination: null,
      labels: [],
      state: m.poolState,
      degradedReason: m.poolDegradedReason,
      activeSessions: m.activeSessions,
      maxSessions: m.maxSessions,
      freeSlots: m.freeSlots,
      warmSessions: m.warmSessions,
      startingSessions: m.startingSessions,
      queueDepth: m.queueDepth,
      estimatedWaitMs: m.estimatedWaitMs.sync,
      commandsRun: m.commandsRun,
      commandsFailed: m.commandsFailed,
      restarts: m.restarts,
    },
  ];
  return hosts.map((h) => ({
    name: h.name,
    kind: h.kind,
    destination: h.destination,
    labels: [...h.labels],
    state: h.state,
    degradedReason: h.degradedReason,
    activeSessions: h.activeSessions,
    maxSessions: h.maxSessions,
    freeSlots: h.freeSlots,
    warmSessions: h.warmSessions,
    queueDepth: h.queueDepth,
    estimatedWaitSeconds: seconds(h.estimatedWaitMs)!,
    commandsRun: h.commandsRun,
    commandsFailed: h.commandsFailed,
  }));
}

/** get_metrics: the pool's and queue's figures (this machine's), and each host's. */
export function registerGetMetricsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_metrics',
    {
      title: 'Pool and queue figures',
      description: 'Active and free sessions, queue depth, average waits, the estimated wait for a new sync or async request, command counts and durations, and the pool\'s health (degraded means sessions cannot start: see poolDegradedReason). The top-level figures are this machine\'s; hosts gives every host sessions run on (this machine first, then the remote hosts), each with its state, why it is degraded, sessions, queue and labels.',
      inputSchema: {},
      outputSchema: {
        poolState: z.string().describe('starting, healthy, degraded or disposed'),
        poolDegradedReason: z.string().describe('Why the pool is degraded, or empty'),
        activeSessions: z.number().describe('Sessions lent now'),
        freeSlots: z.number().describe('Sessions that can be lent now'),
        maxSessions: z.number().describe('Sessions lent at once at most'),
        queueDepth: z.number().describe('Requests waiting'),
        estimatedWaitSeconds: z.object({ sync: z.number(), async: z.number() }).describe('Wait a new request would be told, per priority'),
        averageWaitSeconds: z.object({ sync: nullable(z.number(), 'none served yet'), async: nullable(z.number(), 'none served yet') }).describe('Average wait of served requests, per priority'),
        commandsRun: z.number().describe('Commands run'),
        commandsFailed: z.number().describe('Commands that failed'),
        commandDurationMs: z.object({ p50: nullable(z.number(), 'no command ran yet'), p95: nullable(z.number(), 'no command ran yet') }).describe('Recent command durations'),
        restarts: z.number().describe('Sessions replaced after a failure'),
        sessionsReused: z.number().describe('Returned sessions reset and lent again (no pwsh start)'),
        hosts: z.array(hostOutput).describe('Every host sessions run on: local (this machine) first, then the config hosts in order'),
      },
      annotations: READ_ONLY,
    },
    async () => {
      const m = deps.core.metrics();
      const s = seconds;
      return ok({
        poolState: m.poolState,
        poolDegradedReason: m.poolDegradedReason,
        activeSessions: m.activeSessions,
        freeSlots: m.freeSlots,
        maxSessions: m.maxSessions,
        queueDepth: m.queueDepth,
        estimatedWaitSeconds: { sync: s(m.estimatedWaitMs.sync)!, async: s(m.estimatedWaitMs.async)! },
        averageWaitSeconds: { sync: s(m.averageWaitMs.sync), async: s(m.averageWaitMs.async) },
        commandsRun: m.commandsRun,
        commandsFailed: m.commandsFailed,
        commandDurationMs: m.commandDurationMs,
        restarts: m.restarts,
        sessionsReused: m.sessionsReused,
        hosts: hostsOf(m),
      });
    },
  );
}

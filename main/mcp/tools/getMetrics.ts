import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { nullable, ok, READ_ONLY, type ToolDeps } from './shared.js';

/** get_metrics: the pool's and queue's figures. */
export function registerGetMetricsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_metrics',
    {
      title: 'Pool and queue figures',
      description: 'Active and free sessions, queue depth, average waits, the estimated wait for a new sync or async request, command counts and durations, and the pool\'s health (degraded means sessions cannot start: see poolDegradedReason).',
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
      },
      annotations: READ_ONLY,
    },
    async () => {
      const m = deps.core.metrics();
      const s = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);
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
      });
    },
  );
}

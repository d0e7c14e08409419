import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostSummary, MetricsSnapshot } from '../../../common/scheduler.js';
import type { Core } from '../../core/createCore.js';
import { lintTool } from '../schemaLint.js';
import { registerGetMetricsTool } from './getMetrics.js';
import { DEFAULT_MCP_SETTINGS, type ToolDeps } from './shared.js';

// get_metrics through a real SDK client (which checks structuredContent against the tool's output
// schema), over a core that answers only metrics() with made-up figures.

function metrics(patch: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    time: 1,
    poolState: 'healthy',
    poolDegradedReason: '',
    paused: false,
    activeSessions: 1,
    freeSlots: 4,
    maxSessions: 5,
    warmSessions: 2,
    queueDepth: 0,
    queueDepthSync: 0,
    queueDepthAsync: 0,
    peakSessions: 1,
    peakQueueDepth: 0,
    averageWaitMs: { sync: null, async: 1_250 },
    estimatedWaitMs: { sync: 0, async: 2_000 },
    commandsRun: 7,
    commandsFailed: 1,
    restarts: 0,
    sessionsReused: 2,
    sessionsDiscarded: 0,
    startingSessions: 0,
    commandDurationMs: { p50: 12, p95: 80 },
    requestsRejected: 0,
    backups: { completed: 0, skipped: 0, failed: 0 },
    ...patch,
  };
}

const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';
const local: HostSummary = {
  name: 'local',
  kind: 'local',
  destination: null,
  labels: [],
  state: 'healthy',
  degradedReason: '',
  activeSessions: 1,
  maxSessions: 5,
  freeSlots: 4,
  warmSessions: 2,
  startingSessions: 0,
  queueDepth: 0,
  estimatedWaitMs: 0,
  commandsRun: 7,
  commandsFailed: 1,
  restarts: 0,
};
const buildbox: HostSummary = {
  ...local,
  name: 'buildbox',
  kind: 'ssh',
  destination: '127.0.0.1:2222',
  labels: ['build'],
  state: 'degraded',
  degradedReason: refused,
  activeSessions: 0,
  maxSessions: 2,
  freeSlots: 2,
  warmSessions: 0,
  queueDepth: 1,
  estimatedWaitMs: 15_049,
  commandsRun: 0,
  commandsFailed: 0,
  restarts: 4,
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function connect(snapshot: MetricsSnapshot): Promise<Client> {
  const server = new McpServer({ name: 'poshpool-test', version: '1' });
  const core = { metrics: () => snapshot } as unknown as Core;
  const deps: ToolDeps = { core, clientId: 'c', settings: DEFAULT_MCP_SETTINGS, workspace: {} as ToolDeps['workspace'] };
  registerGetMetricsTool(server, deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'metrics-test', version: '1' });
  await client.connect(clientSide);
  close = async () => {
    await client.close();
    await server.close();
  };
  // Listing caches the output schema: the client then validates every result against it.
  await client.listTools();
  return client;
}

describe('get_metrics and hosts', () => {
  it('gives every host, this machine first: state, why degraded, sessions, warm, queue, ETA in seconds, labels, destination', async () => {
    const client = await connect(metrics({ hosts: [local, buildbox] }));
    const result = await client.callTool({ name: 'get_metrics', arguments: {} });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as Record<string, unknown>;
    // The top-level figures stay this machine's.
    expect(out).toMatchObject({ poolState: 'healthy', activeSessions: 1, maxSessions: 5, averageWaitSeconds: { sync: null, async: 1.3 } });
    expect(out.hosts).toEqual([
      { name: 'local', kind: 'local', destination: null, labels: [], state: 'healthy', degradedReason: '', activeSessions: 1, maxSessions: 5, freeSlots: 4, warmSessions: 2, queueDepth: 0, estimatedWaitSeconds: 0, commandsRun: 7, commandsFailed: 1 },
      { name: 'buildbox', kind: 'ssh', destination: '127.0.0.1:2222', labels: ['build'], state: 'degraded', degradedReason: refused, activeSessions: 0, maxSessions: 2, freeSlots: 2, warmSessions: 0, queueDepth: 1, estimatedWaitSeconds: 15, commandsRun: 0, commandsFailed: 0 },
    ]);
    // The text form carries the same.
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(JSON.parse(text)).toEqual(out);
  });

  it('gives this machine alone, from the top-level figures, when the core reports no hosts', async () => {
    const client = await connect(metrics({ poolState: 'degraded', poolDegradedReason: 'pwsh not found', queueDepth: 3, estimatedWaitMs: { sync: 4_000, async: 9_000 } }));
    const out = (await client.callTool({ name: 'get_metrics', arguments: {} })).structuredContent as { hosts: unknown[] };
    expect(out.hosts).toEqual([
      { name: 'local', kind: 'local', destination: null, labels: [], state: 'degraded', degradedReason: 'pwsh not found', activeSessions: 1, maxSessions: 5, freeSlots: 4, warmSessions: 2, queueDepth: 3, estimatedWaitSeconds: 4, commandsRun: 7, commandsFailed: 1 },
    ]);
  });

  it('declares hosts in its output schema, portably: the nullable destination as anyOf of single types, no finding at all', async () => {
    const client = await connect(metrics({ hosts: [local] }));
    const tool = (await client.listTools()).tools.find((t) => t.name === 'get_metrics')!;
    expect(lintTool(tool)).toEqual([]);
    const hosts = (tool.outputSchema!.properties as Record<string, { type: string; items: { properties: Record<string, { anyOf?: { type: string }[] }>; required: string[] } }>).hosts!;
    expect(hosts.type).toBe('array');
    expect(hosts.items.properties.destination!.anyOf?.map((b) => b.type)).toEqual(['string', 'null']);
    expect(tool.outputSchema!.required).toContain('hosts');
    expect(hosts.items.required).toEqual(expect.arrayContaining(['name', 'state', 'degradedReason', 'activeSessions', 'maxSessions', 'warmSessions', 'queueDepth', 'labels', 'destination']));
  });
});

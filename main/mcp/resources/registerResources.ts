import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tools/shared.js';

/** URIs of the resources this server publishes. */
export const RESOURCE_URIS = {
  sessions: 'poshpool://sessions',
  metrics: 'poshpool://metrics',
  job: (id: string) => `poshpool://jobs/${id}`,
} as const;

function json(uri: string, value: unknown): { contents: { uri: string; mimeType: string; text: string }[] } {
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }] };
}

/** poshpool://sessions (this client's sessions and queued requests), poshpool://metrics, poshpool://jobs/{id}. */
export function registerResources(server: McpServer, deps: ToolDeps): void {
  const { manager, jobs } = deps.core;
  server.registerResource(
    'sessions',
    RESOURCE_URIS.sessions,
    { title: 'Your sessions', description: 'Your sessions and your requests waiting in the queue', mimeType: 'application/json' },
    async (uri) => json(uri.href, { sessions: manager.listSessions(deps.clientId), queued: manager.listQueue(deps.clientId) }),
  );
  server.registerResource(
    'metrics',
    RESOURCE_URIS.metrics,
    { title: 'Pool and queue figures', description: 'The scheduler\'s metrics', mimeType: 'application/json' },
    async (uri) => json(uri.href, deps.core.metrics()),
  );
  server.registerResource(
    'job',
    new ResourceTemplate('poshpool://jobs/{id}', {
      list: async () => ({
        resources: jobs.list(deps.clientId).map((j) => ({ uri: RESOURCE_URIS.job(j.jobId), name: j.jobId, description: `${j.status}: ${j.command.slice(0, 80)}`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'A background job', description: 'A job\'s status, output so far and result', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = String(variables.id);
      const got = jobs.get(deps.clientId, id);
      if (!got.ok) throw new Error(got.reason);
      return json(uri.href, got.job);
    },
  );
}

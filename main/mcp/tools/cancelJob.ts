import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** cancel_job: stops a running job; its session stays. */
export function registerCancelJobTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'cancel_job',
    {
      title: 'Cancel a background job',
      description: 'Stops a running job (Ctrl+C, then harder after a grace period). Its session stays usable. get_job then reports status cancelled.',
      inputSchema: { jobId: z.string().min(1).describe('The job to stop') },
      outputSchema: { jobId: z.string().describe('The job'), wasRunning: z.boolean().describe('False when the job had already ended') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ jobId }) => {
      const c = deps.core.jobs.cancel(deps.clientId, jobId);
      if (!c.ok) return fail(c.reason);
      return ok({ jobId, wasRunning: c.wasRunning });
    },
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** cancel_request: withdraws a queued request, or gives back the session it was given. */
export function registerCancelRequestTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'cancel_request',
    {
      title: 'Cancel a session request',
      description:
        'Withdraws a queued request. If a session was already allocated to it, that session is ended: at once (mode "now", stopping any running command) or after its running command finishes (mode "afterCommand").',
      inputSchema: {
        requestId: z.string().min(1).describe('The requestId start_session returned'),
        mode: z.enum(['now', 'afterCommand']).optional().describe('For an allocated request: end its session now (default) or after its current command'),
      },
      outputSchema: {
        requestId: z.string().describe('The request'),
        was: z.enum(['queued', 'allocated']).describe('What the request was when cancelled'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ requestId, mode }) => {
      const cancelled = await deps.core.manager.cancelRequest(deps.clientId, requestId, mode ?? 'now');
      if (!cancelled.ok) return fail(cancelled.reason);
      return ok({ requestId, was: cancelled.was });
    },
  );
}

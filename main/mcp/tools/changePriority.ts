import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, priorityField, seconds, type ToolDeps } from './shared.js';

/** change_priority: moves a queued request to the other class. */
export function registerChangePriorityTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'change_priority',
    {
      title: 'Change a queued request\'s priority',
      description:
        'Moves a queued request between sync (served first) and async. It keeps its arrival order: among the requests of its new class it stands where its arrival time puts it, never ahead of earlier arrivals.',
      inputSchema: { requestId: z.string().min(1).describe('The requestId start_session returned'), priority: priorityField },
      outputSchema: {
        requestId: z.string().describe('The request'),
        priority: priorityField,
        position: z.number().describe('New 1-based place in the queue'),
        etaSeconds: z.number().describe('New estimated wait in seconds'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ requestId, priority }) => {
      const changed = deps.core.manager.changePriority(deps.clientId, requestId, priority);
      if (!changed.ok) return fail(changed.reason);
      return ok({ requestId, priority, position: changed.position, etaSeconds: seconds(changed.etaMs) });
    },
  );
}

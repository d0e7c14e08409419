import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, priorityField, READ_ONLY, seconds, type ToolDeps } from './shared.js';
import { cwdSourceField, placedFields } from './startDir.js';
import { hostField } from './hostChoice.js';

/** queue_position: where a request stands, or its session once allocated. */
export function registerQueuePositionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'queue_position',
    {
      title: 'Where a queued request stands',
      description: 'Reports a queued request\'s 1-based position and estimated wait on the host it waits for (each host has its own queue), or its sessionId once a session was allocated to it.',
      inputSchema: { requestId: z.string().min(1).describe('The requestId start_session returned') },
      outputSchema: {
        status: z.enum(['queued', 'preparing', 'allocated']).describe('queued: still waiting; preparing: a session is being readied for you, poll again in a moment; allocated: use sessionId'),
        requestId: z.string().describe('The request'),
        host: hostField.optional().describe('The host whose session the request waits for (or got)'),
        position: z.number().optional().describe('1-based place in the queue'),
        etaSeconds: z.number().optional().describe('Estimated wait in seconds'),
        priority: priorityField.optional(),
        sessionId: z.string().optional().describe('The allocated session'),
        cwd: z.string().optional().describe('Where the allocated session began (said once, with the sessionId)'),
        cwdSource: cwdSourceField.optional(),
        note: z.string().optional().describe('Why your root or bridge directory was not used'),
      },
      annotations: READ_ONLY,
    },
    async ({ requestId }) => {
      const pos = deps.core.manager.queuePosition(deps.clientId, requestId);
      if (!pos.ok) return fail(pos.reason);
      const host = deps.core.manager.hostOfRequest(requestId) ?? 'local';
      if (pos.status === 'allocated') {
        // A queued start_session's session begins in its start directory before its id is given out.
        const placed = deps.workspace.placement(requestId);
        if (placed === 'pending') return ok({ status: 'preparing', requestId, host });
        return ok({ status: 'allocated', requestId, host, sessionId: pos.sessionId, ...(placed ? placedFields(placed) : {}) });
      }
      if (pos.status === 'preparing') return ok({ status: 'preparing', requestId, host });
      return ok({ status: 'queued', requestId, host, position: pos.position, etaSeconds: seconds(pos.etaMs), priority: pos.priority });
    },
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** end_session: gives a session back (its pwsh ends; nothing of it reaches the next agent). */
export function registerEndSessionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'end_session',
    {
      title: 'End a session',
      description: 'Ends your session (stopping any running command) and frees its slot for the next request. Its variables and state are gone for good.',
      inputSchema: { sessionId: z.string().min(1).describe('Your session') },
      outputSchema: { sessionId: z.string().describe('The session'), ended: z.boolean().describe('True when it was ended') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ sessionId }) => {
      const e = await deps.core.manager.endSession(deps.clientId, sessionId);
      if (!e.ok) return fail(e.reason);
      return ok({ sessionId, ended: true });
    },
  );
}

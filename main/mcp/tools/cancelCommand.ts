import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** cancel_command: stops the command running on a session; the session stays. */
export function registerCancelCommandTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'cancel_command',
    {
      title: 'Stop the running command',
      description: 'Stops the command running on your session: Ctrl+C, then after a grace period the processes it started are killed. The session and its variables stay.',
      inputSchema: { sessionId: z.string().min(1).describe('Your session') },
      outputSchema: { sessionId: z.string().describe('The session'), wasRunning: z.boolean().describe('False when nothing was running') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ sessionId }) => {
      const c = deps.core.manager.cancelCommand(deps.clientId, sessionId);
      if (!c.ok) return fail(c.reason);
      return ok({ sessionId, wasRunning: c.wasRunning });
    },
  );
}

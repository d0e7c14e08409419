import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** send_input: types a line into a command that waits for input. */
export function registerSendInputTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'send_input',
    {
      title: 'Answer a command that waits for input',
      description: 'Types text followed by Enter into the command running on your session (for Read-Host prompts and the like). list_sessions shows state waitingForInput when a command waits.',
      inputSchema: {
        sessionId: z.string().min(1).describe('Your session'),
        text: z.string().describe('The line to type (Enter is added)'),
      },
      outputSchema: { sessionId: z.string().describe('The session'), sent: z.boolean().describe('True when the text was typed') },
      // Typed input can confirm what the waiting command asks ("Delete all? [Y/n]"), and that command may be any program.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ sessionId, text }) => {
      const sent = deps.core.manager.sendInput(deps.clientId, sessionId, text);
      if (!sent.ok) return fail(sent.reason);
      return ok({ sessionId, sent: true });
    },
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { nullable, ok, READ_ONLY, seconds, type ToolDeps } from './shared.js';

/** list_sessions: this client's sessions and waiting requests. */
export function registerListSessionsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_sessions',
    {
      title: 'List your sessions',
      description: 'Lists your sessions (kind, state, current command, cwd, command count, idle time) and your requests still waiting in the queue.',
      inputSchema: {},
      outputSchema: {
        sessions: z
          .array(
            z.object({
              sessionId: z.string().describe('The session'),
              kind: z.enum(['session', 'default', 'call']).describe('session: from start_session; default: your default session (run_command without sessionId); call: lent for one call'),
              state: z.string().describe('idle, running, waitingForInput or ending'),
              currentCommand: nullable(z.string(), 'no command is running').describe('The running command, if any'),
              runningSeconds: nullable(z.number(), 'no command is running').describe('How long the current command has run'),
              cwd: nullable(z.string(), 'not known yet (no command ran)').describe('Working directory'),
              commandCount: z.number().describe('Commands run so far'),
              idleSeconds: z.number().describe('Time since the last activity'),
              host: z.string().describe('The host it runs on: "local" (this machine) or a host from the config'),
            }),
          )
          .describe('Your sessions'),
        queued: z
          .array(z.object({ requestId: z.string(), priority: z.string(), position: z.number(), etaSeconds: z.number(), host: z.string().describe('The host whose queue it waits in') }))
          .describe('Your requests waiting for a session'),
      },
      annotations: READ_ONLY,
    },
    async () => {
      const now = Date.now();
      const sessions = deps.core.manager.listSessions(deps.clientId).map((s) => ({
        sessionId: s.sessionId,
        kind: s.kind,
        state: s.state,
        currentCommand: s.currentCommand,
        runningSeconds: s.commandStartedAt === null ? null : seconds(now - s.commandStartedAt),
        cwd: s.cwd,
        commandCount: s.commandCount,
        idleSeconds: seconds(now - s.lastActivity),
        host: s.host ?? 'local',
      }));
      const queued = deps.core.manager
        .listQueue(deps.clientId)
        .map((q) => ({ requestId: q.requestId, priority: q.priority, position: q.position, etaSeconds: seconds(q.etaMs), host: q.host ?? 'local' }));
      return ok({ sessions, queued });
    },
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/**
 * run_background: starts a command as a background job and returns its id at once.
 *
 * It takes no MCP Task (execution.taskSupport stays "forbidden"): its answer, the job id, is there at
 * once, so a task around it would end as soon as it began and its result (tasks/result) would be that
 * id, not the command's. The Tasks form of a background command is run_command called as a task: the
 * same job underneath (the task id is the job id), with the command's result from tasks/result.
 */
export function registerRunBackgroundTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'run_background',
    {
      title: 'Run a command in the background',
      description:
        'Starts a PowerShell command on your session as a background job and returns a jobId at once. You get a log notification when it finishes; read its status, output so far and result with get_job; stop it with cancel_job. The session is busy until the job ends. ' +
          '(Clients that use MCP Tasks: call run_command as a task instead; it is the same job.)',
      inputSchema: {
        sessionId: z.string().min(1).describe('Your session from start_session'),
        command: z.string().min(1).describe('The PowerShell command or script to run'),
        timeoutSeconds: z.number().positive().max(7 * 86400).optional().describe('Stop the job after this many seconds'),
      },
      outputSchema: { jobId: z.string().describe('The job, for get_job and cancel_job'), sessionId: z.string().describe('The session running it') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ sessionId, command, timeoutSeconds }) => {
      const started = deps.core.jobs.start(deps.clientId, sessionId, command, { timeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : undefined });
      if (!started.ok) return fail(started.reason);
      return ok({ jobId: started.jobId, sessionId });
    },
  );
}

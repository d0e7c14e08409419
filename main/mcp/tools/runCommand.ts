import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { commandResultShape, fail, ok, resultContent, seconds, type ToolDeps } from './shared.js';
import { progress, waitForSession, type Extra } from './waitForSession.js';

/** run_command: runs one command and returns its structured result (or a job id when it runs long). */
export function registerRunCommandTool(server: McpServer, deps: ToolDeps): void {
  const { settings } = deps;
  server.registerTool(
    'run_command',
    {
      title: 'Run a PowerShell command',
      description:
        'Runs a PowerShell command (any length; multi-line scripts, here-strings and quotes arrive intact) and returns its output, error records, real exit code, success, cwd and duration. ' +
        'With sessionId it runs on your session (variables and cwd persist); without it borrows a fresh session for this one call. ' +
        `A command still running after ${settings.returnAfterSeconds} s returns status "running" with a jobId and the output so far; it goes on in the background: follow it with get_job, stop it with cancel_job. ` +
        'If it waits for input (Read-Host), answer with send_input. Cancelling this call stops the command.',
      inputSchema: {
        command: z.string().min(1).describe('The PowerShell command or script to run'),
        sessionId: z.string().optional().describe('Your session from start_session; omit to borrow a fresh session for this call only'),
        timeoutSeconds: z.number().positive().max(86400).optional().describe('Stop the command (Ctrl+C, then harder) after this many seconds'),
      },
      outputSchema: {
        ...commandResultShape,
        status: z.enum(['completed', 'cancelled', 'timedOut', 'sessionEnded', 'running']).describe(commandResultShape.status.description + '; running: still going as a background job (see jobId)'),
        jobId: z.string().optional().describe('When status is running: the background job to follow with get_job'),
        outputSoFar: z.string().optional().describe('When status is running: what the command printed so far'),
        errors: commandResultShape.errors.optional(),
        errorCount: commandResultShape.errorCount.optional(),
        exitCode: commandResultShape.exitCode.optional(),
        success: commandResultShape.success.optional(),
        cwd: commandResultShape.cwd.optional(),
        durationMs: commandResultShape.durationMs.optional(),
        truncated: commandResultShape.truncated.optional(),
        outputBytes: commandResultShape.outputBytes.optional(),
        outputRef: commandResultShape.outputRef.optional(),
        sessionAlive: commandResultShape.sessionAlive.optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ command, sessionId, timeoutSeconds }, extra) => {
      const { manager } = deps.core;
      let session = sessionId;
      let borrowed: { requestId: string } | undefined;
      if (!session) {
        const ticket = await manager.requestSession(deps.clientId, { priority: 'sync' });
        if (ticket.status === 'rejected') return fail(`No session to borrow: ${ticket.reason}`);
        if (ticket.status === 'allocated') session = ticket.sessionId;
        else {
          const waited = await waitForSession(deps, ticket, settings.maxWaitSeconds * 1000, extra);
          if (waited.kind === 'aborted') return fail('The call was cancelled while waiting for a session.');
          if (waited.kind === 'failed') return fail(`No session to borrow: ${waited.reason}`);
          if (waited.kind === 'stillQueued') {
            await manager.cancelRequest(deps.clientId, ticket.requestId, 'now');
            return fail(
              `Every session stayed busy for ${settings.maxWaitSeconds} s (you were at position ${waited.position}, estimated wait ${seconds(waited.etaMs)} s). ` +
                'Use start_session with priority "async" to keep a place in the queue, or try again later.',
            );
          }
          session = waited.sessionId;
        }
        borrowed = { requestId: ticket.requestId };
      }
      const sessionIdNow = session;
      const endBorrowed = async (): Promise<void> => {
        if (borrowed) await manager.endSession(deps.clientId, sessionIdNow);
      };
      const running = manager.run(deps.clientId, sessionIdNow, command, { timeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : undefined, signal: extra.signal });
      const finished = await raceWithProgress(deps, sessionIdNow, running, extra);
      if (finished === 'late') {
        const jobId = deps.core.jobs.adopt(deps.clientId, sessionIdNow, command, running);
        void running.finally(endBorrowed);
        const so = manager.outputSoFar(deps.clientId, sessionIdNow);
        const soFar = so.ok && so.output ? so.output.output : '';
        return ok({
          sessionId: sessionIdNow,
          status: 'running',
          jobId,
          output: soFar,
          outputSoFar: soFar,
          message: `Still running after ${settings.returnAfterSeconds} s: it goes on as job ${jobId}. Follow it with get_job, stop it with cancel_job.`,
        });
      }
      await endBorrowed();
      if (!finished.ok) return fail(finished.reason);
      return ok(resultContent(sessionIdNow, finished.result));
    },
  );
}

type RunOutcome = Awaited<ReturnType<ToolDeps['core']['manager']['run']>>;

/** Waits for the run, sending progress (output bytes) meanwhile; 'late' once returnAfterSeconds passed. */
async function raceWithProgress(deps: ToolDeps, sessionId: string, running: Promise<RunOutcome>, extra: Extra): Promise<RunOutcome | 'late'> {
  const started = Date.now();
  let lastBytes = -1;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<RunOutcome | 'late'>((resolve) => {
      const loop = (): void => {
        timer = setTimeout(() => {
          if (Date.now() - started >= deps.settings.returnAfterSeconds * 1000) return resolve('late');
          const so = deps.core.manager.outputSoFar(deps.clientId, sessionId);
          const bytes = so.ok && so.output ? so.output.outputBytes : 0;
          if (bytes !== lastBytes) {
            lastBytes = bytes;
            void progress(extra, bytes, `running: ${bytes} bytes of output so far`);
          }
          loop();
        }, deps.settings.progressIntervalMs);
      };
      loop();
      void running.then(resolve);
    });
  } finally {
    clearTimeout(timer);
  }
}

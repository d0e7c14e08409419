import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Ticket } from '../../core/scheduler/SessionManager.js';
import { z } from 'zod';
import { fail, ok, priorityField, seconds, type ToolDeps } from './shared.js';
import type { Placed } from '../workspaceRoots.js';
import { cwdArgument, cwdSourceField, enterStartDir, placedFields } from './startDir.js';
import { waitForSession } from './waitForSession.js';
import { hostArgument, hostField, labelsArgument, planHost } from './hostChoice.js';

/** start_session: a session for this client, at once when one is free, else a place in the queue. */
export function registerStartSessionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'start_session',
    {
      title: 'Start a PowerShell session',
      description:
        'Gets a warm PowerShell session for your commands (variables and the working directory persist between run_command calls on it). ' +
        'When every session is busy the request is queued: a sync request waits (up to waitSeconds, with progress notifications giving its position and ETA) and returns the sessionId once it is its turn; ' +
        'otherwise you get status "queued" with a requestId — poll queue_position until it reports a sessionId, or cancel_request. End the session with end_session when done, so others can use it. ' +
        'The session begins in your workspace: your first MCP root when your client declares roots, else the directory your client started poshpool bridge in; cwd overrides it. ' +
        'host or labels put it on another machine from poshpool\'s config (over SSH; it begins in the login\'s home there unless cwd says otherwise); each host has its own sessions and queue.',
      inputSchema: {
        priority: priorityField.optional().describe('sync (default): you are waiting for it; async: background work, served after sync requests'),
        cwd: cwdArgument.optional(),
        host: hostArgument.optional(),
        labels: labelsArgument.optional(),
        waitSeconds: z.number().min(0).max(3600).optional().describe(`How long to wait for a busy pool before returning "queued" (default: ${deps.settings.maxWaitSeconds} s for sync, 0 for async)`),
      },
      outputSchema: {
        status: z.enum(['allocated', 'queued']).describe('allocated: use sessionId; queued: wait with queue_position(requestId)'),
        sessionId: z.string().optional().describe('The session to pass to run_command (when allocated)'),
        requestId: z.string().describe('The request, for queue_position, change_priority and cancel_request'),
        position: z.number().optional().describe('1-based place in the queue (when queued)'),
        etaSeconds: z.number().optional().describe('Estimated wait in seconds (when queued)'),
        priority: priorityField,
        host: hostField,
        cwd: z.string().optional().describe('Where the session began (when allocated)'),
        cwdSource: cwdSourceField.optional(),
        note: z.string().optional().describe('Why the wait may be longer than the ETA (e.g. new sessions paused by the person at the tray), or why your root or bridge directory was not used'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra) => {
      const priority = args.priority ?? 'sync';
      const start = await planHost(deps, { host: args.host, labels: args.labels }, args.cwd, extra);
      if (!start.ok) return fail(start.reason);
      const host = start.host;
      const { manager } = deps.core;
      // The session begins at its start directory before the caller learns its id.
      const allocated = async (sessionId: string, requestId: string): Promise<CallToolResult> => {
        const entered = await enterStartDir(deps, sessionId, start.start, { learnHostPath: true });
        if (!entered.ok) {
          await manager.endSession(deps.clientId, sessionId, 'its start directory could not be entered');
          return fail(entered.reason);
        }
        return ok({ status: 'allocated', sessionId, requestId, priority, host, ...placedFields(entered.placed) });
      };
      const queued = (ticket: Extract<Ticket, { status: 'queued' }>): void => {
        const placing = ticket.allocation.then(async (a): Promise<Placed | null> => {
          if (!a.ok) return null;
          const entered = await enterStartDir(deps, a.sessionId, start.start, { learnHostPath: true });
          return entered.ok ? entered.placed : { cwd: null, cwdSource: 'host', note: entered.reason };
        });
        deps.workspace.defer(ticket.requestId, placing);
      };
      const ticket = await manager.requestSession(deps.clientId, { priority, host });
      if (ticket.status === 'rejected') return fail(`No session: ${ticket.reason}`);
      if (ticket.status === 'allocated') return allocated(ticket.sessionId, ticket.requestId);
      const paused = (): { note?: string } =>
        deps.core.manager.pausedBy === null
          ? {}
          : { note: 'New sessions are paused by the person at the poshpool tray: your request keeps its place and is served when they resume. The ETA does not count the pause.' };
      const waitMs = (args.waitSeconds ?? (priority === 'sync' ? deps.settings.maxWaitSeconds : 0)) * 1000;
      if (waitMs <= 0) {
        queued(ticket);
        return ok({ status: 'queued', requestId: ticket.requestId, position: ticket.position, etaSeconds: seconds(ticket.etaMs), priority, host, ...paused() });
      }
      const waited = await waitForSession(deps, ticket, waitMs, extra);
      switch (waited.kind) {
        case 'allocated':
          return allocated(waited.sessionId, ticket.requestId);
        case 'stillQueued':
          queued(ticket);
          return ok({ status: 'queued', requestId: ticket.requestId, position: waited.position, etaSeconds: seconds(waited.etaMs), priority, host, ...paused() });
        case 'aborted':
          return fail('The call was cancelled, and so was the request.');
        case 'failed':
          return fail(`No session: ${waited.reason}`);
      }
    },
  );
}


import type { CreateTaskRequestHandlerExtra } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, CreateTaskResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { statusOfResult, type ClientTaskStore } from '../tasks/ClientTaskStore.js';
import { registerOptionalTaskTool } from '../tasks/optionalTaskTool.js';
import { commandResultShape, fail, ok, resultContent, seconds, type ToolDeps } from './shared.js';
import { cwdArgument, cwdSourceField, placeForCall } from './startDir.js';
import type { CwdSource } from '../workspaceRoots.js';
import { progress, waitForSession, type Extra } from './waitForSession.js';
import { hostArgument, hostField, labelsArgument, planHost, type HostPlan } from './hostChoice.js';

/**
 * run_command: runs one command and returns its structured result (or a job id when it runs long).
 * A client that supports MCP Tasks may call it as a task instead: the task comes back at once and
 * its result is the same result a plain call gives, whenever the command ends.
 */
export function registerRunCommandTool(server: McpServer, deps: ToolDeps, tasks: ClientTaskStore): void {
  const { settings } = deps;
  registerOptionalTaskTool(
    server,
    'run_command',
    {
      title: 'Run a PowerShell command',
      description:
        'Runs a PowerShell command (any length; multi-line scripts, here-strings and quotes arrive intact) and returns its output, error records, real exit code, success, cwd and duration. ' +
        'Without sessionId it runs in your default session: started on your first call and kept for you, so variables, functions, modules, environment and cwd persist from one call to the next, like a terminal (no other client ever sees it). ' +
        `It is ended after ${Math.round(deps.core.config.defaultSessionIdleSeconds / 60)} minutes unused, or sooner when every session is taken and others wait; newSession: true in a result says this call did not have your earlier state. ` +
        'If your default session is still busy (a command running there), the call runs in a clean session borrowed for it alone. fresh: true asks for such a clean one-call session. With sessionId it runs on a session from start_session. ' +
        `A command still running after ${settings.returnAfterSeconds} s returns status "running" with a jobId and the output so far; it goes on in the background: follow it with get_job, stop it with cancel_job. ` +
        'If it waits for input (Read-Host), answer with send_input. Cancelling this call stops the command. ' +
        'host or labels run it on another machine from poshpool\'s config (over SSH), in your default session there (one per host). ' +
        'Clients that support MCP Tasks may call it as a task: the task id comes back at once, the result (tasks/result) is the one a plain call gives, whenever the command ends; tasks/cancel stops the command. A task is a job: get_job and cancel_job take its id too; tasks/get and get_job name its session for send_input.',
      inputSchema: {
        command: z.string().min(1).describe('The PowerShell command or script to run'),
        sessionId: z.string().optional().describe('A session from start_session; omit to use your default session (kept between your calls)'),
        fresh: z.boolean().optional().describe('Run in a clean session used for this call only (none of your earlier state; your default session is left as it is). Ignored with sessionId'),
        timeoutSeconds: z.number().positive().max(86400).optional().describe('Stop the command (Ctrl+C, then harder) after this many seconds'),
        cwd: cwdArgument.optional().describe('Run in this directory (absolute, or relative to your workspace); the session stays there afterwards. Without it a new session begins in your workspace (your first MCP root, else the directory your client started poshpool bridge in)'),
        host: hostArgument.optional().describe(hostArgument.description + '. Ignored with sessionId (a session stays on its host)'),
        labels: labelsArgument.optional(),
      },
      outputSchema: {
        ...commandResultShape,
        status: z.enum(['completed', 'cancelled', 'timedOut', 'sessionEnded', 'running']).describe(commandResultShape.status.description + '; running: still going as a background job (see jobId)'),
        cwdSource: cwdSourceField.optional(),
        host: hostField,
        sessionKind: z.enum(['session', 'default', 'call']).describe('Where it ran: session (the sessionId you gave), default (your default session, kept between calls), call (a clean session for this call only, returned after it)'),
        newSession: z.boolean().describe('True when the session had none of your earlier state (a new default session, or a one-call session)'),
        note: z.string().optional().describe('Something about where the command ran that you may want to know'),
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
    { plain: (args, extra) => runPlain(deps, args, extra), task: (args, extra) => runAsTask(deps, tasks, args, extra) },
  );
}

/** What run_command is asked. */
interface RunArgs {
  command: string;
  sessionId?: string;
  fresh?: boolean;
  timeoutSeconds?: number;
  cwd?: string;
  host?: string;
  labels?: string[];
}

/** A plain call: waits up to returnAfterSeconds with progress, then hands the command on as a job. */
async function runPlain(deps: ToolDeps, { command, sessionId, fresh, timeoutSeconds, cwd, host, labels }: RunArgs, extra: Extra): Promise<CallToolResult> {
  const { settings } = deps;
  const { manager } = deps.core;
  const where = await place(deps, sessionId, fresh, extra, cwd, { host, labels });
  if (!where.ok) return fail(where.reason);
  const sessionIdNow = where.sessionId;
  const placed = placedFields(where);
  const endBorrowed = (): void => returnBorrowed(deps, where);
  const running = manager.run(deps.clientId, sessionIdNow, command, { timeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : undefined, signal: extra.signal });
  const finished = await raceWithProgress(deps, sessionIdNow, running, extra);
  if (finished === 'late') {
    const jobId = deps.core.jobs.adopt(deps.clientId, sessionIdNow, command, running);
    void running.finally(endBorrowed);
    const so = manager.outputSoFar(deps.clientId, sessionIdNow);
    const soFar = so.ok && so.output ? so.output.output : '';
    return ok({
      sessionId: sessionIdNow,
      ...placed,
      status: 'running',
      jobId,
      output: soFar,
      outputSoFar: soFar,
      message: `Still running after ${settings.returnAfterSeconds} s: it goes on as job ${jobId}. Follow it with get_job, stop it with cancel_job.`,
    });
  }
  endBorrowed();
  if (!finished.ok) return fail(finished.reason);
  return ok({ ...resultContent(sessionIdNow, finished.result), ...placed });
}

/**
 * A task-augmented call: the task (whose id is the job id the command runs under) is returned at
 * once; the same placement as a plain call follows in the background, then the command runs to its
 * end (no "running" answer: the task is the job). Its result is built from the job store when a
 * client asks, and is the result a plain call would have given.
 */
async function runAsTask(deps: ToolDeps, tasks: ClientTaskStore, args: RunArgs, extra: CreateTaskRequestHandlerExtra): Promise<CreateTaskResult> {
  const handle = tasks.create(extra.taskRequestedTtl);
  const taskId = handle.task.taskId;
  const audit = (reason: string): void =>
    deps.core.audit.recordRefused({ client: deps.clientId, clientName: deps.core.clients.get(deps.clientId)?.name, session: args.sessionId ?? null, command: args.command, tool: 'run_command', reason });
  if (handle.refused !== undefined) {
    audit(handle.refused);
    return { task: handle.task };
  }
  handle.describe = () => 'waiting for a session';
  const refuse = (reason: string): void => {
    audit(reason);
    const result = fail(reason);
    tasks.finish(taskId, { status: statusOfResult(result), result: () => result });
  };
  const work = async (): Promise<void> => {
    const { manager, jobs } = deps.core;
    // Progress goes to the task's status (tasks/get, notifications/tasks/status), not to a call that has already been answered.
    const quiet: Extra = { ...extra, signal: handle.signal, _meta: undefined };
    const where = await place(deps, args.sessionId, args.fresh, quiet, args.cwd, { host: args.host, labels: args.labels });
    if (!where.ok) return refuse(where.reason);
    if (handle.signal.aborted) {
      returnBorrowed(deps, where);
      return refuse('The task was cancelled before its command started.');
    }
    const running = manager.run(deps.clientId, where.sessionId, args.command, { timeoutMs: args.timeoutSeconds ? args.timeoutSeconds * 1000 : undefined, signal: handle.signal });
    jobs.adopt(deps.clientId, where.sessionId, args.command, running, taskId);
    handle.describe = () => {
      // Read-Host and the like are answered with send_input, not through the task (input_required is for requests the server sends).
      const info = manager.listSessions(deps.clientId).find((s) => s.sessionId === where.sessionId);
      const approval = info?.awaitingApproval ? deps.core.approvals.pending().find((p) => p.sessionId === where.sessionId) : undefined;
      if (approval) {
        const rules = approval.rules.map((r) => r.name).join(', ');
        return `waiting for a person's approval (rule: ${rules}) on session ${where.sessionId} (job ${taskId}): it runs once approved, and is denied without an answer by ${new Date(approval.expiresAt).toISOString()}`;
      }
      const state = info?.state;
      if (state === 'waitingForInput') return `waiting for input on session ${where.sessionId} (job ${taskId}): answer with send_input`;
      const so = manager.outputSoFar(deps.clientId, where.sessionId);
      const bytes = so.ok && so.output ? so.output.outputBytes : 0;
      return `running on session ${where.sessionId} (job ${taskId}): ${bytes} bytes of output so far`;
    };
    const outcome = await running;
    returnBorrowed(deps, where);
    if (!outcome.ok) return refuse(outcome.reason);
    const placed = placedFields(where);
    const result = (): CallToolResult => {
      const job = jobs.get(deps.clientId, taskId);
      if (!job.ok) return fail(`The result of task ${taskId} is no longer kept: ${job.reason}`);
      if (!job.job.result) return fail(job.job.message ?? `Task ${taskId} ended without a result.`);
      return ok({ ...resultContent(where.sessionId, job.job.result), ...placed });
    };
    tasks.finish(taskId, { status: statusOfResult(result()), result });
  };
  // A task never stays "working" for an error nobody sees: an unexpected throw fails it with the reason.
  void work().catch((e: unknown) => refuse(`poshpool failed to run the task: ${e instanceof Error ? e.message : String(e)}`));
  return { task: handle.task };
}

/** Where a call runs: the session it names, or (without one) its default session or a borrowed one. */
async function place(deps: ToolDeps, sessionId: string | undefined, fresh: boolean | undefined, extra: Extra, cwd: string | undefined, on: { host?: string; labels?: string[] }): Promise<CallPlace> {
  // Checked before a session is taken: a bad cwd or host costs none. A named session without cwd stays where it is.
  const sessionHost = sessionId ? (deps.core.manager.hostOfSession(sessionId) ?? 'local') : undefined;
  let start: HostPlan | undefined;
  if (!sessionId) start = await planHost(deps, on, cwd, extra);
  else if (cwd !== undefined) start = sessionHost !== 'local' ? { ok: true, host: sessionHost!, remote: true, start: { path: cwd, source: 'argument' } } : await planHost(deps, {}, cwd, extra);
  if (start && !start.ok) return { ok: false, reason: start.reason };
  const host = sessionHost ?? (start?.ok ? start.host : 'local');
  const where: CallPlace = sessionId ? { ok: true, sessionId, kind: 'session', newSession: false, note: undefined, host } : await callSession(deps, fresh === true, extra, host);
  if (!where.ok || !start) return where;
  // A new session begins in the workspace (on another host: the login's home); an explicit cwd moves any session.
  const placed = await placeForCall(deps, where.sessionId, start.start, { explicit: cwd !== undefined, newSession: where.newSession });
  if (!placed.ok) {
    returnBorrowed(deps, where);
    return { ok: false, reason: placed.reason };
  }
  const note = [where.note, placed.fields.note].filter((n) => n !== undefined).join(' ') || undefined;
  return { ...where, note, ...(placed.fields.cwdSource ? { cwdSource: placed.fields.cwdSource } : {}) };
}

/** The fields of a result that say where the command ran. */
function placedFields(where: Extract<CallPlace, { ok: true }>): { sessionKind: 'session' | 'default' | 'call'; newSession: boolean; host: string; note?: string; cwdSource?: CwdSource } {
  return { sessionKind: where.kind, newSession: where.newSession, host: where.host, ...(where.note ? { note: where.note } : {}), ...(where.cwdSource ? { cwdSource: where.cwdSource } : {}) };
}

/** A one-call session goes back after the call; its reset for the next client is not the caller's wait. */
function returnBorrowed(deps: ToolDeps, where: Extract<CallPlace, { ok: true }>): void {
  if (where.kind === 'call') void deps.core.manager.endSession(deps.clientId, where.sessionId, 'its one call is over');
}

/** Where a call runs: a session it named, the client's default session, or one borrowed for the call. */
type CallPlace = { ok: true; sessionId: string; kind: 'session' | 'default' | 'call'; newSession: boolean; note: string | undefined; cwdSource?: CwdSource; host: string } | { ok: false; reason: string };

async function callSession(deps: ToolDeps, fresh: boolean, extra: Extra, host: string): Promise<CallPlace> {
  const { manager } = deps.core;
  const { settings } = deps;
  const { ticket, kind, reused } = await manager.callTicket(deps.clientId, { fresh, host });
  const note =
    kind === 'call' && !fresh ? 'Your default session is busy (a command still runs there; see list_sessions or get_job), so this call ran in a clean session of its own.' : undefined;
  if (ticket.status === 'rejected') return { ok: false, reason: `No session to run on: ${ticket.reason}` };
  if (ticket.status === 'allocated') return { ok: true, sessionId: ticket.sessionId, kind, newSession: !reused, note, host };
  const waited = await waitForSession(deps, ticket, settings.maxWaitSeconds * 1000, extra);
  if (waited.kind === 'aborted') return { ok: false, reason: 'The call was cancelled while waiting for a session.' };
  if (waited.kind === 'failed') return { ok: false, reason: `No session to run on: ${waited.reason}` };
  if (waited.kind === 'stillQueued') {
    await manager.cancelRequest(deps.clientId, ticket.requestId, 'now');
    return {
      ok: false,
      reason:
        `Every session${host === 'local' ? '' : ` on host ${host}`} stayed busy for ${settings.maxWaitSeconds} s (you were at position ${waited.position}, estimated wait ${seconds(waited.etaMs)} s). ` +
        'Use start_session with priority "async" to keep a place in the queue, or try again later.',
    };
  }
  return { ok: true, sessionId: waited.sessionId, kind, newSession: true, note, host };
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

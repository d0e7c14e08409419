import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CommandResult } from '../../../common/shell.js';
import type { Core } from '../../core/createCore.js';
import type { ClientWorkspace } from '../workspaceRoots.js';

/** What every tool gets: the core, the calling client's id, and the MCP layer's settings. */
export interface ToolDeps {
  core: Core;
  /** The MCP session this server serves: it owns the sessions, requests and jobs it creates. */
  clientId: string;
  settings: McpSettings;
  /** Where this client's new sessions begin (its first root, the bridge's directory, or the host's). */
  workspace: ClientWorkspace;
}

/** Settings of the MCP layer. */
export interface McpSettings {
  /** A run_command still running after this long returns a job id and goes on in the background (s). */
  returnAfterSeconds: number;
  /** Longest a sync start_session (or run_command without a session) waits for its turn (s). */
  maxWaitSeconds: number;
  /** Interval of progress notifications during long calls (ms). */
  progressIntervalMs: number;
}

/** Defaults below the 60 s that common clients allow a tool call. */
export const DEFAULT_MCP_SETTINGS: McpSettings = { returnAfterSeconds: 50, maxWaitSeconds: 50, progressIntervalMs: 1000 };

/** A successful result: structured content, and the same JSON as text for clients that read only text. */
export function ok<T extends Record<string, unknown>>(structured: T): CallToolResult & { structuredContent: T } {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** A tool failure an agent can act on. */
export function fail(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** Milliseconds to seconds with one decimal. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/**
 * A field that may be null, in the form every client handles: `anyOf` of single-type branches, never
 * `type: [x, "null"]`. zod 4 folds `anyOf: [{type: x}, {type: "null"}]` into that type array when both
 * branches are bare (zod v4/core/to-json-schema.ts, compactTypeUnion), which the MCP Inspector's
 * `--strict` flags ("type-union", core/json/schemaLint.ts) and which Gemini's single-`type` schema
 * rejects (google-gemini/gemini-cli#21094, github/copilot-cli#4623), as does Cursor's argument check
 * ("must be of type null,string", cursor/cursor#3778). The null branch carries `whenNull` as its
 * description: it says when the value is null, and (being no longer bare) keeps the `anyOf` form.
 * Used in output schemas only: input schemas take no unions at all (see schemaLint.ts).
 */
export function nullable<T extends z.ZodType>(inner: T, whenNull: string): z.ZodUnion<[T, z.ZodNull]> {
  return z.union([inner, z.null().describe(`null: ${whenNull}`)]);
}

/**
 * Annotations of a tool that only reads poshpool's own state: every hint stated, since a client
 * assumes the worst of one left out (destructiveHint and openWorldHint default to true in the MCP
 * schema's ToolAnnotations).
 */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export const priorityField = z.enum(['sync', 'async']).describe('sync: a caller is waiting and is served before async requests; async: background work, served after every sync request');

const errorRecord = z.object({
  message: z.string().describe('The error message'),
  fullyQualifiedErrorId: z.string().describe('PowerShell FullyQualifiedErrorId, e.g. PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand'),
  category: z.string().describe('Error category, e.g. ObjectNotFound'),
  exceptionType: z.string().describe('.NET exception type'),
  targetName: z.string().describe('What the error was about'),
  position: z.string().describe('Where in the command it happened'),
  scriptStackTrace: z.string().describe('PowerShell stack trace'),
});

/** Output schema of a command result, in the camelCase fields every tool uses. */
export const commandResultShape = {
  sessionId: z.string().describe('The session that ran the command'),
  status: z.enum(['completed', 'cancelled', 'timedOut', 'sessionEnded']).describe('completed: ran to its end (see success); cancelled/timedOut: stopped; sessionEnded: pwsh itself ended'),
  output: z.string().describe('What the command printed, as rendered text; head and tail when truncated'),
  errors: z.array(errorRecord).describe('Error records of this command, oldest first'),
  errorCount: z.number().describe('How many error records there were in all'),
  exitCode: nullable(z.number(), 'the command was stopped (cancelled, timed out, or pwsh ended)').describe("A native program's exit code, exit N, 0 on success, 1 on a PowerShell failure; null when stopped"),
  success: z.boolean().describe('True when the command succeeded'),
  cwd: nullable(z.string(), 'not known (the command was stopped before it reported one)').describe('Working directory after the command'),
  durationMs: z.number().describe('How long the command ran'),
  truncated: z.boolean().describe('True when output holds only head and tail: read the whole with get_job or the outputRef'),
  outputBytes: z.number().describe('Size of the whole output in bytes'),
  outputRef: nullable(z.string(), 'the output is whole in this result').describe('Handle of the whole output when truncated (read pages with get_job when the command ran as a job)'),
  sessionAlive: z.boolean().describe('False when the session is gone: start a new one'),
  message: z.string().optional().describe('What a status other than a plain completion means, and what to do'),
};

/** The structured form of a command result. */
export function resultContent(sessionId: string, r: CommandResult): Record<string, unknown> {
  return {
    sessionId,
    status: r.status,
    output: r.output,
    errors: r.errors,
    errorCount: r.errorCount,
    exitCode: r.exitCode,
    success: r.success,
    cwd: r.cwd,
    durationMs: r.durationMs,
    truncated: r.truncated,
    outputBytes: r.outputBytes,
    outputRef: r.outputRef,
    sessionAlive: r.sessionAlive,
    ...(r.message ? { message: r.message } : {}),
  };
}

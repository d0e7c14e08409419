import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { fail } from './tools/shared.js';

/**
 * Readable answers to requests whose parameters are wrong, for every request and every tool, in one
 * place. Two cases, as MCP and the SDK (1.32.2) draw the line:
 *
 * - The request itself is malformed (tools/call without params, a `name` that is not a string,
 *   `arguments` that is not an object, likewise for any method): JSON-RPC -32602 Invalid params.
 *   The SDK's Protocol parses a request with its zod schema inside the stored handler and turns the
 *   ZodError into -32603 Internal error whose message is the raw zod issue dump.
 * - A tool's arguments do not fit its input schema (run_command with `command: 5`): a tool result
 *   with isError, as MCP 2025-11-25 says (input validation errors are tool execution errors, so the
 *   model can correct itself; SEP-1303) and as the SDK's McpServer does; but its text is ours
 *   ("command: expected a string, got number"), not "MCP error -32602: Input validation error: ...".
 *
 * It wraps the handlers McpServer stored: `_requestHandlers` of its Server and `_registeredTools`
 * are private in the SDK's types, so they are reached through a cast; createMcpServer.test.ts pins
 * the behaviour, so an SDK that moves them fails that test rather than answering raw dumps again.
 */

type Handler = (request: { method: string; params?: Record<string, unknown> }, extra: unknown) => Promise<unknown>;
interface Internals {
  _requestHandlers: Map<string, Handler>;
}
interface ToolInternals {
  _registeredTools: Record<string, { enabled: boolean; inputSchema?: { safeParseAsync(data: unknown): Promise<ZodLikeResult> } }>;
}
type ZodLikeResult = { success: true } | { success: false; error: { issues: Issue[] } };
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: unknown[];
  keys?: string[];
}

/** Wraps every request handler `server` has now (call it after registering tools and resources). */
export function answerInvalidParams(server: McpServer): void {
  const handlers = (server.server as unknown as Internals)._requestHandlers;
  const tools = (server as unknown as ToolInternals)._registeredTools;
  for (const [method, original] of handlers) {
    handlers.set(method, async (request, extra) => {
      if (method === 'tools/call') {
        const refused = await checkToolArguments(tools, request.params);
        if (refused) return refused;
      }
      try {
        return await original(request, extra);
      } catch (e) {
        const issues = zodIssues(e);
        if (issues === undefined || !issues.every((i) => i.path[0] === 'params')) throw e;
        // Not McpError: its message would start "MCP error -32602: "; Protocol sends any error's code and message.
        throw Object.assign(new Error(`Invalid params for ${method}: ${describeIssues(issues, request)}.`), { code: ErrorCode.InvalidParams });
      }
    });
  }
}

async function checkToolArguments(tools: ToolInternals['_registeredTools'], params: Record<string, unknown> | undefined): Promise<CallToolResult | undefined> {
  const name = params?.name;
  if (typeof name !== 'string') return undefined;
  const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
  const args = params?.arguments;
  // Malformed params (arguments not an object) and unknown tools are the SDK's to answer.
  if (!tool?.enabled || !tool.inputSchema || (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args)))) return undefined;
  const parsed = await tool.inputSchema.safeParseAsync(args ?? {});
  if (parsed.success) return undefined;
  return fail(`Invalid arguments for ${name}: ${describeIssues(parsed.error.issues, args ?? {})}. The tool's inputSchema (tools/list) says what each argument takes.`);
}

function zodIssues(e: unknown): Issue[] | undefined {
  // zod's classic ZodError and its core $ZodError (which the SDK's schemas throw) both carry issues.
  if (e === null || typeof e !== 'object' || !/ZodError$/.test(String((e as { name?: unknown }).name))) return undefined;
  const issues = (e as { issues?: unknown }).issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return issues.every((i: unknown) => i !== null && typeof i === 'object' && Array.isArray((i as Issue).path)) ? (issues as Issue[]) : undefined;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  bigint: 'an integer',
  null: 'null',
};

/** What a JSON value is, in words. */
export function typeOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function at(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function pathText(path: PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text === '' ? 'arguments' : text;
}

function bound(issue: Issue, lower: boolean): string {
  const n = lower ? issue.minimum : issue.maximum;
  if (issue.origin === 'string') {
    if (lower && Number(n) === 1) return 'must not be empty';
    return `must be ${lower ? 'at least' : 'at most'} ${n} characters long`;
  }
  if (issue.origin === 'array') return `must hold ${lower ? 'at least' : 'at most'} ${n} items`;
  if (lower) return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${n}`;
  return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${n}`;
}

function describeIssue(issue: Issue, root: unknown): string {
  const where = pathText(issue.path);
  const value = at(root, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = ARTICLE[issue.expected ?? ''] ?? issue.expected ?? 'something else';
      if (value === undefined) return `${where}: missing (expected ${expected})`;
      const isFraction = issue.expected === 'int' && typeof value === 'number';
      return `${where}: expected ${expected}, got ${isFraction ? String(value) : typeOf(value)}`;
    }
    case 'too_small':
      return `${where}: ${bound(issue, true)}`;
    case 'too_big':
      return `${where}: ${bound(issue, false)}`;
    case 'invalid_value':
      return `${where}: must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`;
    case 'unrecognized_keys':
      return `${where}: unknown ${(issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** The issues of a failed parse of `root`, one clause each, joined with "; ". */
export function describeIssues(issues: Issue[], root: unknown): string {
  return issues.map((i) => describeIssue(i, root)).join('; ');
}

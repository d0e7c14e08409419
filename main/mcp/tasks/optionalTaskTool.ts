import type { CreateTaskRequestHandlerExtra, TaskRequestHandlerExtra, ToolTaskHandler } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { ErrorCode, McpError, type CallToolResult, type CreateTaskResult, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Extra } from '../tools/waitForSession.js';

/**
 * A tool a client MAY call as an MCP Task (execution.taskSupport 'optional', spec 2025-11-25
 * server/tools "Tool-Level Negotiation") while a plain call behaves exactly as a plain tool.
 *
 * It registers through the SDK's experimental `registerToolTask` (so tools/list says
 * `execution: { taskSupport: 'optional' }` and a task-augmented tools/call is validated and answered
 * with the CreateTaskResult by the SDK). For a call WITHOUT a task, the SDK (1.32.2,
 * McpServer.handleAutomaticTaskPolling) would create a task itself and poll it until it ends: no
 * progress notifications, no cancel through the call, no early "still running" answer. A plain call
 * must keep today's behaviour, so this replaces that polling, on this server only and for this tool
 * only, by the plain handler with the same input and output validation the SDK's normal path does
 * (validateToolInput, handler, validateToolOutput, errors turned into isError results by its caller).
 * Those members are private in the SDK's types and reached through a cast, as invalidParams.ts does;
 * createMcpServer.test.ts pins plain run_command calls (progress notifications, cancel through the
 * call, "running" after returnAfterSeconds), so an SDK that moves them fails there instead of
 * quietly polling.
 */

type ToolInternal = Parameters<PollingInternals['handleAutomaticTaskPolling']>[0];
interface PollingInternals {
  handleAutomaticTaskPolling(tool: unknown, request: { params: { name: string; arguments?: unknown } }, extra: Extra): Promise<CallToolResult>;
  validateToolInput(tool: ToolInternal, args: unknown, toolName: string): Promise<unknown>;
  validateToolOutput(tool: ToolInternal, result: CallToolResult, toolName: string): Promise<void>;
}

/** What a tool does for a plain call and for a task-augmented one. */
export interface OptionalTaskHandlers<Args extends ZodRawShapeCompat> {
  /** A plain call: the tool's result. */
  plain(args: ShapeOutput<Args>, extra: Extra): Promise<CallToolResult>;
  /** A task-augmented call: create the task, start its work, and return the task at once. */
  task(args: ShapeOutput<Args>, extra: CreateTaskRequestHandlerExtra): Promise<CreateTaskResult>;
}

/** Registers `name` as a tool clients may call plainly or as a task. */
export function registerOptionalTaskTool<Args extends ZodRawShapeCompat, Out extends ZodRawShapeCompat>(
  server: McpServer,
  name: string,
  config: { title: string; description: string; inputSchema: Args; outputSchema: Out; annotations: ToolAnnotations },
  handlers: OptionalTaskHandlers<Args>,
): RegisteredTool {
  const taskHandler = {
    createTask: (args: ShapeOutput<Args>, extra: CreateTaskRequestHandlerExtra) => handlers.task(args, extra),
    // The SDK answers tasks/get and tasks/result from the server's TaskStore; these are its documented shape.
    getTask: (_args: ShapeOutput<Args>, extra: TaskRequestHandlerExtra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (_args: ShapeOutput<Args>, extra: TaskRequestHandlerExtra) => (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
  };
  // ToolTaskHandler<Args> is a conditional type TypeScript cannot resolve for a generic Args; the object above is its Args-shape branch.
  const registered = server.experimental.tasks.registerToolTask(name, { ...config, execution: { taskSupport: 'optional' } }, taskHandler as unknown as ToolTaskHandler<Args>);
  const internals = server as unknown as PollingInternals;
  const polling = internals.handleAutomaticTaskPolling.bind(server);
  internals.handleAutomaticTaskPolling = async (tool, request, extra) => {
    if (request.params.name !== name) return polling(tool, request, extra);
    const args = (await internals.validateToolInput(tool, request.params.arguments, name)) as ShapeOutput<Args>;
    const result = await handlers.plain(args, extra);
    await internals.validateToolOutput(tool, result, name);
    return result;
  };
  return registered;
}

type Handler = (request: { method: string; params?: Record<string, unknown> }, extra: unknown) => Promise<unknown>;
interface HandlerInternals {
  _requestHandlers: Map<string, Handler>;
}
interface ToolsInternals {
  _registeredTools: Record<string, { execution?: { taskSupport?: string } }>;
}

/**
 * A task-augmented tools/call of a tool that does not take tasks is refused with -32601 before the
 * tool runs. The spec says servers SHOULD (2025-11-25 server/tools, execution.taskSupport
 * "forbidden": "Servers SHOULD return a -32601 (Method not found) error if a client attempts to
 * invoke the tool as a task"); the SDK (1.32.2) instead runs the tool and returns its plain result
 * as the answer to a task request, which the client then rejects as an invalid CreateTaskResult,
 * after the tool did its work (a job started, a session ended). Wraps the stored tools/call handler
 * as invalidParams.ts does; call it after registering the tools.
 */
export function refuseTasksForPlainTools(server: McpServer): void {
  const handlers = (server.server as unknown as HandlerInternals)._requestHandlers;
  const tools = (server as unknown as ToolsInternals)._registeredTools;
  const original = handlers.get('tools/call');
  if (!original) return;
  handlers.set('tools/call', async (request, extra) => {
    const name = request.params?.name;
    const task = request.params?.task;
    if (task !== undefined && typeof name === 'string' && Object.hasOwn(tools, name)) {
      const support = tools[name]!.execution?.taskSupport ?? 'forbidden';
      if (support === 'forbidden') {
        throw new McpError(ErrorCode.MethodNotFound, `${name} cannot be called as a task (its execution.taskSupport is "forbidden" in tools/list); call it without "task".`);
      }
    }
    return original(request, extra);
  });
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from './tools/shared.js';

/**
 * Commands refused before they ran go to the audit log too, with the reason the caller was told:
 * a full queue, an unknown, ending or busy session, a wait that ran out or was cancelled, arguments
 * that do not fit (answered by invalidParams), a session the pool could not give. The audit
 * subscriber sees only commands that started; this sees every call of the tools that run commands.
 *
 * It wraps the `tools/call` handler McpServer stored (private in the SDK's types, reached as
 * invalidParams does), so the refusals of every path land in one place without the tools or the
 * scheduler knowing about the audit log. Call it after answerInvalidParams, so argument refusals pass
 * through it.
 */

/** The tools whose calls run a command. */
export const COMMAND_TOOLS: ReadonlySet<string> = new Set(['run_command', 'run_background']);

type Handler = (request: { method: string; params?: Record<string, unknown> }, extra: unknown) => Promise<unknown>;
interface Internals {
  _requestHandlers: Map<string, Handler>;
}

/** The text of an isError tool result, or undefined when the result is not one. */
function errorText(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object' || (result as { isError?: unknown }).isError !== true) return undefined;
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content)) return 'refused';
  const texts = content.filter((c): c is { type: 'text'; text: string } => c !== null && typeof c === 'object' && c.type === 'text' && typeof c.text === 'string').map((c) => c.text);
  return texts.join(' ') || 'refused';
}

/** Records refused command calls of this server's client in the core's audit log. */
export function auditRefusedCommands(server: McpServer, deps: ToolDeps): void {
  const handlers = (server.server as unknown as Internals)._requestHandlers;
  const original = handlers.get('tools/call');
  if (!original) return;
  handlers.set('tools/call', async (request, extra) => {
    const tool = request.params?.name;
    if (typeof tool !== 'string' || !COMMAND_TOOLS.has(tool)) return original(request, extra);
    const args = request.params?.arguments;
    const given = args !== null && typeof args === 'object' ? (args as Record<string, unknown>) : {};
    const command = typeof given.command === 'string' ? given.command : '';
    const session = typeof given.sessionId === 'string' ? given.sessionId : null;
    // A call whose command started was not refused (a failure after the start is the command's own).
    let started = false;
    const watch = deps.core.bus.onEvent((e) => {
      if (e.type !== 'command.started' || e.clientId !== deps.clientId) return;
      if ((session === null || e.sessionId === session) && command.startsWith(e.command)) started = true;
    });
    const refuse = (reason: string): void => {
      if (started) return;
      deps.core.audit.recordRefused({ client: deps.clientId, clientName: deps.core.clients.get(deps.clientId)?.name, session, command, tool, reason });
    };
    try {
      const result = await original(request, extra);
      const reason = errorText(result);
      if (reason !== undefined) refuse(reason);
      return result;
    } catch (e) {
      refuse(e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      watch.dispose();
    }
  });
}

import { isInitializeRequest, JSONRPCMessageSchema, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * What every MCP transport of the host (HTTP, the local socket, the embedded bridge's stdio) does
 * with what a client sends before the MCP server sees it, so that each answers bad input the same
 * way and nothing is dropped in silence:
 *
 * - text that is not JSON: -32700 (parse error), id null;
 * - JSON that is not a JSON-RPC 2.0 message: -32600 (invalid request), with the message's id when
 *   it has a readable one (a string or an integer), else id null;
 * - a batch (a JSON array, JSON-RPC 2.0 §6; MCP 2025-03-26 allowed batches, 2025-06-18 removed
 *   them; poshpool still serves them on every transport): 1 to {@link MAX_BATCH} valid messages,
 *   no initialize among them, no request id twice; the answers come back as one array in the order
 *   of the requests. A batch with an invalid member is refused whole (-32600, id null, naming the
 *   member), as the HTTP transport always did.
 */

/** Most messages one batch may hold. */
export const MAX_BATCH = 100;

/** JSON-RPC 2.0 error codes used here. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

/** What came in: messages to hand to the MCP server, or the error to answer with. */
export type Incoming =
  | { ok: true; batch: boolean; messages: JSONRPCMessage[] }
  | { ok: false; id: RequestId | null; code: number; message: string };

/** An error answer for a message that could not be served. */
export function errorAnswer(id: RequestId | null, code: number, message: string): { jsonrpc: '2.0'; id: RequestId | null; error: { code: number; message: string } } {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** The id of a message when it has one JSON-RPC allows (a string or an integer). */
export function readableId(value: unknown): RequestId | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : null;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const SHAPE = 'a JSON-RPC 2.0 message is an object with "jsonrpc": "2.0" and a "method" (request or notification) or an "id" with a "result" or "error" (response)';

/** Why `value` is not a JSON-RPC 2.0 message, or undefined when it is one. */
function whyInvalid(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `got ${kind(value)}: ${SHAPE}`;
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return `"jsonrpc" must be "2.0" (got ${JSON.stringify(m.jsonrpc) ?? 'nothing'})`;
  if ('id' in m && readableId(m) === null && !('error' in m && m.id === null)) return `"id" must be a string or an integer (got ${kind(m.id)})`;
  if ('method' in m) {
    if (typeof m.method !== 'string') return `"method" must be a string (got ${kind(m.method)})`;
    if ('params' in m && (m.params === null || typeof m.params !== 'object' || Array.isArray(m.params))) return `"params" must be an object (got ${kind(m.params)})`;
  } else if (!('result' in m) && !('error' in m)) {
    return `it has no "method", "result" or "error": ${SHAPE}`;
  }
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (parsed.success) return undefined;
  const extra = Object.keys(m).filter((k) => !['jsonrpc', 'id', 'method', 'params', 'result', 'error'].includes(k));
  if (extra.length > 0) return `it has a member JSON-RPC does not define: ${extra.map((k) => JSON.stringify(k)).join(', ')}`;
  return `${SHAPE}; a "result" must be an object and an "error" an object with an integer "code" and a string "message"`;
}

/** Checks a parsed JSON value (a single message or a batch) as described above. */
export function checkIncoming(value: unknown): Incoming {
  if (!Array.isArray(value)) {
    const why = whyInvalid(value);
    if (why !== undefined) return { ok: false, id: readableId(value), code: INVALID_REQUEST, message: `Not a JSON-RPC 2.0 message: ${why}.` };
    return { ok: true, batch: false, messages: [value as JSONRPCMessage] };
  }
  if (value.length === 0 || value.length > MAX_BATCH) {
    return { ok: false, id: null, code: INVALID_REQUEST, message: `A batch must hold 1 to ${MAX_BATCH} JSON-RPC messages; got ${value.length}. Send one message at a time (MCP 2025-06-18 and later have no batches).` };
  }
  const seen = new Set<string>();
  for (const [i, member] of value.entries()) {
    const why = whyInvalid(member);
    if (why !== undefined) return { ok: false, id: null, code: INVALID_REQUEST, message: `Not a JSON-RPC 2.0 message (item ${i} of the batch): ${why}. The batch was not served.` };
    if (isInitializeRequest(member)) return { ok: false, id: null, code: INVALID_REQUEST, message: 'initialize must be sent alone, not in a batch.' };
    const m = member as { id?: RequestId; method?: unknown };
    if (m.method !== undefined && m.id !== undefined) {
      const key = JSON.stringify(m.id);
      if (seen.has(key)) return { ok: false, id: null, code: INVALID_REQUEST, message: `Request id ${key} appears twice in the batch; give each request its own id.` };
      seen.add(key);
    }
  }
  return { ok: true, batch: true, messages: value as JSONRPCMessage[] };
}

/** Parses one line of text as JSON and checks it: a parse failure is a -32700 with id null. */
export function parseIncoming(text: string): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, id: null, code: PARSE_ERROR, message: `Parse error: the message is not valid JSON (${(e as Error).message}). Send one JSON-RPC message per line.` };
  }
  return checkIncoming(value);
}

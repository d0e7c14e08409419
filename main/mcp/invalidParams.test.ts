import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';

// Wrong params, for every tool and request, through poshpool's real MCP server (createMcpServer) and
// the SDK's Client or raw JSON-RPC: a malformed request gets -32602 with a readable message (the SDK
// alone answers -32603 with a zod dump); wrong-typed tool arguments get an isError result that says
// which argument and what it takes (MCP 2025-11-25: input validation errors are tool execution errors).

let dir: string;
let core: Core;
const disposers: (() => Promise<void>)[] = [];

beforeEach(() => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'pp-params-'));
  const made = createCore({ config: defaultConfig({ warmSessions: 0, maxSessions: 1 }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
});
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<Client> {
  const { server, dispose } = createMcpServer({ core, clientId: 'params' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'params-test', version: '1.0.0' });
  await client.connect(clientSide);
  disposers.push(async () => {
    await client.close();
    await dispose();
  });
  return client;
}

/** A raw JSON-RPC peer (after initialize): send(message) resolves with the answer to its id. */
async function raw(): Promise<(message: Record<string, unknown>) => Promise<JSONRPCMessage & { error?: { code: number; message: string } }>> {
  const { server, dispose } = createMcpServer({ core, clientId: 'raw' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const waiting = new Map<unknown, (m: JSONRPCMessage) => void>();
  clientSide.onmessage = (m) => {
    if ('id' in m) waiting.get(m.id)?.(m);
  };
  await clientSide.start();
  disposers.push(async () => {
    await clientSide.close();
    await dispose();
  });
  const send = (message: Record<string, unknown>) =>
    new Promise<JSONRPCMessage & { error?: { code: number; message: string } }>((resolve) => {
      waiting.set(message.id, resolve);
      void clientSide.send({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
    });
  await send({ id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await clientSide.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return send;
}

function text(r: unknown): string {
  const result = r as CallToolResult;
  expect(result.isError).toBe(true);
  return (result.content[0] as { text: string }).text;
}

describe('wrong params get a readable answer', () => {
  it('run_command with command: 5 is an isError result naming the argument, the type it takes and the type it got', async () => {
    const client = await connect();
    const r = await client.callTool({ name: 'run_command', arguments: { command: 5 } });
    expect(text(r)).toBe("Invalid arguments for run_command: command: expected a string, got number. The tool's inputSchema (tools/list) says what each argument takes.");
    const r2 = await client.callTool({ name: 'run_command', arguments: { command: '', timeoutSeconds: 'soon', fresh: 1 } });
    expect(text(r2)).toBe(
      "Invalid arguments for run_command: command: must not be empty; fresh: expected a boolean (true or false), got number; timeoutSeconds: expected a number, got string. The tool's inputSchema (tools/list) says what each argument takes.",
    );
    const r3 = await client.callTool({ name: 'run_command', arguments: {} });
    expect(text(r3)).toContain('command: missing (expected a string)');
  });

  it('every tool answers a wrong-typed argument the same way', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    let checked = 0;
    for (const tool of tools) {
      const props = Object.entries((tool.inputSchema.properties ?? {}) as Record<string, { type?: string }>);
      const first = props[0];
      if (!first) continue;
      const [name, schema] = first;
      const wrong = schema.type === 'string' ? 5 : 'not-this';
      const r = await client.callTool({ name: tool.name, arguments: { [name]: wrong } });
      expect(text(r)).toMatch(new RegExp(`^Invalid arguments for ${tool.name}: .*${name}: (expected .+, got (number|string)|must be one of .+, got .+)`));
      expect(text(r)).not.toContain('MCP error');
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a malformed tools/call (arguments not an object, name not a string, no params) is -32602 with what is wrong, not -32603 with a zod dump', async () => {
    const send = await raw();
    expect((await send({ id: 1, method: 'tools/call', params: { name: 'run_command', arguments: 5 } })).error).toEqual({
      code: -32602,
      message: 'Invalid params for tools/call: params.arguments: expected an object, got number.',
    });
    expect((await send({ id: 2, method: 'tools/call', params: { name: 5 } })).error).toEqual({
      code: -32602,
      message: 'Invalid params for tools/call: params.name: expected a string, got number.',
    });
    expect((await send({ id: 3, method: 'tools/call' })).error).toEqual({ code: -32602, message: 'Invalid params for tools/call: params: missing (expected an object).' });
    expect((await send({ id: 4, method: 'resources/read', params: { uri: 5 } })).error).toMatchObject({ code: -32602, message: expect.stringContaining('params.uri: expected a string, got number') });
    // A well-formed call still works after them.
    const ok = (await send({ id: 5, method: 'tools/call', params: { name: 'list_sessions', arguments: {} } })) as { result?: CallToolResult };
    expect(ok.result?.isError).toBeFalsy();
  });
});

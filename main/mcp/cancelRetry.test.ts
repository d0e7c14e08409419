import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';

// Agents cancel a command (notifications/cancelled, the SDK's AbortSignal) and send the next one at
// once. The next one used to be refused "busy with another command" while pwsh was still unwinding
// the cancelled one (12 of 12 retries within 200 ms); it must wait for the cancel to finish instead.
// Real pwsh, the SDK's own client.

let dir: string;
let core: Core;
let client: Client;
let dispose: () => Promise<void>;

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-cancel-retry-'));
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 2 }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  const server = createMcpServer({ core, clientId: 'agent', settings: {} });
  dispose = server.dispose;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.server.connect(serverSide);
  client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
});
afterAll(async () => {
  await client?.close();
  await dispose?.();
  await core?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function structured<T>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Starts a long command, aborts the call once it runs, and returns at once (the cancel is still unwinding). */
async function cancelRunning(args: Record<string, unknown>): Promise<void> {
  const abort = new AbortController();
  const call = client.callTool({ name: 'run_command', arguments: { command: 'Start-Sleep -Seconds 60', ...args } }, undefined, { signal: abort.signal });
  call.catch(() => undefined);
  expect(await waitFor(() => core.manager.listSessions('agent').some((s) => s.currentCommand?.startsWith('Start-Sleep') ?? false), 15_000)).toBe(true);
  abort.abort();
}

describe('a command sent right after a protocol cancel', () => {
  it('on a session from start_session waits for the cancel to finish and runs, in every retry', async () => {
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    for (let i = 0; i < 5; i++) {
      await cancelRunning({ sessionId });
      const next = structured<{ output: string; status: string }>(await client.callTool({ name: 'run_command', arguments: { sessionId, command: `"retry ${i}"` } }));
      expect(next).toMatchObject({ status: 'completed' });
      expect(next.output).toContain(`retry ${i}`);
    }
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
  }, 120_000);

  it('on the default session waits too, so the retry keeps the state the agent built (not a borrowed clean session)', async () => {
    structured(await client.callTool({ name: 'run_command', arguments: { command: '$kept = 42' } }));
    await cancelRunning({});
    const next = structured<{ output: string; sessionKind: string; newSession: boolean }>(await client.callTool({ name: 'run_command', arguments: { command: '"kept=$kept"' } }));
    expect(next.output).toContain('kept=42');
    expect(next).toMatchObject({ sessionKind: 'default', newSession: false });
  }, 60_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

// Defect 7 of issue 14: commands refused before they ran were not in the audit log. Real pwsh, a
// real core and audit file, the SDK's own clients: each refusal is a line with its reason, and a
// command that carries the host's token is logged without it.

const TOKEN = 'Zk3yq8N0pQ4rT6vW9xA2bC5dE7fG1hJ3kL5mN7pQ9rS2tU4vW6xY8zA0bC2dE4fG';

let dir: string;
let core: Core;
const clients: Client[] = [];
const disposers: (() => Promise<void>)[] = [];

async function connect(clientId: string): Promise<Client> {
  const server = createMcpServer({ core, clientId, settings: { maxWaitSeconds: 5 } });
  disposers.push(server.dispose);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.server.connect(serverSide);
  const client = new Client({ name: clientId, version: '1.0.0' });
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

function auditLines(): Record<string, unknown>[] {
  const text = readFileSync(path.join(dir, 'data', 'logs', 'audit.jsonl'), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function structured<T>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-audit-refused-'));
  // One slot, no waiting: a second client is refused at once.
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 1, maxWaiting: 0 }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  // As Host.start does.
  core.audit.addSecret(TOKEN);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const d of disposers) await d();
  await core?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('refused commands in the audit log', () => {
  it('an unknown session, bad arguments, a busy session and a full queue each leave a refused line with the reason; a command carrying the token is logged without it', async () => {
    const a = await connect('agent-a');
    const b = await connect('agent-b');

    const unknown = (await a.callTool({ name: 'run_command', arguments: { sessionId: 'no-such-session', command: "$env:GITHUB_TOKEN = 'abc123secretvalue'" } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    const badArgs = (await a.callTool({ name: 'run_command', arguments: { command: 'Get-Date', timeoutSeconds: -1 } })) as CallToolResult;
    expect(badArgs.isError).toBe(true);

    const { sessionId } = structured<{ sessionId: string }>(await a.callTool({ name: 'start_session', arguments: {} }));
    const ran = structured<{ output: string }>(await a.callTool({ name: 'run_command', arguments: { sessionId, command: `'${TOKEN}'.Length` } }));
    expect(ran.output).toBe(String(TOKEN.length));
    const { jobId } = structured<{ jobId: string }>(await a.callTool({ name: 'run_background', arguments: { sessionId, command: 'Start-Sleep -Seconds 30' } }));
    expect(await waitFor(() => core.manager.listSessions('agent-a').some((s) => s.currentCommand !== null), 10_000)).toBe(true);
    const busy = (await a.callTool({ name: 'run_background', arguments: { sessionId, command: 'Get-Date' } })) as CallToolResult;
    expect(busy.isError).toBe(true);
    const full = (await b.callTool({ name: 'run_command', arguments: { command: 'Get-Process' } })) as CallToolResult;
    expect(full.isError).toBe(true);
    structured(await a.callTool({ name: 'cancel_job', arguments: { jobId } }));

    const text = readFileSync(path.join(dir, 'data', 'logs', 'audit.jsonl'), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('abc123secretvalue');
    const refused = auditLines().filter((l) => l.status === 'refused');
    expect(refused).toEqual([
      expect.objectContaining({ client: 'agent-a', tool: 'run_command', session: 'no-such-session', command: "$env:GITHUB_TOKEN = '«redacted:secret-assignment»'", reason: expect.stringMatching(/No session "no-such-session" belongs to this client/) }),
      expect.objectContaining({ client: 'agent-a', tool: 'run_command', session: null, command: 'Get-Date', reason: expect.stringMatching(/Invalid arguments for run_command: timeoutSeconds/) }),
      expect.objectContaining({ client: 'agent-a', tool: 'run_background', session: sessionId, command: 'Get-Date', reason: expect.stringMatching(/busy/) }),
      expect.objectContaining({ client: 'agent-b', clientName: 'agent-b', tool: 'run_command', session: null, command: 'Get-Process', reason: expect.stringMatching(/No session to run on/) }),
    ]);
    const tokenRun = auditLines().find((l) => l.status === 'completed' && typeof l.command === 'string' && l.command.endsWith('.Length'));
    expect(tokenRun).toMatchObject({ command: "'«redacted:poshpool-token»'.Length", redacted: ['poshpool-token'] });
  });
});

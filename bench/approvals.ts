import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defaultConfig } from '../main/core/config/schema.js';
import { createCore, type Core } from '../main/core/createCore.js';
import { createMcpServer } from '../main/mcp/createMcpServer.js';

/** What approval rules cost a command that no rule names: the session's summary of it before it runs. */
export interface ApprovalOverhead {
  /** run_command round trips (ms) on a host without rules. */
  withoutRules: number[];
  /** The same on a host with rules (none matching), measured interleaved with the other. */
  withRules: number[];
}

/** The rules a careful user might set (README examples); none matches the measured command. */
const RULES = [
  { command: 'Remove-Item', parameters: ['Recurse'] },
  { command: 'git', arguments: ['push'], parameters: ['--force|-f'] },
  { command: 'Invoke-Expression' },
  { commandType: 'native' as const, outsideWorkspace: true },
];

/** A typical agent command: a few cmdlets in a pipeline. */
const COMMAND = "Get-ChildItem -Force | Where-Object { $_.Length -gt 0 } | Select-Object -First 3 | Out-Null; 'ok'";

async function host(work: string, name: string, rules: boolean): Promise<{ core: Core; call(): Promise<number>; dispose(): Promise<void> }> {
  const made = createCore({
    config: defaultConfig({ warmSessions: 1, maxSessions: 1, approvals: { rules: rules ? RULES : [] } }),
    dataDir: path.join(work, name),
    cwd: work,
  });
  if (!made.ok) throw new Error(made.reason);
  const core = made.core;
  const server = createMcpServer({ core, clientId: name, settings: {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.server.connect(serverSide);
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(clientSide);
  const started = (await client.callTool({ name: 'start_session', arguments: {} })) as CallToolResult;
  const sessionId = (started.structuredContent as { sessionId?: string }).sessionId;
  if (!sessionId) throw new Error(`start_session failed: ${JSON.stringify(started.content)}`);
  return {
    core,
    async call() {
      const t0 = performance.now();
      const r = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: COMMAND } })) as CallToolResult;
      const ms = performance.now() - t0;
      if (r.isError || (r.structuredContent as { output?: string }).output !== 'ok') throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
      return ms;
    },
    async dispose() {
      await client.close();
      await server.dispose();
      await core.dispose();
    },
  };
}

/** Round trips of one command through a real MCP client on two hosts, one with rules, alternating call by call. */
export async function measureApprovalOverhead(warmup: number, runs: number): Promise<ApprovalOverhead> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-approvals-'));
  const plain = await host(work, 'plain', false);
  const ruled = await host(work, 'ruled', true);
  try {
    for (let i = 0; i < warmup; i++) {
      await plain.call();
      await ruled.call();
    }
    const out: ApprovalOverhead = { withoutRules: [], withRules: [] };
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always follows the other's work.
      if (i % 2 === 0) {
        out.withoutRules.push(await plain.call());
        out.withRules.push(await ruled.call());
      } else {
        out.withRules.push(await ruled.call());
        out.withoutRules.push(await plain.call());
      }
    }
    return out;
  } finally {
    await plain.dispose();
    await ruled.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defaultConfig } from '../main/core/config/schema.js';
import { Host } from '../main/host/Host.js';

/** Round trips of `run_command '1'` on one warm session through a real MCP client, timed around callTool. */
async function roundTrips(transport: Transport, warmup: number, runs: number): Promise<number[]> {
  const client = new Client({ name: 'poshpool-bench', version: '1.0.0' });
  await client.connect(transport);
  try {
    const started = (await client.callTool({ name: 'start_session', arguments: {} })) as CallToolResult;
    const sessionId = (started.structuredContent as { sessionId?: string }).sessionId;
    if (!sessionId) throw new Error(`start_session failed: ${JSON.stringify(started.content)}`);
    const once = async (): Promise<number> => {
      const t0 = performance.now();
      const r = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } })) as CallToolResult;
      const ms = performance.now() - t0;
      if (r.isError || (r.structuredContent as { output?: string }).output !== '1') throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
      return ms;
    };
    for (let i = 0; i < warmup; i++) await once();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) out.push(await once());
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    return out;
  } finally {
    await client.close();
  }
}

/** The trivial run_command round trip over Streamable HTTP and over the stdio bridge, against one host. */
export async function measureMcpRoundTrips(warmup: number, runs: number): Promise<{ http: number[]; bridge: number[] }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-mcp-'));
  const dataDir = path.join(work, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 2, maxSessions: 4 }), dataDir, port: 0, cwd: work, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  const host = started.host;
  try {
    const token = readFileSync(host.info.tokenFile, 'utf8').trim();
    const http = await roundTrips(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }), warmup, runs);
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/poshpool.js');
    const bridge = await roundTrips(new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], stderr: 'ignore' }), warmup, runs);
    return { http, bridge };
  } finally {
    await host.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
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

/**
 * The same round trips with a lean client: JSON-RPC over one keep-alive node:http connection, no SDK
 * client (whose fetch, stream parsing and output-schema validation cost more than the host's part).
 * What is timed is the host's share of MCP over HTTP plus the wire.
 */
async function leanHttpRoundTrips(mcpUrl: string, token: string, warmup: number, runs: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(mcpUrl);
  let sessionHeader: string | undefined;
  let nextId = 1;
  const call = (method: string, params?: unknown, notification = false): Promise<{ result?: { structuredContent?: Record<string, unknown> } }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(notification ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id: nextId++, method, params });
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
        'mcp-protocol-version': '2025-06-18',
        'content-length': Buffer.byteLength(body),
      };
      if (sessionHeader) headers['mcp-session-id'] = sessionHeader;
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
        const sid = res.headers['mcp-session-id'];
        if (typeof sid === 'string') sessionHeader = sid;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (notification) return resolve({});
          const json = text.startsWith('{') ? text : (text.split('\n').find((l) => l.startsWith('data: ')) ?? '').slice(6);
          try {
            resolve(JSON.parse(json) as { result?: { structuredContent?: Record<string, unknown> } });
          } catch {
            reject(new Error(`Not a JSON-RPC answer (HTTP ${res.statusCode}): ${text.slice(0, 200)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'poshpool-bench-lean', version: '1.0.0' } });
    await call('notifications/initialized', undefined, true);
    const started = await call('tools/call', { name: 'start_session', arguments: {} });
    const sessionId = started.result?.structuredContent?.sessionId;
    if (typeof sessionId !== 'string') throw new Error(`start_session failed: ${JSON.stringify(started)}`);
    const once = async (): Promise<number> => {
      const t0 = performance.now();
      const r = await call('tools/call', { name: 'run_command', arguments: { sessionId, command: '1' } });
      const ms = performance.now() - t0;
      if (r.result?.structuredContent?.output !== '1') throw new Error(`run_command failed: ${JSON.stringify(r)}`);
      return ms;
    };
    for (let i = 0; i < warmup; i++) await once();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) out.push(await once());
    await call('tools/call', { name: 'end_session', arguments: { sessionId } });
    return out;
  } finally {
    agent.destroy();
  }
}

/** The trivial run_command round trip over Streamable HTTP (SDK client and lean client) and over the stdio bridge, against one host. */
export async function measureMcpRoundTrips(warmup: number, runs: number): Promise<{ http: number[]; httpLean: number[]; bridge: number[] }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'poshpool-bench-mcp-'));
  const dataDir = path.join(work, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 2, maxSessions: 4 }), dataDir, port: 0, cwd: work, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  const host = started.host;
  try {
    const token = readFileSync(host.info.tokenFile, 'utf8').trim();
    const http = await roundTrips(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }), warmup, runs);
    const httpLean = await leanHttpRoundTrips(host.info.mcpUrl, token, warmup, runs);
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/poshpool.js');
    const bridge = await roundTrips(new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], stderr: 'ignore' }), warmup, runs);
    return { http, httpLean, bridge };
  } finally {
    await host.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

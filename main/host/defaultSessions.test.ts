import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';

// The common path of an agent, end to end: run_command without a sessionId from real SDK clients,
// one over Streamable HTTP and one through the real `poshpool bridge` process, real pwsh behind.
// Each client's state persists between its own calls and never reaches the other, also when the
// other is then served by the very pwsh process the first one used (reset between the two).

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
let dir: string;
let host: Host;
let http: Client;
let httpTransport: StreamableHTTPClientTransport;
let bridge: Client;

interface RunResult {
  output: string;
  sessionId: string;
  sessionKind: string;
  newSession: boolean;
}

async function run(client: Client, command: string, extra: Record<string, unknown> = {}): Promise<RunResult> {
  const r = (await client.callTool({ name: 'run_command', arguments: { command, ...extra } })) as CallToolResult;
  if (r.isError) throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as unknown as RunResult;
}

/** What of the HTTP client's state a session shows. */
const PROBE = [
  '"variable=" + [bool](Get-Variable leftByHttp -ErrorAction Ignore)',
  '"function=" + [bool](Get-Command Get-LeftByHttp -ErrorAction Ignore)',
  '"env=" + [bool]$env:POSHPOOL_LEFT_BY_HTTP',
  '"module=" + [bool](Get-Module PpHttpMod)',
  '"jobs=" + @(Get-Job).Count',
  '"cwd=" + (Split-Path -Leaf (Get-Location))',
  '"history=" + @(Get-History).Count',
].join('\n');

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-default-'));
  const dataDir = path.join(dir, 'data');
  // No warm spare: a session one client returns is the only one the next can be served from.
  const started = await Host.start({ config: defaultConfig({ warmSessions: 0, maxSessions: 2 }), dataDir, port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  const token = readFileSync(host.info.tokenFile, 'utf8').trim();
  http = new Client({ name: 'http-agent', version: '1.0.0' });
  httpTransport = new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await http.connect(httpTransport);
  bridge = new Client({ name: 'bridge-agent', version: '1.0.0' });
  // Started in the project, as a client starts its stdio server: its sessions begin there.
  await bridge.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], cwd: dir, stderr: 'ignore' }));
}, 120_000);
afterAll(async () => {
  await bridge?.close();
  await http?.close();
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('run_command without a sessionId, over HTTP and the bridge', () => {
  let httpPid = '';

  it("keeps each client's state between its calls, in its own default session", async () => {
    const sub = path.join(dir, 'http-cwd');
    mkdirSync(sub, { recursive: true });
    const mod = path.join(dir, 'PpHttpMod.psm1');
    writeFileSync(mod, 'function Get-PpHttpMod { 1 }\n');
    const first = await run(
      http,
      [
        "$leftByHttp = 'http'",
        "function global:Get-LeftByHttp { 'http' }",
        "$env:POSHPOOL_LEFT_BY_HTTP = 'http'",
        `Import-Module '${mod}'`,
        '$null = Start-Job { Start-Sleep 300 }',
        `Set-Location '${sub}'`,
        '$PID',
      ].join('\n'),
    );
    expect(first).toMatchObject({ sessionKind: 'default', newSession: true });
    httpPid = first.output.trim();
    const again = await run(http, PROBE);
    expect(again).toMatchObject({ sessionKind: 'default', newSession: false, sessionId: first.sessionId });
    expect(again.output.split(/\r?\n/)).toEqual(['variable=True', 'function=True', 'env=True', 'module=True', 'jobs=1', 'cwd=http-cwd', 'history=1']);
  }, 120_000);

  it('the other client, through the bridge, sees none of it', async () => {
    const seen = await run(bridge, PROBE);
    expect(seen.sessionKind).toBe('default');
    expect(seen.output.split(/\r?\n/)).toEqual(['variable=False', 'function=False', 'env=False', 'module=False', 'jobs=0', `cwd=${path.basename(dir)}`, 'history=0']);
  }, 120_000);

  it('when the first client leaves, its session is reset and serves the other client with none of its state', async () => {
    await httpTransport.terminateSession();
    await http.close();
    // fresh: a one-call session, which can only come from the session the HTTP client returned.
    let served: RunResult | undefined;
    for (let i = 0; i < 50; i++) {
      served = await run(bridge, `$PID\n${PROBE}`, { fresh: true });
      if (served.output.split(/\r?\n/)[0] === httpPid) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines = served!.output.split(/\r?\n/);
    expect(lines[0]).toBe(httpPid);
    expect(served!.sessionKind).toBe('call');
    expect(lines.slice(1)).toEqual(['variable=False', 'function=False', 'env=False', 'module=False', 'jobs=0', `cwd=${path.basename(dir)}`, 'history=0']);
  }, 120_000);
});

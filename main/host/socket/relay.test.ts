import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { processExists, requirePwsh, sleep } from '../../../test/pwsh.js';
import { defaultConfig } from '../../core/config/schema.js';
import { Host } from '../Host.js';
import { readHostInfo, writeHostInfo, type HostInfo } from '../hostInfo.js';
import { relayCommand, relayCommandText, type RelaySpec } from './relayCommand.js';
import { SocketServer } from './SocketServer.js';

// relay.ps1 for real: the exact -Command line a client config holds, run by pwsh, against a real
// host's socket. On Linux and macOS, .NET's NamedPipeClientStream takes a rooted pipe name as the
// Unix socket path itself (dotnet/runtime src/libraries/System.IO.Pipes/src/System/IO/Pipes/
// PipeStream.Unix.cs, GetPipePath: "Caller is in full control of file location"), so the script the
// Windows configs run reaches the host's Unix socket here; on Windows it reaches the named pipe.

const script = path.resolve(import.meta.dirname, 'relay.ps1');
const bin = path.resolve(import.meta.dirname, '../../../bin/poshpool.js');
/** Bound on waiting for a process to go (a poll, not a timed assertion). */
const GONE_POLLS = 200;

let pwsh: string;
let dir: string;
let dataDir: string;
let host: Host;
/** Data dirs of hosts a relay started (stopped at the end even when a test did not get that far). */
const startedHosts: string[] = [];

async function stopStartedHost(d: string): Promise<void> {
  const started = readHostInfo(d);
  if (!started.ok) return;
  process.kill(started.info.pid, 'SIGTERM');
  await waitGone(started.info.pid);
}

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Runs the relay with no client on its stdin: its exit code, stdout and stderr. */
function runRelay(spec: RelaySpec, extra = ''): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const { args } = relayCommand(spec, pwsh);
  args[args.length - 1] = `${relayCommandText(spec)}${extra}`;
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** An MCP client whose transport is pwsh running the relay. */
async function relayClient(spec: RelaySpec, extra = '', cwd?: string): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const { args } = relayCommand(spec, pwsh);
  args[args.length - 1] = `${relayCommandText(spec)}${extra}`;
  const transport = new StdioClientTransport({ command: pwsh, args, stderr: 'pipe', ...(cwd === undefined ? {} : { cwd }) });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const client = new Client({ name: 'relay-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < GONE_POLLS && processExists(pid); i++) await sleep(50);
}

/** A data dir whose host.json names `info` (another host's socket, another token file...). */
function fakeDataDir(name: string, info: HostInfo): string {
  const d = path.join(dir, name);
  writeHostInfo(d, info);
  return d;
}

beforeAll(async () => {
  pwsh = requirePwsh().path;
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-relay-'));
  dataDir = path.join(dir, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 1, maxSessions: 2 }), dataDir, port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
});
afterAll(async () => {
  for (const d of startedHosts) await stopStartedHost(d);
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('relay.ps1 against a running host', () => {
  it('relays an MCP client: lists the tools and runs a command (UTF-8 intact both ways)', async () => {
    const { client, transport, stderr } = await relayClient({ script, dataDir });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('run_command');
    const r = structured<{ output: string; exitCode: number }>(await client.callTool({ name: 'run_command', arguments: { command: "'über relay ✓'" } }));
    expect(r.output).toBe('über relay ✓');
    const pid = transport.pid!;
    await client.close();
    await waitGone(pid);
    expect(processExists(pid)).toBe(false);
    expect(stderr()).toBe('');
  });

  it('passes its working directory (where the client launched it) to the host: sessions of a client without roots begin there', async () => {
    const proj = path.join(dir, "relay proj 'x'");
    mkdirSync(proj);
    const { client } = await relayClient({ script, dataDir }, '', proj);
    const started = structured<{ sessionId: string; cwd: string; cwdSource: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    expect(started).toMatchObject({ cwdSource: 'bridge', cwd: proj });
    const r = structured<{ output: string }>(await client.callTool({ name: 'run_command', arguments: { command: '(Get-Location).Path', sessionId: started.sessionId } }));
    expect(r.output).toBe(proj);
    await client.close();
  });

  it("runs from paths with spaces and quotes (the -Command text's PowerShell quoting)", async () => {
    const odd = path.join(dir, "Jane O'Neil ‘dir’");
    mkdirSync(odd);
    const copy = path.join(odd, 'relay.ps1');
    writeFileSync(copy, readFileSync(script));
    const oddData = fakeDataDir("O'Neil data", host.info);
    const { client } = await relayClient({ script: copy, dataDir: oddData });
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('is refused with the host\'s reason on stderr, exit 1, nothing on stdout, when the token is wrong', async () => {
    const wrongToken = path.join(dir, 'wrong-token');
    writeFileSync(wrongToken, 'f'.repeat(64), { mode: 0o600 });
    const other = fakeDataDir('wrong', { ...host.info, tokenFile: wrongToken });
    const { code, stdout, stderr } = await runRelay({ script, dataDir: other });
    expect(code).toBe(1);
    expect(stderr).toBe(`poshpool relay: the host refused the connection: wrong token: read it from the host's token file (host at ${host.info.socketPath})\n`);
    expect(stderr).not.toContain(readFileSync(host.info.tokenFile, 'utf8').trim());
    expect(stdout.length).toBe(0);
  });
});

describe('relay.ps1 with no host', () => {
  it('says so and exits 1 at once when it may not start one', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const { code, stdout, stderr } = await runRelay({ script, dataDir: empty });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `poshpool relay: no poshpool host is running (no live host in ${path.join(empty, 'host.json')}): start the poshpool app, or pass -AppPath so this relay starts it.\n`,
    );
    expect(stdout.length).toBe(0);
  });

  it('counts a host.json whose host is alive but listens nowhere (a reused pid) as no host', async () => {
    const nowhere = fakeDataDir('nowhere', { ...host.info, pid: process.pid, socketPath: path.join(dir, 'nowhere', 'no.sock') });
    const { code, stderr } = await runRelay({ script, dataDir: nowhere }, ' -ConnectTimeoutMilliseconds 500');
    expect(code).toBe(1);
    expect(stderr).toContain('no poshpool host is running');
  });

  it('counts a host.json whose host is gone as no host', async () => {
    const stale = fakeDataDir('stale', { ...host.info, pid: 2 ** 22 + 12345 });
    const { code, stderr } = await runRelay({ script, dataDir: stale });
    expect(code).toBe(1);
    expect(stderr).toContain('no poshpool host is running');
  });

  it('starts the app, and gives up with a clear message when no host comes within the bound', async () => {
    const never = path.join(dir, 'never');
    mkdirSync(never);
    const { code, stdout, stderr } = await runRelay({ script, dataDir: never, app: [process.execPath, '-e', ''] }, ' -StartTimeoutSeconds 2');
    expect(code).toBe(1);
    expect(stderr).toBe(
      `poshpool relay: started ${process.execPath}, but no poshpool host came up within 2 s (no live host in ${path.join(never, 'host.json')}): open poshpool from the Start menu and see its log in ${path.join(never, 'logs')}.\n`,
    );
    expect(stdout.length).toBe(0);
  });

  it('refuses an app path that does not exist (exit 2)', async () => {
    const { code, stderr } = await runRelay({ script, dataDir, app: [path.join(dir, 'no such app.exe')] });
    expect(code).toBe(2);
    expect(stderr).toContain('does not exist');
  });

  it('starts the app when no host runs and relays to the host it brings up', async () => {
    const lonely = path.join(dir, 'lonely dir');
    mkdirSync(lonely);
    const configFile = path.join(lonely, 'config.json');
    writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 1 }));
    // Stands in for the tray app: starts a host of its own, detached, and returns at once.
    const fakeApp = path.join(lonely, 'fake app.mjs');
    writeFileSync(
      fakeApp,
      `import { spawn, spawnSync } from 'node:child_process';\n` +
        `spawn(process.execPath, [${JSON.stringify(bin)}, 'serve', '--data-dir', process.argv[2], '--config', process.argv[3]], { detached: true, stdio: 'ignore' }).unref();\n`,
    );
    // The relay gives up (and says why) well before the test's own timeout.
    const connecting = relayClient({ script, dataDir: lonely, app: [process.execPath, fakeApp, lonely, configFile] }, ' -StartTimeoutSeconds 40');
    startedHosts.push(lonely);
    const { client, transport } = await connecting;
    try {
      const r = structured<{ output: string }>(await client.callTool({ name: 'run_command', arguments: { command: "'started by the relay'" } }));
      expect(r.output).toBe('started by the relay');
      const started = readHostInfo(lonely);
      expect(started.ok).toBe(true);
      const pid = transport.pid!;
      await client.close();
      await waitGone(pid);
      expect(processExists(pid)).toBe(false);
    } finally {
      await stopStartedHost(lonely);
    }
  });
});

describe('relay.ps1 byte for byte', () => {
  const TOKEN = randomBytes(32).toString('hex');
  let echoDir: string;
  let echoHost: SocketServer;
  let sock: string;

  beforeAll(async () => {
    echoDir = path.join(dir, 'echo');
    sock = process.platform === 'win32' ? `\\\\.\\pipe\\poshpool-test-${randomBytes(16).toString('hex')}` : path.join(echoDir, 'sock', 'host.sock');
    const tokenFile = path.join(echoDir, 'token');
    mkdirSync(echoDir, { recursive: true });
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const listening = await SocketServer.listen({
      path: sock,
      token: TOKEN,
      log: () => undefined,
      onConnection: (t) => {
        const server = new McpServer({ name: 'relay-echo', version: '1.0.0' });
        server.registerTool('echo', { description: 'Echoes its text.', inputSchema: { text: z.string().describe('what to echo') } }, ({ text }) => ({
          content: [{ type: 'text', text }],
        }));
        void server.connect(t);
      },
    });
    if (!listening.ok) throw new Error(listening.reason);
    echoHost = listening.server;
    writeHostInfo(echoDir, { ...host.info, pid: process.pid, socketPath: sock, tokenFile });
  });
  afterAll(async () => {
    await echoHost?.dispose();
  });

  it('passes 1 MB messages intact both ways (multi-byte characters across every chunk boundary)', async () => {
    const { client, transport } = await relayClient({ script, dataDir: echoDir });
    const text = 'ü✓€x'.repeat(2 ** 20 / 8);
    expect(Buffer.byteLength(JSON.stringify(text))).toBeGreaterThan(2 ** 20);
    const result = (await client.callTool({ name: 'echo', arguments: { text } })) as CallToolResult;
    expect(result.content).toEqual([{ type: 'text', text }]);
    const pid = transport.pid!;
    await client.close();
    await waitGone(pid);
    expect(processExists(pid)).toBe(false);
    for (let i = 0; i < GONE_POLLS && echoHost.connectionCount > 0; i++) await sleep(50);
    expect(echoHost.connectionCount).toBe(0);
  });

  it('ends with exit 1 and says why when the host goes away mid-session', async () => {
    const { client, transport, stderr } = await relayClient({ script, dataDir: echoDir });
    const closed = new Promise<void>((resolve) => (client.onclose = resolve));
    const pid = transport.pid!;
    await echoHost.dispose();
    await closed;
    // The host's end may arrive as a close or as a reset (the kernel's choice when it closes with data unread).
    expect(stderr()).toMatch(new RegExp(`^poshpool relay: the poshpool host at ${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} closed the connection( \\([^)]*\\))? \\(it stopped or restarted\\); reconnect your MCP client\\.\n$`));
    await waitGone(pid);
    expect(processExists(pid)).toBe(false);
  });
});

describe('relay.ps1 source', () => {
  const text = readFileSync(script, 'utf8');

  it('is ASCII with no BOM (Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page)', () => {
    expect(/^[\t\r\n\x20-\x7e]*$/.test(text)).toBe(true);
  });

  it('uses no PowerShell-7-only syntax, nor does the -Command line that loads it (scripts/ps51-syntax.ps1)', () => {
    const bootstrap = path.join(dir, 'bootstrap.ps1');
    writeFileSync(bootstrap, relayCommandText({ script: "C:\\Users\\O'Brien\\relay.ps1", dataDir: 'C:\\d', app: ['C:\\p\\poshpool.exe', 'a b'] }));
    const r = spawnSync(pwsh, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', path.resolve(import.meta.dirname, '../../../scripts/ps51-syntax.ps1'), script, bootstrap], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('never uses $input: a console host that sees it reads stdin itself and steals the client\'s bytes', () => {
    expect(text).not.toMatch(/\$input\b/i);
  });
});

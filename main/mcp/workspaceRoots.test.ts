import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListRootsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { platformFor } from '../core/platform/Platform.js';
import { Host } from '../host/Host.js';
import { ClientWorkspace } from './workspaceRoots.js';

// Sessions begin in the agent's workspace: real SDK clients that do and do not declare roots, over
// Streamable HTTP and through the real `poshpool bridge` process (started in a project dir, as a
// client launches it), against a real host and real pwsh: (Get-Location).Path shows where.

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');
let dir: string;
let dataDir: string;
let hostDir: string;
let host: Host;
let token: string;
const clients: Client[] = [];

interface Started {
  status: string;
  sessionId: string;
  cwd?: string;
  cwdSource?: string;
  note?: string;
}

function project(name: string): string {
  const p = path.join(dir, name);
  mkdirSync(p, { recursive: true });
  return p;
}

/** A client that declares roots (and answers roots/list with `roots()`), or none. */
function newClient(name: string, roots?: () => string[]): Client {
  const client = new Client({ name, version: '1.0.0' }, roots ? { capabilities: { roots: { listChanged: true } } } : {});
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots().map((uri, i) => ({ uri, name: `root ${i}` })) }));
  clients.push(client);
  return client;
}

async function overHttp(name: string, roots?: () => string[]): Promise<Client> {
  const client = newClient(name, roots);
  await client.connect(new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

async function overBridge(name: string, cwd: string, roots?: () => string[]): Promise<Client> {
  const client = newClient(name, roots);
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], cwd, stderr: 'ignore' }));
  return client;
}

async function startSession(client: Client, args: Record<string, unknown> = {}): Promise<Started> {
  const r = (await client.callTool({ name: 'start_session', arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`start_session failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as unknown as Started;
}

/** Where the session really is, as pwsh says, and the session is ended after. */
async function locationOf(client: Client, sessionId: string): Promise<string> {
  const r = (await client.callTool({ name: 'run_command', arguments: { command: '(Get-Location).Path', sessionId } })) as CallToolResult;
  if (r.isError) throw new Error(`run_command failed: ${JSON.stringify(r.content)}`);
  await client.callTool({ name: 'end_session', arguments: { sessionId } });
  return (r.structuredContent as { output: string }).output.trim();
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-roots-'));
  dataDir = path.join(dir, 'data');
  hostDir = project('host-start');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 1, maxSessions: 3 }), dataDir, port: 0, cwd: hostDir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
}, 120_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('roots: file URIs to paths (platform seam)', () => {
  it("Windows: VS Code's percent-encoded drive colon, a plain drive and a UNC share are paths; other schemes are not", () => {
    const win = platformFor('win32');
    expect(win.fileUriToPath('file:///c%3A/Users/Me/proj')).toBe('c:\\Users\\Me\\proj');
    expect(win.fileUriToPath('file:///C:/Users/Me/My%20Proj')).toBe('C:\\Users\\Me\\My Proj');
    expect(win.fileUriToPath('file://server/share/proj')).toBe('\\\\server\\share\\proj');
    expect(win.fileUriToPath('https://example.com/proj')).toBeUndefined();
  });

  it('Linux and macOS: a local file URI is its path; a remote host is none', () => {
    for (const os of ['linux', 'darwin'] as const) {
      const p = platformFor(os);
      expect(p.fileUriToPath('file:///home/me/my%20proj')).toBe('/home/me/my proj');
      expect(p.fileUriToPath('file://server/share/proj')).toBeUndefined();
      expect(p.fileUriToPath('vscode-remote://ssh/home/me')).toBeUndefined();
    }
  });
});

describe('the workspace known without asking the client (for approval rules)', () => {
  it("is the bridge's directory before any session, then where the last session began; a roots change forgets it", async () => {
    const root = project('known-root');
    const bridgeDir = project('known-bridge');
    let onRootsChanged: () => void = () => undefined;
    // A stand-in for the SDK Server: a client that declares roots; the roots come from the call's own exchange.
    const server = {
      getClientCapabilities: () => ({ roots: { listChanged: true } }),
      setNotificationHandler: (_schema: unknown, handler: () => void) => void (onRootsChanged = handler),
    } as unknown as Server;
    const workspace = new ClientWorkspace({ server, platform: platformFor('linux'), bridgeCwd: () => bridgeDir });
    const extra = { sendRequest: async () => ({ roots: [{ uri: pathToFileURL(root).href }] }) } as unknown as Parameters<ClientWorkspace['startDir']>[1];
    expect(workspace.known()).toBe(bridgeDir);
    expect(await workspace.startDir(undefined, extra)).toEqual({ ok: true, dir: { path: root, source: 'root' } });
    expect(workspace.known()).toBe(root);
    onRootsChanged();
    expect(workspace.known()).toBe(bridgeDir);
    const relative = new ClientWorkspace({ server, platform: platformFor('linux'), bridgeCwd: () => 'relative/dir' });
    expect(relative.known()).toBeNull();
  });
});

describe('where sessions begin (real host, real pwsh)', () => {
  it('HTTP client with roots: its first root; after roots/list_changed new sessions begin in the new first root', async () => {
    const first = project('root-a');
    const second = project('root-b');
    let roots = [pathToFileURL(first).href, pathToFileURL(second).href];
    const client = await overHttp('roots-http', () => roots);
    const a = await startSession(client);
    expect(a).toMatchObject({ status: 'allocated', cwdSource: 'root', cwd: first });
    roots = [pathToFileURL(second).href];
    await client.sendRootsListChanged();
    const b = await startSession(client);
    expect(b).toMatchObject({ cwdSource: 'root', cwd: second });
    // The session started before the change stays where it began.
    expect(await locationOf(client, a.sessionId)).toBe(first);
    expect(await locationOf(client, b.sessionId)).toBe(second);
  });

  it('HTTP client without roots: where the host starts sessions, and the result says so', async () => {
    const client = await overHttp('plain-http');
    const s = await startSession(client);
    expect(s).toMatchObject({ cwdSource: 'host', cwd: hostDir });
    expect(s.note).toBeUndefined();
    expect(await locationOf(client, s.sessionId)).toBe(hostDir);
  });

  it('bridge client without roots: the directory the client started poshpool bridge in', async () => {
    const proj = project('bridge-proj');
    const client = await overBridge('plain-bridge', proj);
    const s = await startSession(client);
    expect(s).toMatchObject({ cwdSource: 'bridge', cwd: proj });
    expect(await locationOf(client, s.sessionId)).toBe(proj);
  });

  it("bridge client with roots: the root wins over the bridge's directory; a root that is no directory here is passed over with a note", async () => {
    const proj = project('bridge-proj-2');
    const root = project('bridge-root');
    let roots = [pathToFileURL(root).href];
    const client = await overBridge('roots-bridge', proj, () => roots);
    const s = await startSession(client);
    expect(s).toMatchObject({ cwdSource: 'root', cwd: root });
    expect(await locationOf(client, s.sessionId)).toBe(root);
    roots = [pathToFileURL(path.join(dir, 'no-such-dir')).href];
    await client.sendRootsListChanged();
    const fallback = await startSession(client);
    expect(fallback).toMatchObject({ cwdSource: 'bridge', cwd: proj });
    expect(fallback.note).toContain('no-such-dir');
    await client.callTool({ name: 'end_session', arguments: { sessionId: fallback.sessionId } });
  });

  it('an explicit cwd wins (absolute, or relative to the workspace); one that does not exist is refused with what to do', async () => {
    const root = project('arg-root');
    const sub = project('arg-root/src');
    const elsewhere = project('elsewhere');
    const client = await overHttp('arg-http', () => [pathToFileURL(root).href]);
    const absolute = await startSession(client, { cwd: elsewhere });
    expect(absolute).toMatchObject({ cwdSource: 'argument', cwd: elsewhere });
    expect(await locationOf(client, absolute.sessionId)).toBe(elsewhere);
    const relative = await startSession(client, { cwd: 'src' });
    expect(relative).toMatchObject({ cwdSource: 'argument', cwd: sub });
    expect(await locationOf(client, relative.sessionId)).toBe(sub);
    const bad = (await client.callTool({ name: 'start_session', arguments: { cwd: 'missing' } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toBe(
      `cwd "missing" is not an existing directory (${path.join(root, 'missing')}): give one that exists (relative paths are taken from your workspace ${root}), or leave cwd out.`,
    );
  });

  it('a queued start_session: queue_position says preparing until the session is in the root, then where it began', async () => {
    const root = project('queued-root');
    const client = await overHttp('queued-http', () => [pathToFileURL(root).href]);
    const held = [await startSession(client), await startSession(client), await startSession(client)];
    const queued = await startSession(client, { priority: 'async' });
    expect(queued.status).toBe('queued');
    await client.callTool({ name: 'end_session', arguments: { sessionId: held[0]!.sessionId } });
    let pos: Record<string, unknown> = {};
    for (let i = 0; i < 200 && pos.status !== 'allocated'; i++) {
      const r = (await client.callTool({ name: 'queue_position', arguments: { requestId: (queued as unknown as { requestId: string }).requestId } })) as CallToolResult;
      pos = r.structuredContent as Record<string, unknown>;
      if (pos.status !== 'allocated') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pos).toMatchObject({ status: 'allocated', cwdSource: 'root', cwd: root });
    expect(await locationOf(client, pos.sessionId as string)).toBe(root);
    for (const s of held.slice(1)) await client.callTool({ name: 'end_session', arguments: { sessionId: s.sessionId } });
  });

  it('a path with quotes and spaces arrives intact (the Set-Location is a literal)', async () => {
    const odd = project("it's a [dir] $HOME");
    const client = await overHttp('odd-http', () => [pathToFileURL(odd).href]);
    const s = await startSession(client);
    expect(s).toMatchObject({ cwdSource: 'root', cwd: odd });
    expect(await locationOf(client, s.sessionId)).toBe(odd);
  });

  it("run_command's default session begins in the first root; cwd moves it and it stays there; a one-call session begins in the root too", async () => {
    const root = project('rc-root');
    const sub = project('rc-root/sub');
    const client = await overHttp('rc-http', () => [pathToFileURL(root).href]);
    const run = async (args: Record<string, unknown>): Promise<Record<string, unknown>> =>
      (await client.callTool({ name: 'run_command', arguments: { command: '(Get-Location).Path', ...args } })).structuredContent as Record<string, unknown>;
    expect(await run({})).toMatchObject({ output: root, cwdSource: 'root', newSession: true });
    expect(await run({ cwd: 'sub' })).toMatchObject({ output: sub, cwdSource: 'argument' });
    // Kept, like cd in a terminal; a reused session says nothing of where it began.
    const again = await run({});
    expect(again.output).toBe(sub);
    expect(again.cwdSource).toBeUndefined();
    expect(await run({ fresh: true })).toMatchObject({ output: root, cwdSource: 'root', sessionKind: 'call' });
  });

  it('run_command over the bridge without roots: the default session begins in the bridge directory', async () => {
    const where = project('rc-bridge');
    const client = await overBridge('rc-bridge', where);
    const r = (await client.callTool({ name: 'run_command', arguments: { command: '(Get-Location).Path' } })).structuredContent as Record<string, unknown>;
    expect(r).toMatchObject({ output: where, cwdSource: 'bridge' });
  });
});

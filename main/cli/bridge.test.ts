import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { onPosix } from '../../test/platformGates.js';
import { SocketServer } from '../host/socket/SocketServer.js';
import { connectToHost, readTokenFile, runBridge } from './bridge.js';

const TOKEN = randomBytes(32).toString('hex');

/** The client's end of the bridge's stdio: JSON lines written to the bridge's stdin, read from its stdout. */
class StreamClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let m = this.buffer.readMessage(); m !== null; m = this.buffer.readMessage()) this.onmessage?.(m);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.output.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.output.end();
    this.onclose?.();
  }
}

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bridge-test-host', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes its text.', inputSchema: { text: z.string().describe('what to echo') } }, ({ text }) => ({
    content: [{ type: 'text', text: `echo: ${text}` }],
  }));
  server.registerTool('slow', { description: 'Answers after a while.', inputSchema: { ms: z.number().describe('how long') } }, async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return { content: [{ type: 'text', text: `slept ${ms}` }] };
  });
  server.registerTool('never', { description: 'Never answers.', inputSchema: {} }, () => new Promise<never>(() => undefined));
  return server;
}

const initializeLine = `${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } })}\n`;

describe('poshpool bridge', () => {
  let root: string;
  let sockPath: string;
  let tokenFile: string;
  let host: SocketServer | undefined;

  async function startHost(): Promise<SocketServer> {
    const result = await SocketServer.listen({ path: sockPath, token: TOKEN, log: () => {}, onConnection: (t) => void echoServer().connect(t) });
    if (!result.ok) throw new Error(result.reason);
    host = result.server;
    return host;
  }

  function pipes(): { stdin: PassThrough; stdout: PassThrough; stderr: { write(t: string): void }; err: () => string; out: () => string } {
    let err = '';
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    return { stdin: new PassThrough(), stdout, stderr: { write: (t: string) => void (err += t) }, err: () => err, out: () => out };
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(tmpdir(), 'pp-br-'));
    sockPath =
      process.platform === 'win32' ? `\\\\.\\pipe\\poshpool-test-${randomBytes(16).toString('hex')}` : path.join(root, `poshpool-${process.getuid?.()}`, 'host.sock');
    tokenFile = path.join(root, 'token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    host = undefined;
  });
  afterEach(async () => {
    await host?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('relays an MCP session between stdio and the host, and exits 0 when the client ends', async () => {
    await startHost();
    const { stdin, stdout, stderr, err } = pipes();
    const exit = runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr });
    const client = new Client({ name: 'bridge-test-client', version: '1.0.0' });
    await client.connect(new StreamClientTransport(stdout, stdin));
    expect(client.getServerVersion()).toEqual({ name: 'bridge-test-host', version: '1.0.0' });
    const result = await client.callTool({ name: 'echo', arguments: { text: 'through the bridge' } });
    expect(result.content).toEqual([{ type: 'text', text: 'echo: through the bridge' }]);
    await client.close();
    expect(await exit).toBe(0);
    expect(err()).toBe('');
    expect(host?.connectionCount).toBe(0);
  });

  it('a one-shot pipe (input ends right after the requests) still gets every answer, then exits 0', async () => {
    await startHost();
    const { stdin, stdout, stderr, err, out } = pipes();
    const exit = runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr });
    stdin.end(`${initializeLine}${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: { ms: 300 } } })}\n`);
    expect(await exit).toBe(0);
    const replies = out().trim().split('\n').map((l) => JSON.parse(l) as { id: number; result: { content?: unknown } });
    expect(replies.map((r) => r.id)).toEqual([0, 1]);
    expect(replies[1]!.result.content).toEqual([{ type: 'text', text: 'slept 300' }]);
    expect(err()).toBe('');
  });

  it('gives up on an answer that does not come within the grace, says which, and exits 1', async () => {
    await startHost();
    const { stdin, stdout, stderr, err, out } = pipes();
    const exit = runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr, replyGraceMs: 200 });
    stdin.end(`${initializeLine}${JSON.stringify({ jsonrpc: '2.0', id: 'late', method: 'tools/call', params: { name: 'never', arguments: {} } })}\n`);
    expect(await exit).toBe(1);
    expect(out().trim().split('\n')).toHaveLength(1);
    expect(err()).toBe('poshpool bridge: the client\'s input ended; gave up after 0.2 s waiting for the answer to request "late".\n');
  });

  it('writes nothing but MCP messages to stdout', async () => {
    await startHost();
    const { stdin, stdout, stderr, out } = pipes();
    const exit = runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr });
    const client = new Client({ name: 'bridge-test-client', version: '1.0.0' });
    await client.connect(new StreamClientTransport(stdout, stdin));
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await client.close();
    await exit;
    const lines = out().split('\n');
    expect(lines.at(-1)).toBe('');
    const messages = lines.slice(0, -1).map((l) => JSON.parse(l) as { jsonrpc: string; id: number });
    expect(messages.map((m) => [m.jsonrpc, m.id])).toEqual([
      ['2.0', 0],
      ['2.0', 1],
    ]);
  });

  it('says no host is running, and how to start one, when nothing listens', async () => {
    const { stdin, stdout, stderr, err, out } = pipes();
    expect(await runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr })).toBe(1);
    expect(err()).toBe(`poshpool bridge: no poshpool host is running at ${sockPath}: start it with \`poshpool serve\` (or the poshpool app).\n`);
    expect(out()).toBe('');
  });

  it('connectToHost reports a missing host as a value with code noHost', async () => {
    expect(await connectToHost({ socketPath: sockPath, token: TOKEN })).toEqual({
      ok: false,
      code: 'noHost',
      reason: `no poshpool host is running at ${sockPath}: start it with \`poshpool serve\` (or the poshpool app).`,
    });
  });

  it.runIf(onPosix)('connectToHost reports a stale socket (connection refused) as noHost (POSIX-only: a Unix socket file outlives its server; a named pipe does not)', async () => {
    const server = await startHost();
    const stale = path.join(path.dirname(sockPath), 'stale.sock');
    fs.linkSync(sockPath, stale);
    await server.dispose();
    expect(fs.lstatSync(stale).isSocket()).toBe(true);
    expect(await connectToHost({ socketPath: stale, token: TOKEN })).toMatchObject({ ok: false, code: 'noHost' });
  });

  it('connectToHost hands back an authenticated socket', async () => {
    await startHost();
    const connection = await connectToHost({ socketPath: sockPath, token: TOKEN });
    expect(connection.ok).toBe(true);
    if (connection.ok) {
      expect(connection.rest).toEqual(Buffer.alloc(0));
      connection.socket.destroy();
    }
  });

  it('reports a wrong token as refused, without printing any token', async () => {
    await startHost();
    const wrong = 'f'.repeat(64);
    expect(await connectToHost({ socketPath: sockPath, token: wrong })).toMatchObject({ ok: false, code: 'refused' });
    fs.writeFileSync(tokenFile, wrong);
    const { stdin, stdout, stderr, err, out } = pipes();
    expect(await runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr })).toBe(1);
    expect(err()).toBe(
      `poshpool bridge: the host refused the connection: wrong token: read it from the host's token file (host at ${sockPath})\n`,
    );
    expect(err()).not.toContain(wrong);
    expect(err()).not.toContain(TOKEN);
    expect(out()).toBe('');
  });

  it('explains a missing or empty token file', async () => {
    await startHost();
    fs.rmSync(tokenFile);
    const first = pipes();
    expect(await runBridge({ socketPath: sockPath, tokenFile, ...first })).toBe(1);
    expect(first.err()).toBe(`poshpool bridge: no token file at ${tokenFile}: the host writes it when it starts, so no host is running; start it with \`poshpool serve\`.\n`);
    fs.writeFileSync(tokenFile, '  \n');
    expect(await readTokenFile(tokenFile)).toEqual({ ok: false, reason: `the token file ${tokenFile} is empty: restart the host (\`poshpool serve\`) so it writes a new one.` });
  });

  it('reads the token without surrounding whitespace', async () => {
    fs.writeFileSync(tokenFile, `\n  ${TOKEN}\r\n`);
    expect(await readTokenFile(tokenFile)).toEqual({ ok: true, token: TOKEN });
  });

  it('exits 1 with a note when the host goes away mid-session', async () => {
    const server = await startHost();
    const { stdin, stdout, stderr, err } = pipes();
    const exit = runBridge({ socketPath: sockPath, tokenFile, stdin, stdout, stderr });
    const client = new Client({ name: 'bridge-test-client', version: '1.0.0' });
    await client.connect(new StreamClientTransport(stdout, stdin));
    await server.dispose();
    expect(await exit).toBe(1);
    expect(err()).toBe(`poshpool bridge: the poshpool host at ${sockPath} closed the connection (it stopped or restarted); reconnect your MCP client.\n`);
    expect(stdin.isPaused()).toBe(true);
    await client.close();
  });
});

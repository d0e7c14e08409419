import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** A real `poshpool serve` in a temp data dir, and what a test needs to reach it. */
export interface ServedHost {
  base: string;
  mcpUrl: string;
  token: string;
  dataDir: string;
  /** A fresh one-time sign-in link. */
  signInUrl(): Promise<string>;
  /** A real MCP client connected over Streamable HTTP. */
  client(name: string): Promise<Client>;
  /** Stops the host (its data dir stays); `start` brings it back on the same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const bin = path.resolve(import.meta.dirname, '../bin/poshpool.js');

/** Starts `poshpool serve --port 0` and waits for its host.json. */
export async function serveHost(configJson: Record<string, unknown> = {}): Promise<ServedHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 2, ...configJson }));
  let child: ChildProcess;
  const launch = async (port: number): Promise<void> => {
    child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    for (let i = 0; i < 600 && !out.includes('Stop with Ctrl+C'); i++) {
      if (child.exitCode !== null) throw new Error(`poshpool serve exited: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const halt = async (): Promise<void> => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
  await launch(0);
  const info = JSON.parse(readFileSync(path.join(dataDir, 'host.json'), 'utf8')) as { mcpUrl: string; tokenFile: string };
  const token = readFileSync(info.tokenFile, 'utf8').trim();
  const base = info.mcpUrl.replace(/\/mcp$/, '');
  const clients: Client[] = [];
  return {
    base,
    mcpUrl: info.mcpUrl,
    token,
    dataDir,
    async signInUrl() {
      const res = await fetch(`${base}/api/codes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      return ((await res.json()) as { url: string }).url;
    },
    async client(name) {
      const c = new Client({ name, version: '1.0.0' });
      await c.connect(new StreamableHTTPClientTransport(new URL(info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      clients.push(c);
      return c;
    },
    halt,
    start: () => launch(Number(new URL(base).port)),
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      if (child.exitCode === null) await halt();
      // Retries: on Windows a stopped host is killed outright, and its PowerShell (whose working
      // directory is in here) ends a moment later; until then the directory is busy.
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    },
  };
}

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { descendantsOf, processExists, requirePwsh, waitFor } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { platformFor } from '../core/platform/Platform.js';
import { Host } from '../host/Host.js';
import { APP_BRIDGE_UNAVAILABLE, bridge } from './bridgeCommand.js';

const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

/**
 * Node arguments that make the process append the URL of every ES module it loads to the file named
 * by LOAD_LOG_FILE (a module customization hook, registered from a data: URL; Node >= 20.6).
 */
function loadLogArgs(): string[] {
  const hooks =
    "import { appendFileSync } from 'node:fs';" +
    'export async function load(url, context, next) { appendFileSync(process.env.LOAD_LOG_FILE, url + "\\n"); return next(url, context); }';
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

/** What a loaded-module log says was loaded from this checkout or from the MCP SDK. */
function loaded(logFile: string): { host: boolean; sdkServer: boolean; relay: boolean } {
  const urls = readFileSync(logFile, 'utf8').split('\n');
  return {
    host: urls.some((u) => /\/main\/host\/Host\.js$/.test(u)),
    sdkServer: urls.some((u) => u.includes('/@modelcontextprotocol/sdk/') && u.includes('/server/')),
    relay: urls.some((u) => /\/main\/cli\/bridge\.js$/.test(u)),
  };
}

describe('poshpool bridge inside the app', () => {
  let dir: string;
  let err: string;
  const io = { stderr: { write: (t: string) => void (err += t) } };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-bc-'));
    err = '';
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('on Windows says the relay script is the way, rather than ending silently on an stdin at EOF (electron/electron#4218, #21705)', async () => {
    expect(await bridge({ dataDir: dir }, io, { platform: platformFor('win32'), inElectron: true })).toBe(2);
    expect(err).toBe(APP_BRIDGE_UNAVAILABLE);
    expect(err).toContain('Copy client config');
    expect(err).toContain('relay.ps1');
  });

  it('goes on as the bridge under Node on Windows, and in the app on macOS and Linux', async () => {
    // A config that does not load stops it right after the check, with the config's own reason.
    const bad = path.join(dir, 'config.json');
    writeFileSync(bad, '{ not json');
    for (const runtime of [
      { platform: platformFor('win32'), inElectron: false },
      { platform: platformFor('darwin'), inElectron: true },
      { platform: platformFor('linux'), inElectron: true },
    ]) {
      err = '';
      expect(await bridge({ configFile: bad, dataDir: dir }, io, runtime)).toBe(1);
      expect(err).toMatch(/^poshpool bridge: /);
      expect(err).not.toBe(APP_BRIDGE_UNAVAILABLE);
    }
  });
});

describe('poshpool bridge (process): what it loads and starts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-bc-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('relaying to a running host loads neither the host nor the MCP server SDK (a client starts the bridge on every connect)', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const started = await Host.start({ config: defaultConfig({ warmSessions: 0, maxSessions: 1 }), dataDir, port: 0, cwd: dir, log: () => undefined });
    if (!started.ok) throw new Error(started.reason);
    const logFile = path.join(dir, 'loaded.txt');
    const client = new Client({ name: 'lazy-relay-client', version: '1.0.0' });
    try {
      await client.connect(
        new StdioClientTransport({ command: process.execPath, args: [...loadLogArgs(), bin, 'bridge', '--data-dir', dataDir], env: { LOAD_LOG_FILE: logFile }, stderr: 'pipe' }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('run_command');
    } finally {
      await client.close();
      await started.host.dispose();
    }
    expect(loaded(logFile)).toEqual({ host: false, sdkServer: false, relay: true });
  });

  it('with no host running, one connect starts one (loaded on demand) that lists the tools and answers run_command; closing the client ends it all', async () => {
    requirePwsh();
    const dataDir = path.join(dir, 'data');
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
    const logFile = path.join(dir, 'loaded.txt');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...loadLogArgs(), bin, 'bridge', '--data-dir', dataDir, '--config', configFile],
      env: { LOAD_LOG_FILE: logFile },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'cold-client', version: '1.0.0' });
    let seen: number[] = [];
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('run_command');
      const r = (await client.callTool({ name: 'run_command', arguments: { command: "'cold'" } })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ output: 'cold', success: true });
      expect(existsSync(path.join(dataDir, 'host.json'))).toBe(true);
      seen = [transport.pid!, ...descendantsOf(transport.pid!)];
      // The bridge, and the PowerShell its host runs.
      expect(seen.length).toBeGreaterThan(1);
    } finally {
      await client.close();
    }
    expect(await waitFor(() => seen.every((pid) => !processExists(pid)), 20_000)).toBe(true);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(false);
    expect(loaded(logFile)).toEqual({ host: true, sdkServer: true, relay: true });
  });
});

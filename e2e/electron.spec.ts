import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '../main/cli/electronBinary.js';

// The tray app for real: Electron starts, its host process comes up, the window lists a session an
// MCP client started, and terminating it from the window works. Runs wherever an Electron binary is
// present; otherwise it says why in one line and does not run (the only test allowed not to run).

const root = path.resolve(import.meta.dirname, '..');
const binary = findElectronBinary();

test('the Electron app starts, its window lists sessions, and terminating one works', async () => {
  if (!binary.ok) {
    console.log(`Electron launch test did not run: ${binary.reason}`);
    test.skip(true, binary.reason);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-electron-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  const app = await electron.launch({
    executablePath: binary.path,
    // GitHub's Ubuntu runners forbid the unprivileged user namespaces Chromium's OS sandbox needs;
    // the window's own sandbox (no Node in the page) is unaffected.
    args: [root, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
    env: { ...process.env, POSHPOOL_DATA_DIR: dataDir, POSHPOOL_CONFIG: configFile, POSHPOOL_OPEN_DASHBOARD: '1' },
  });
  let client: Client | undefined;
  try {
    const window = await app.firstWindow();
    await expect(window).toHaveURL('poshpool-app://dashboard/index.html');
    // The page is sandboxed: no Node, only the preload's API.
    expect(await window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    expect(await window.evaluate(() => Object.keys((globalThis as unknown as { poshpool: object }).poshpool).sort())).toContain('terminateSession');

    const hostJson = path.join(dataDir, 'host.json');
    await expect.poll(() => existsSync(hostJson), { timeout: 30_000 }).toBe(true);
    const info = JSON.parse(readFileSync(hostJson, 'utf8')) as { mcpUrl: string; tokenFile: string; pid: number };
    const token = readFileSync(info.tokenFile, 'utf8').trim();
    client = new Client({ name: 'electron-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };

    const row = window.getByRole('row', { name: new RegExp(sessionId) });
    await expect(row).toBeVisible({ timeout: 15_000 });
    await window.screenshot({ path: test.info().outputPath('electron-sessions.png') });
    await window.getByRole('button', { name: `Terminate ${sessionId}` }).click();
    await window.getByRole('button', { name: 'Yes, terminate' }).click();
    await expect(row).toHaveCount(0);
    const after = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } })) as CallToolResult;
    expect(after.isError).toBe(true);
    await client.close();
    client = undefined;

    // Quitting stops the host process: host.json goes with it.
    await app.close();
    await expect.poll(() => existsSync(hostJson), { timeout: 20_000 }).toBe(false);
  } finally {
    await client?.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

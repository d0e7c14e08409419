import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { serveHost, type ServedHost } from './hostFixture.js';

// A remote host that cannot be reached, in the dashboard, against a real `poshpool serve`: its config
// has one ssh host on a port where nothing listens. The dashboard shows it degraded with the
// connection refused in plain words, this machine's pool stays healthy and its sessions work. It
// writes docs/screenshots/hosts-<theme>.png (1280x800) for the README.

/** The README's screenshots (committed), at the size e2e/a11y.spec.ts uses. */
const SCREENSHOTS = path.resolve(import.meta.dirname, '../docs/screenshots');
const VIEWPORT = { width: 1280, height: 800 };

let host: ServedHost;
let work: string;
let closedPort: number;

/** A TCP port on 127.0.0.1 that nothing listens on: one the system just gave out, closed again. */
async function freeClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test.beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-hosts-'));
  // A throwaway known_hosts: the user's own is never read or written by the test.
  const knownHosts = path.join(work, 'known_hosts');
  writeFileSync(knownHosts, '');
  closedPort = await freeClosedPort();
  host = await serveHost({
    warmSessions: 1,
    maxSessions: 2,
    hosts: [{ name: 'buildbox', ssh: '127.0.0.1', port: closedPort, labels: ['build'], warmSessions: 1, connectTimeoutSeconds: 2, knownHostsFile: knownHosts }],
  });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a remote host that refuses the connection shows degraded with the reason in plain words, while sessions on this machine work', async ({ page }) => {
  await page.setViewportSize(VIEWPORT);
  await page.goto(await host.signInUrl());
  const hosts = page.getByRole('region', { name: 'Hosts' });
  await expect(hosts).toBeVisible();
  const local = hosts.getByRole('row', { name: /^local\b/ });
  const buildbox = hosts.getByRole('row', { name: /^buildbox\b/ });
  await expect(local.getByRole('cell').nth(6)).toHaveText('this machine');
  await expect(buildbox.getByRole('cell').nth(5)).toHaveText('build');
  await expect(buildbox.getByRole('cell').nth(6)).toHaveText(`127.0.0.1:${closedPort}`);
  // Starting (connecting) first, then degraded once its starts have failed: the reason is ssh's error in words.
  await expect(buildbox.getByRole('cell').first()).toHaveText('degraded: cannot start sessions', { timeout: 60_000 });
  await expect(buildbox.getByRole('cell').last()).toContainText(`127.0.0.1:${closedPort} refused the connection`);
  await expect(hosts.getByRole('table')).toHaveAccessibleName('2 hosts, 1 degraded');
  // This machine's pool is not degraded by it.
  await expect(page.getByRole('status').first()).toHaveText(/^Pool on this machine: healthy/);
  await expect(local.getByRole('cell').first()).toHaveText('healthy');

  // A session on this machine works, and the sessions table says where it runs.
  const agent = await host.client('agent');
  const ran = (await agent.callTool({ name: 'run_command', arguments: { command: "'hello from ' + 'local'" } })).structuredContent as { output: string; sessionId: string };
  expect(ran.output).toBe('hello from local');
  const row = page.getByRole('tabpanel').getByRole('row', { name: new RegExp(ran.sessionId.slice(0, 8)) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').nth(1)).toHaveText('local');
  await expect(page.getByRole('tabpanel').getByRole('columnheader', { name: 'Host' })).toBeVisible();

  // get_metrics gives the same picture to an agent.
  const metrics = (await agent.callTool({ name: 'get_metrics', arguments: {} })).structuredContent as { poolState: string; hosts: { name: string; state: string; degradedReason: string; labels: string[] }[] };
  expect(metrics.poolState).toBe('healthy');
  expect(metrics.hosts.map((h) => h.name)).toEqual(['local', 'buildbox']);
  expect(metrics.hosts[1]).toMatchObject({ state: 'degraded', labels: ['build'], degradedReason: expect.stringContaining('refused the connection') });

  // The hosts table keeps the page accessible (light and dark); screenshots for the README.
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious, theme).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, `hosts-${theme}.png`) });
  }
});

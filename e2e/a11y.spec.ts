import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// Accessibility and the README's screenshots, against a real `poshpool serve` and real pwsh with a
// full screen: a running command, a command waiting for approval, a queued request, a finished
// job and a backup. axe-core checks every view in the light and the dark theme (the OS's
// prefers-color-scheme, emulated) and finds no serious or critical violation; each view is saved
// as docs/screenshots/<view>-<theme>.png at 1280x800.

/** The README's screenshots (committed). */
const SCREENSHOTS = path.resolve(import.meta.dirname, '../docs/screenshots');
/** Screenshot size: the same on every run and machine. */
const VIEWPORT = { width: 1280, height: 800 };
/** The rules axe checks: WCAG 2.1 A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const VIEWS = ['Sessions', 'Queue', 'Jobs', 'Backups', 'Events'] as const;

let host: ServedHost;
let work: string;
let repo: string;
/** Calls left running on purpose (the sleeping command, the one awaiting approval); the host's stop ends them. */
const pending: Promise<unknown>[] = [];
let scene: { running: string; approving: string; requestId: string; jobId: string };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Record<string, unknown>;
}

/** Starts a call that is not awaited (its end, or the client's timeout, does not matter). */
function leave(client: Client, name: string, args: Record<string, unknown>): void {
  pending.push(client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 }).catch(() => undefined));
}

test.beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-a11y-'));
  repo = path.join(work, 'site');
  mkdirSync(repo);
  const env = { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, HOME: work, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'E2E');
  git('config', 'user.email', 'e2e@example.invalid');
  writeFileSync(path.join(repo, 'index.html'), '<h1>hello</h1>\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  host = await serveHost({
    warmSessions: 1,
    maxSessions: 2,
    watchFolders: [repo],
    backupQuietSeconds: 0.3,
    approvals: { timeoutSeconds: 900, rules: [{ name: 'recursive delete', command: 'Remove-Item', parameters: ['Recurse'] }] },
  });

  // A finished job, then a running command in the watched folder (claude-code).
  const agent = await host.client('claude-code');
  const running = (await call(agent, 'start_session', {})).sessionId as string;
  const jobId = (await call(agent, 'run_background', { sessionId: running, command: '1..3 | ForEach-Object { "built page $_" }' })).jobId as string;
  for (let i = 0; i < 100 && (await call(agent, 'get_job', { jobId })).status === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
  await call(agent, 'run_command', { sessionId: running, command: `Set-Location -LiteralPath '${repo}'` });
  leave(agent, 'run_command', { sessionId: running, command: 'Start-Sleep -Seconds 600' });

  // A command waiting for a person's approval (cursor).
  const other = await host.client('cursor');
  const approving = (await call(other, 'start_session', {})).sessionId as string;
  const doomed = path.join(work, 'old-build');
  mkdirSync(doomed);
  leave(other, 'run_command', { sessionId: approving, command: `Remove-Item -Recurse -Path '${doomed}'` });

  // Every slot is taken: a third client's request waits in the queue.
  const third = await host.client('codex');
  const requestId = (await call(third, 'start_session', { priority: 'async', waitSeconds: 0 })).requestId as string;

  // A backup of the watched folder.
  writeFileSync(path.join(repo, 'index.html'), '<h1>hello, world</h1>\n');
  writeFileSync(path.join(repo, 'about.html'), '<p>about</p>\n');
  scene = { running, approving, requestId, jobId };
});

test.afterAll(async () => {
  await host?.stop();
  await Promise.all(pending);
  rmSync(work, { recursive: true, force: true });
});

/** Signs in and waits until the scene is on screen. */
async function openDashboard(page: Page): Promise<void> {
  await page.setViewportSize(VIEWPORT);
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('region', { name: 'Commands waiting for your approval' }).getByRole('article')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByRole('row', { name: new RegExp(scene.running) })).toContainText('Start-Sleep -Seconds 600', { timeout: 30_000 });
}

/** The serious and critical violations axe finds on the page as it is, described for a failure message. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n  ')}`);
}

/** Waits for what shows that the view's data arrived. */
async function waitForView(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  const panel = page.getByRole('tabpanel');
  if (view === 'Sessions') await expect(panel.getByRole('row', { name: new RegExp(scene.approving) })).toContainText('awaiting approval');
  if (view === 'Queue') await expect(panel.getByRole('row', { name: new RegExp(scene.requestId) })).toBeVisible();
  if (view === 'Jobs') await expect(panel.getByRole('row', { name: new RegExp(scene.jobId) })).toContainText('succeeded');
  if (view === 'Backups') await expect(panel.getByText('2 files changed', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
  if (view === 'Events') {
    // The log shows events since the page connected: a client connecting and a backup make some.
    await host.client('windsurf');
    writeFileSync(path.join(repo, 'notes.md'), `checked at ${Date.now()}\n`);
    await expect(panel.getByRole('row', { name: /client\.connected/ }).first()).toBeVisible();
    await expect(panel.getByRole('row', { name: /backup\.completed/ }).first()).toBeVisible({ timeout: 30_000 });
  }
}

for (const theme of ['light', 'dark'] as const) {
  test(`every view in the ${theme} theme (the OS's) has no serious or critical accessibility violation; screenshots for the README`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme });
    await openDashboard(page);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const found: string[] = [];
    for (const view of VIEWS) {
      await page.getByRole('tab', { name: view }).click();
      await expect(page.getByRole('tab', { name: view })).toHaveAttribute('aria-selected', 'true');
      await waitForView(page, view);
      found.push(...(await seriousViolations(page)).map((v) => `${view}: ${v}`));
      await page.screenshot({ path: path.join(SCREENSHOTS, `${view.toLowerCase()}-${theme}.png`) });
    }
    expect(found, found.join('\n')).toEqual([]);
  });
}

test('the running session shows its directory, a short id with the whole id on hover, and a relative time', async ({ page }) => {
  await openDashboard(page);
  const row = page.getByRole('row', { name: new RegExp(scene.running) });
  await expect(row).toContainText(repo);
  const open = row.getByRole('button', { name: `Open session ${scene.running}` });
  await expect(open).toHaveText(scene.running.slice(0, 8));
  await expect(open).toHaveAttribute('title', scene.running);
  await expect(row.getByRole('button', { name: `Copy session id ${scene.running}` })).toBeVisible();
  await page.getByRole('tab', { name: 'Jobs' }).click();
  await expect(page.getByRole('row', { name: new RegExp(scene.jobId) }).locator('time')).toHaveText(/(\d+ s|\d+ min) ago|just now/);
});

test('a theme chosen in the header overrides the OS and is kept after a reload', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openDashboard(page);
  const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).toBe('rgb(255, 255, 255)');
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe('rgb(13, 17, 23)');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe('rgb(13, 17, 23)');
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
  expect(await background()).toBe('rgb(255, 255, 255)');
});

test('the keyboard reaches every view and action: arrows move between tabs, Tab goes into the view, focus is visible', async ({ page }) => {
  await openDashboard(page);
  const sessionsTab = page.getByRole('tab', { name: 'Sessions' });
  await sessionsTab.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Queue' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Queue' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Events' })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(sessionsTab).toBeFocused();
  // Tab leaves the tab list for the panel, then its first control: the running session's page link.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('tabpanel')).toBeFocused();
  await page.keyboard.press('Tab');
  const first = page.getByRole('button', { name: /^Open session / }).first();
  await expect(first).toBeFocused();
  const outline = await first.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  // Cancel in the running session's row is reachable by Tab alone.
  const cancel = page.getByRole('button', { name: `Cancel command in ${scene.running}` });
  for (let i = 0; i < 30 && !(await cancel.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(cancel).toBeFocused();
});

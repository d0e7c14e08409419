import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// The queue and the backups in the dashboard, against a real `poshpool serve` with a watched git repo.

let host: ServedHost;
let work: string;
let repo: string;

test.beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-repo-'));
  repo = path.join(work, 'repo');
  mkdirSync(repo);
  // SystemRoot: Windows programs need it in an environment given whole (absent elsewhere).
  const env = { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, HOME: work, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'E2E');
  git('config', 'user.email', 'e2e@example.invalid');
  writeFileSync(path.join(repo, 'readme.txt'), 'hello\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  host = await serveHost({ warmSessions: 1, maxSessions: 1, watchFolders: [repo], backupQuietSeconds: 0.3 });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('with every slot taken a request appears in the queue with a position and an ETA; cancelling it there tells the client', async ({ page }) => {
  await page.goto(await host.signInUrl());
  const holder = await host.client('holder');
  const waiter = await host.client('waiter');
  const { sessionId } = (await holder.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  const queued = (await waiter.callTool({ name: 'start_session', arguments: { priority: 'async' } })).structuredContent as { requestId: string; position: number };
  expect(queued.position).toBe(1);
  await page.getByRole('tab', { name: 'Queue' }).click();
  const row = page.getByRole('row', { name: new RegExp(queued.requestId) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').first()).toHaveText('1');
  await expect(row).toContainText(/\d+(\.\d+)?\s*s|any moment|min/);
  await page.screenshot({ path: test.info().outputPath('queue.png') });
  await page.getByRole('button', { name: `Cancel request ${queued.requestId}` }).click();
  await expect(row).toHaveCount(0);
  const asked = (await waiter.callTool({ name: 'queue_position', arguments: { requestId: queued.requestId } })) as CallToolResult;
  expect(asked.isError).toBe(true);
  await holder.callTool({ name: 'end_session', arguments: { sessionId } });
});

test('changing a file in a watched folder shows a new backup in the history', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('tab', { name: 'Backups' }).click();
  await expect(page.getByText(repo).first()).toBeVisible();
  writeFileSync(path.join(repo, 'readme.txt'), 'changed by an agent\n');
  writeFileSync(path.join(repo, 'new.txt'), 'new\n');
  await expect(page.getByText('2 files changed', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/Auto-backup: 2 files changed/)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('backups.png') });
});

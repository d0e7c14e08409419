import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { serveHost, type ServedHost } from './hostFixture.js';

// Backups you can read, in Chromium against a real `poshpool serve` watching a real git repo: two
// backups of a file, its diff rendered in the view, and restoring that one file after a confirmation
// that names it, byte for byte as the backup has it (read from disk and from git).

/** The WCAG rule sets axe checks (as e2e/a11y.spec.ts). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Serious and critical violations on the page as it is, in the light and the dark theme (they follow the OS). */
async function seriousViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    for (const v of violations) {
      if (v.impact === 'serious' || v.impact === 'critical') found.push(`${colorScheme}: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  return found;
}

let host: ServedHost;
let work: string;
let repo: string;
let git: (...args: string[]) => Buffer;

test.beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-backups-'));
  repo = path.join(work, 'repo');
  mkdirSync(repo);
  // SystemRoot: Windows programs need it in an environment given whole (absent elsewhere).
  const env = { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, HOME: work, GIT_CONFIG_NOSYSTEM: '1' };
  git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'E2E');
  git('config', 'user.email', 'e2e@example.invalid');
  writeFileSync(path.join(repo, 'readme.txt'), 'hello\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  host = await serveHost({ warmSessions: 0, maxSessions: 1, watchFolders: [repo], backupQuietSeconds: 0.3 });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the view shows a changed file\'s diff, and restoring that one file makes it byte-identical to the backup', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('tab', { name: 'Backups' }).click();
  const folder = page.getByRole('region', { name: `Backups of ${repo}` });
  const entries = folder.locator('ol.timeline > li');
  await expect(folder.getByText(/No backups yet|file(s)? changed/).first()).toBeVisible();
  const before = await entries.count();

  // Two backups of app.txt (the watcher backs up after each burst), then the agent changes it again.
  writeFileSync(path.join(repo, 'app.txt'), 'version one\nshared line\n');
  await expect(entries).toHaveCount(before + 1, { timeout: 20_000 });
  writeFileSync(path.join(repo, 'app.txt'), 'version two\nshared line\n<b>not markup</b>\n');
  await expect(entries).toHaveCount(before + 2, { timeout: 20_000 });

  const newest = entries.first();
  await newest.getByText('Files', { exact: true }).click();
  const diffButton = newest.getByRole('button', { name: /^Diff with previous: app\.txt in [0-9a-f]{40}$/ });
  const backupId = /in ([0-9a-f]{40})$/.exec((await diffButton.getAttribute('aria-label')) ?? '')![1]!;
  await diffButton.click();

  const diff = page.getByRole('region', { name: `Diff of app.txt in ${backupId} against parent` });
  const table = diff.getByRole('table', { name: 'Changes in app.txt' });
  await expect(table.locator('tr.del')).toHaveText(['1−removedversion one']);
  await expect(table.locator('tr.add')).toHaveText(['1+addedversion two', '3+added<b>not markup</b>']);
  await expect(table.locator('tr.context')).toHaveText(['22shared line']);
  expect(await diff.locator('b').count()).toBe(0);
  await page.screenshot({ path: test.info().outputPath('backups-diff.png') });
  expect(await seriousViolations(page)).toEqual([]);

  // The file changes again; the backup's version comes back by restoring that file alone.
  writeFileSync(path.join(repo, 'app.txt'), 'broken by an agent\n');
  writeFileSync(path.join(repo, 'readme.txt'), 'readme changed since\n');
  await newest.getByRole('button', { name: `Restore this file: app.txt from ${backupId}` }).click();
  const dialog = page.getByRole('dialog', { name: /^Restore app\.txt from the backup of / });
  await expect(dialog).toContainText('app.txt: The current file differs from the backup and will be overwritten.', { timeout: 15_000 });
  await expect(dialog).toContainText('The current files are backed up first');
  await page.screenshot({ path: test.info().outputPath('backups-restore-confirm.png') });
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Restore app.txt' }).click();

  const result = folder.getByRole('status').filter({ hasText: 'Restored app.txt' });
  await expect(result).toContainText(`Restored app.txt from backup ${backupId.slice(0, 8)}: 1 file written (app.txt).`);
  await expect(result).toContainText('safety backup');
  const onDisk = readFileSync(path.join(repo, 'app.txt'));
  expect(onDisk.equals(git('show', `${backupId}:app.txt`))).toBe(true);
  expect(onDisk.toString('utf8')).toBe('version two\nshared line\n<b>not markup</b>\n');
  // One file only: the other change stays.
  expect(readFileSync(path.join(repo, 'readme.txt'), 'utf8')).toBe('readme changed since\n');
  // The safety backup taken before the restore shows in the timeline.
  await expect(folder.getByText(/safety backup made before your restore/)).toBeVisible();
});

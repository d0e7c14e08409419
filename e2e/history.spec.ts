import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// A session's command history in Chromium, against a real `poshpool serve` and real pwsh: an MCP
// client runs a command that succeeds and one that fails; the session's page shows both with their
// exit codes, the failed one marked, and the status filter narrows the list.

let host: ServedHost;

/** Serious and critical axe violations on the page (the WCAG 2.x A and AA rules). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n  ')}`);
}

test.beforeAll(async () => {
  host = await serveHost({ warmSessions: 1, maxSessions: 2 });
});
test.afterAll(async () => {
  await host?.stop();
});

test("the session's page lists its commands with exit codes; the failed one stands out, with its errors; the status filter works", async ({ page }) => {
  await page.goto(await host.signInUrl());
  const agent = await host.client('history-agent');
  const { sessionId } = ((await agent.callTool({ name: 'start_session', arguments: {} })) as CallToolResult).structuredContent as { sessionId: string };
  const ok = (await agent.callTool({ name: 'run_command', arguments: { sessionId, command: "'all good'" } })) as CallToolResult;
  expect(ok.structuredContent).toMatchObject({ success: true, exitCode: 0 });
  const failed = (await agent.callTool({ name: 'run_command', arguments: { sessionId, command: "Write-Error 'the disk is on fire'" } })) as CallToolResult;
  expect(failed.structuredContent).toMatchObject({ success: false, exitCode: 1, errorCount: 1 });

  // Opened from the sessions table by keyboard: the session id is a button.
  const open = page.getByRole('button', { name: `Open session ${sessionId}` });
  await open.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Session ${sessionId}` })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'History' })).toHaveAttribute('aria-selected', 'true');

  const history = page.getByRole('region', { name: `Command history of session ${sessionId}` });
  const rows = history.locator('tbody tr[data-seq]');
  await expect(rows).toHaveCount(2);
  // Newest first.
  const failedRow = rows.nth(0);
  const okRow = rows.nth(1);
  await expect(failedRow).toContainText("Write-Error 'the disk is on fire'");
  await expect(failedRow).toContainText('✗ Failed');
  await expect(failedRow).toHaveClass(/failed/);
  await expect(failedRow.locator('td').nth(5)).toHaveText('1'); // exit code
  await expect(failedRow.locator('td').nth(6)).toHaveText('1'); // errors
  await expect(failedRow).toContainText('history-agent');
  await expect(okRow).toContainText("'all good'");
  await expect(okRow).toContainText('✓ Succeeded');
  await expect(okRow).not.toHaveClass(/failed/);
  await expect(okRow.locator('td').nth(5)).toHaveText('0');
  await expect(history).toContainText('2 commands, 1 failed');
  // The failed row looks different from the other (a tinted background), not only by its text.
  const background = (row: typeof okRow) => row.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await background(failedRow)).not.toBe(await background(okRow));

  // Its errors and output open below it.
  await history.getByRole('button', { name: `Show output of command ${await failedRow.getAttribute('data-seq')}` }).click();
  const output = history.getByRole('region', { name: /^Output of command/ });
  await expect(output).toContainText('1 error');
  await expect(output).toContainText('the disk is on fire');
  await page.screenshot({ path: test.info().outputPath('session-history.png') });
  // No serious accessibility violation on the history, with a failed command open, in either theme.
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const found = await seriousViolations(page);
    expect(found, `${theme}: ${found.join('\n')}`).toEqual([]);
  }

  // Filter by status.
  await history.getByLabel('Status').selectOption('failed');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('the disk is on fire');
  await history.getByLabel('Status').selectOption('succeeded');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("'all good'");
  await history.getByLabel('Status').selectOption('all');
  await expect(rows).toHaveCount(2);

  // A new command appears as it finishes, without reloading.
  await agent.callTool({ name: 'run_command', arguments: { sessionId, command: "'third'" } });
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText("'third'");

  // Back to the table.
  await page.getByRole('button', { name: /Back to sessions/ }).click();
  await expect(page.getByRole('button', { name: `Open session ${sessionId}` })).toBeVisible();

  // Every session's commands: another agent's session too, and the client filter picks one agent's.
  const other = await host.client('other-agent');
  const otherSession = (((await other.callTool({ name: 'start_session', arguments: {} })) as CallToolResult).structuredContent as { sessionId: string }).sessionId;
  await other.callTool({ name: 'run_command', arguments: { sessionId: otherSession, command: "'from the other agent'" } });
  await page.getByRole('button', { name: 'Show commands of all sessions' }).click();
  const all = page.getByRole('region', { name: 'Commands of all sessions' });
  const allRows = all.locator('tbody tr[data-seq]');
  await expect(allRows).toHaveCount(4);
  await expect(allRows.first()).toContainText("'from the other agent'");
  const clientSelect = all.getByLabel('Client');
  const otherValue = await clientSelect.locator('option', { hasText: 'other-agent' }).getAttribute('value');
  await clientSelect.selectOption(otherValue!);
  await expect(allRows).toHaveCount(1);
  await all.getByLabel('Status').selectOption('failed');
  await expect(allRows).toHaveCount(0);
  await clientSelect.selectOption('all');
  await expect(allRows).toHaveCount(1);
  await expect(allRows.first()).toContainText('the disk is on fire');
  // Its session id opens that session's page.
  await allRows.first().getByRole('button', { name: `Open session ${sessionId}` }).click();
  await expect(page.getByRole('heading', { name: `Session ${sessionId}` })).toBeVisible();
});

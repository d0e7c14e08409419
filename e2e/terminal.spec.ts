import { expect, test } from '@playwright/test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// A session's live terminal in Chromium, against a real `poshpool serve`, real pwsh and a real MCP
// client: the output of a running command appears on the xterm.js screen while the command runs
// (read from xterm's rendered rows), none of poshpool's own traffic shows, and Cancel stops it.

let host: ServedHost;

test.beforeAll(async () => {
  host = await serveHost({ warmSessions: 1, maxSessions: 2 });
});
test.afterAll(async () => {
  await host?.stop();
});

test("a session's terminal shows a command's output while it runs, and Cancel stops it", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(await host.signInUrl());
  const agent = await host.client('e2e-agent');
  const { sessionId } = ((await agent.callTool({ name: 'start_session', arguments: {} })) as CallToolResult).structuredContent as { sessionId: string };

  await page.getByRole('button', { name: `Open session ${sessionId}` }).click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  const terminal = page.getByRole('region', { name: `Terminal of session ${sessionId} (read-only)` });
  await expect(terminal.locator('.xterm-rows')).toBeVisible();
  const rows = terminal.locator('.xterm-rows');

  // Lines printed over three seconds: the first ones are on screen before the command has ended.
  let finished = false;
  const running = (agent.callTool({ name: 'run_command', arguments: { sessionId, command: '1..6 | ForEach-Object { "step-$_ of 6"; Start-Sleep -Milliseconds 500 }' } }) as Promise<CallToolResult>).then((r) => {
    finished = true;
    return r;
  });
  await expect(rows).toContainText('step-2 of 6', { timeout: 20_000 });
  expect(finished).toBe(false);
  await expect(page.getByRole('status').filter({ hasText: 'Live:' })).toContainText('is running');
  const result = await running;
  expect(result.structuredContent).toMatchObject({ status: 'completed', success: true });
  await expect(rows).toContainText('step-6 of 6');
  // The prompt line poshpool draws, with the command as the agent sent it; none of poshpool's traffic.
  await expect(rows).toContainText('PS> 1..6 | ForEach-Object { "step-$_ of 6"; Start-Sleep -Milliseconds 500 }');
  // xterm's own rules (written into <style> elements the CSP blocks) apply through the mirrored sheet.
  await expect(rows.locator('span', { hasText: 'PS>' }).first()).toHaveCSS('display', 'inline-block');
  const text = (await rows.textContent()) ?? '';
  expect(text).not.toContain('#poshpool');
  expect(text).not.toContain('poshpool-fence');
  await page.screenshot({ path: test.info().outputPath('live-terminal.png') });

  // A command that would run forever: Cancel (Ctrl+C) stops it, and the terminal shows it stopped.
  const endless = agent.callTool({ name: 'run_command', arguments: { sessionId, command: '$i = 0; while ($true) { $i++; "tick-$i"; Start-Sleep -Milliseconds 300 }' } }) as Promise<CallToolResult>;
  await expect(rows).toContainText('tick-3', { timeout: 20_000 });
  const cancel = page.getByRole('button', { name: `Cancel the running command of session ${sessionId} (Ctrl+C)` });
  await expect(cancel).toBeEnabled();
  await cancel.click();
  const stopped = await endless;
  expect(stopped.structuredContent).toMatchObject({ status: 'cancelled' });
  await expect(page.getByRole('status').filter({ hasText: 'Live:' })).toContainText('idle');
  await expect(cancel).toBeDisabled();
  await expect(rows).toContainText('[cancelled]');
  const ticks = ((await rows.textContent()) ?? '').match(/tick-\d+/g) ?? [];
  // Nothing more is printed after the stop.
  await page.waitForTimeout(1_000);
  expect(((await rows.textContent()) ?? '').match(/tick-\d+/g) ?? []).toEqual(ticks);
});

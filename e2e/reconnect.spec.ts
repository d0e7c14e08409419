import { expect, test } from '@playwright/test';
import { serveHost, type ServedHost } from './hostFixture.js';

// The dashboard shows when the host is gone, and reconnects (still signed in) when it is back.

let host: ServedHost;
test.beforeAll(async () => {
  host = await serveHost({ warmSessions: 1, maxSessions: 1 });
});
test.afterAll(async () => {
  await host?.stop();
});

test('shows that it is disconnected while the host is down, and reconnects after the host restarts', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('tab', { name: 'Sessions' })).toBeVisible();
  await host.halt();
  await expect(page.getByRole('alert').filter({ hasText: 'Disconnected' })).toBeVisible({ timeout: 20_000 });
  await host.start();
  await expect(page.getByRole('alert').filter({ hasText: 'Disconnected' })).toHaveCount(0, { timeout: 60_000 });
  // Still signed in, and live again: a new session shows up.
  const client = await host.client('after-restart');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  await expect(page.getByRole('row', { name: new RegExp(sessionId) })).toBeVisible({ timeout: 20_000 });
});

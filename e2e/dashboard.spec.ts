import { expect, test } from '@playwright/test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// The dashboard in Debian's Chromium against a real `poshpool serve`, driven by a real MCP client.

let host: ServedHost;
test.beforeAll(async () => {
  host = await serveHost({ warmSessions: 1, maxSessions: 1 });
});
test.afterAll(async () => {
  await host?.stop();
});

test('a browser without the cookie sees the sign-in screen and no data', async ({ page }) => {
  const client = await host.client('hidden');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  await page.goto(host.base);
  await expect(page.getByText('poshpool open')).toBeVisible();
  await expect(page.getByText(sessionId)).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('signin.png') });
  await client.callTool({ name: 'end_session', arguments: { sessionId } });
});

test('a running command shows with its elapsed time; Cancel makes the client see it cancelled', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('tab', { name: 'Sessions' })).toBeVisible();
  const client = await host.client('agent');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  const call = client.callTool({ name: 'run_command', arguments: { sessionId, command: 'Start-Sleep 30' } });
  const row = page.getByRole('row', { name: new RegExp(sessionId) });
  await expect(row).toContainText('Start-Sleep 30');
  await expect(row).toContainText('running');
  await page.screenshot({ path: test.info().outputPath('sessions.png') });
  await page.getByRole('button', { name: `Cancel command in ${sessionId}` }).click();
  const result = (await call) as CallToolResult;
  expect(result.structuredContent).toMatchObject({ status: 'cancelled', sessionAlive: true });
  await client.callTool({ name: 'end_session', arguments: { sessionId } });
});

test('terminating a session removes it, and the client’s next command gets a clear error', async ({ page }) => {
  await page.goto(await host.signInUrl());
  const client = await host.client('agent2');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  const row = page.getByRole('row', { name: new RegExp(sessionId) });
  await expect(row).toBeVisible();
  // The client is shown by the name it gave when it connected.
  await expect(row).toContainText('agent2 (');
  await page.getByRole('button', { name: `Terminate ${sessionId}` }).click();
  await page.getByRole('button', { name: 'Yes, terminate' }).click();
  await expect(row).toHaveCount(0);
  const after = (await client.callTool({ name: 'run_command', arguments: { sessionId, command: '1' } })) as CallToolResult;
  expect(after.isError).toBe(true);
  expect((after.content[0] as { text: string }).text).toMatch(/start_session/);
});

test('every view renders; screenshots of each are saved as artifacts', async ({ page }) => {
  await page.goto(await host.signInUrl());
  const client = await host.client('shots');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  const { jobId } = (await client.callTool({ name: 'run_background', arguments: { sessionId, command: "1..3 | ForEach-Object { \"line $_\" }" } })).structuredContent as { jobId: string };
  for (const tab of ['Sessions', 'Queue', 'Jobs', 'Backups', 'Events']) {
    await page.getByRole('tab', { name: tab }).click();
    await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
    if (tab === 'Jobs') await expect(page.getByRole('row', { name: new RegExp(jobId) })).toContainText('succeeded');
    if (tab === 'Events') {
      // The log holds the events since the page's stream connected; the first job may have finished
      // before that (a fast machine, or a slow sign-in): another job after it must show.
      await expect(async () => {
        if ((await page.getByText(/job\.finished|job finished/i).count()) > 0) return;
        await client.callTool({ name: 'run_background', arguments: { sessionId, command: "'again'" } });
        await expect(page.getByText(/job\.finished|job finished/i).first()).toBeVisible({ timeout: 5_000 });
      }).toPass({ timeout: 30_000 });
    }
    await page.screenshot({ path: test.info().outputPath(`${tab.toLowerCase()}.png`), fullPage: true });
  }
  await client.callTool({ name: 'end_session', arguments: { sessionId } });
});

test('pausing new sessions from the header makes a request wait (the agent is told why); resuming serves it', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('button', { name: 'Pause new sessions' }).click();
  await expect(page.getByRole('status').first()).toContainText('new sessions paused');
  const client = await host.client('paused');
  const queued = (await client.callTool({ name: 'start_session', arguments: { waitSeconds: 0 } })).structuredContent as { status: string; requestId: string; note?: string };
  expect(queued.status).toBe('queued');
  expect(queued.note).toContain('paused');
  await page.getByRole('tab', { name: 'Queue' }).click();
  await expect(page.getByRole('row', { name: new RegExp(queued.requestId) })).toBeVisible();
  await page.getByRole('button', { name: 'Resume new sessions' }).click();
  await expect(page.getByRole('status').first()).not.toContainText('paused');
  let position = { status: 'queued', sessionId: undefined as string | undefined };
  await expect
    .poll(async () => {
      position = (await client.callTool({ name: 'queue_position', arguments: { requestId: queued.requestId } })).structuredContent as typeof position;
      return position.status;
    }, { timeout: 20_000 })
    .toBe('allocated');
  await client.callTool({ name: 'end_session', arguments: { sessionId: position.sessionId } });
});

test('a job started while the page’s event stream is still connecting is shown (the snapshot is loaded again once it connects)', async ({ page }) => {
  const client = await host.client('early');
  const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
  // Hold the page's event stream back until the job has started: the first snapshot is answered
  // before the job exists, and the stream misses the job's events.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let streamAsked!: () => void;
  const asked = new Promise<void>((resolve) => (streamAsked = resolve));
  await page.route('**/events', async (route) => {
    streamAsked();
    await released;
    await route.continue();
  });
  const snapshotAnswered = page.waitForResponse('**/api/snapshot');
  await page.goto(await host.signInUrl());
  await Promise.all([asked, snapshotAnswered]);
  const { jobId } = (await client.callTool({ name: 'run_background', arguments: { sessionId, command: "'early job'" } })).structuredContent as { jobId: string };
  await expect
    .poll(async () => ((await client.callTool({ name: 'get_job', arguments: { jobId } })).structuredContent as { status: string }).status)
    .toBe('succeeded');
  release();
  await page.getByRole('tab', { name: 'Jobs' }).click();
  await expect(page.getByRole('row', { name: new RegExp(jobId) })).toContainText('succeeded');
  await client.callTool({ name: 'end_session', arguments: { sessionId } });
});

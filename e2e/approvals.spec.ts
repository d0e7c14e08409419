import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serveHost, type ServedHost } from './hostFixture.js';

// Approval rules in the dashboard, against a real `poshpool serve` and real pwsh: an MCP client's
// run_command that a rule names waits for a person, who answers in the prompt in Chromium.

let host: ServedHost;
let work: string;

test.beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'poshpool-e2e-approvals-'));
  host = await serveHost({
    warmSessions: 1,
    maxSessions: 2,
    approvals: { timeoutSeconds: 60, rules: [{ name: 'recursive delete', command: 'Remove-Item', parameters: ['Recurse'] }] },
  });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a command a rule names waits for the person: the prompt shows it exactly; Approve once runs it, Deny refuses it with the reason, Always for this session lets the next one pass', async ({ page }) => {
  await page.goto(await host.signInUrl());
  const agent = await host.client('e2e-agent');
  const started = (await agent.callTool({ name: 'start_session', arguments: {} })) as CallToolResult;
  const { sessionId } = started.structuredContent as { sessionId: string };
  const where = (await agent.callTool({ name: 'run_command', arguments: { sessionId, command: '(Get-Location).Path' } })) as CallToolResult;
  const cwd = (where.structuredContent as { output: string }).output.trim();
  const prompt = page.getByRole('region', { name: 'Commands waiting for your approval' });
  await expect(prompt).toHaveCount(0);

  // Approve once: the command runs, the folder goes.
  const first = path.join(work, 'build & logs');
  mkdirSync(first);
  // Markup in a command is shown as text.
  const command = `Remove-Item -Recurse -Path '${first}' # <b>not bold</b>\n'removed'`;
  const approved = agent.callTool({ name: 'run_command', arguments: { sessionId, command } }) as Promise<CallToolResult>;
  const card = prompt.getByRole('article');
  await expect(card).toHaveCount(1, { timeout: 30_000 });
  await expect(card.getByLabel('Command')).toHaveText(command);
  await expect(card).toContainText('e2e-agent');
  await expect(card).toContainText(cwd);
  await expect(card).toContainText('recursive delete');
  await expect(card).toContainText('Remove-Item with -Recurse');
  await expect(card.getByRole('timer')).toContainText('then denied without an answer');
  await expect(page.getByRole('row', { name: new RegExp(sessionId) })).toContainText('awaiting approval');
  await expect(page.getByRole('row', { name: new RegExp(sessionId) })).toContainText('Remove-Item -Recurse -Path');
  await page.screenshot({ path: test.info().outputPath('approval-prompt.png') });
  expect(existsSync(first)).toBe(true);
  await card.getByRole('button', { name: 'Approve once' }).click();
  const ran = await approved;
  expect(ran.isError).toBeFalsy();
  expect(ran.structuredContent).toMatchObject({ success: true, output: 'removed' });
  expect(existsSync(first)).toBe(false);
  await expect(prompt).toHaveCount(0);
  await expect(page.getByRole('row', { name: new RegExp(sessionId) })).not.toContainText('awaiting approval');

  // Deny: the call says a person denied it from the dashboard, and the folder stays.
  const second = path.join(work, 'keep-me');
  mkdirSync(second);
  const denied = agent.callTool({ name: 'run_command', arguments: { sessionId, command: `Remove-Item -Recurse '${second}'` } }) as Promise<CallToolResult>;
  await expect(card).toHaveCount(1, { timeout: 30_000 });
  await expect(card.getByLabel('Command')).toHaveText(`Remove-Item -Recurse '${second}'`);
  await card.getByRole('button', { name: 'Deny' }).click();
  const refused = await denied;
  expect(refused.isError).toBe(true);
  const reason = (refused.content[0] as { text: string }).text;
  expect(reason).toContain('a person denied it from the dashboard');
  expect(reason).toContain('recursive delete');
  expect(existsSync(second)).toBe(true);
  await expect(prompt).toHaveCount(0);

  // Always for this session: this one runs, and the next the same rule names runs without a question.
  const third = path.join(work, 'third');
  const fourth = path.join(work, 'fourth');
  mkdirSync(third);
  mkdirSync(fourth);
  const always = agent.callTool({ name: 'run_command', arguments: { sessionId, command: `Remove-Item -Recurse '${third}'` } }) as Promise<CallToolResult>;
  await expect(card).toHaveCount(1, { timeout: 30_000 });
  await card.getByRole('button', { name: 'Always for this session' }).click();
  expect((await always).isError).toBeFalsy();
  const next = (await agent.callTool({ name: 'run_command', arguments: { sessionId, command: `Remove-Item -Recurse '${fourth}'` } })) as CallToolResult;
  expect(next.isError).toBeFalsy();
  expect(existsSync(third) || existsSync(fourth)).toBe(false);
  await agent.callTool({ name: 'end_session', arguments: { sessionId } });
});

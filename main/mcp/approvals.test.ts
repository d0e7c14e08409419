import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, ElicitRequestSchema, type CallToolResult, type ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../test/pwsh.js';
import type { ApprovalRequest } from '../../common/approvals.js';
import { parseSummary, summaryCommand } from '../core/approval/commandSummary.js';
import { defaultConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';

// Approval rules against real pwsh and the SDK's own client: the session summarizes a command with
// PowerShell's own parser and its own commands (nothing runs), a matching command waits for a person,
// and every decision reaches the audit log.

const TIMEOUT_SECONDS = 4;
let dir: string;
let work: string;
let core: Core;
const disposers: (() => Promise<void>)[] = [];

async function connect(name: string, elicit?: (req: ElicitRequest) => Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string> }>): Promise<Client> {
  const server = createMcpServer({ core, clientId: name, settings: {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.server.connect(serverSide);
  const client = new Client({ name, version: '1.0.0' }, elicit ? { capabilities: { elicitation: { form: {} } } } : {});
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (req) => elicit(req));
  await client.connect(clientSide);
  disposers.push(async () => {
    await client.close();
    await server.dispose();
  });
  return client;
}

function run(client: Client, command: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return client.callTool({ name: 'run_command', arguments: { command, ...args } }) as Promise<CallToolResult>;
}

function text(r: CallToolResult): string {
  return (r.content[0] as { text: string }).text;
}

async function pendingFor(clientId: string): Promise<ApprovalRequest> {
  expect(await waitFor(() => core.approvals.pending().some((p) => p.clientId === clientId), 20_000)).toBe(true);
  return core.approvals.pending().find((p) => p.clientId === clientId)!;
}

function auditLines(): Record<string, unknown>[] {
  return readFileSync(path.join(dir, 'data', 'logs', 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-approvals-'));
  work = path.join(dir, 'work');
  mkdirSync(work);
  const made = createCore({
    config: defaultConfig({
      warmSessions: 1,
      maxSessions: 4,
      approvals: {
        timeoutSeconds: TIMEOUT_SECONDS,
        rules: [
          { name: 'recursive delete', command: 'Remove-Item', parameters: ['Recurse'] },
          { command: 'git', arguments: ['push'], parameters: ['--force|-f'] },
          { commandType: 'native', outsideWorkspace: true },
        ],
      },
    }),
    dataDir: path.join(dir, 'data'),
    cwd: work,
  });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
});
afterAll(async () => {
  for (const d of disposers) await d();
  await core?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the session summarizes a command without running it', () => {
  it('resolves aliases and functions, binds abbreviations, finds nested and dynamic commands; nothing runs', async () => {
    const victim = path.join(work, 'summary-victim');
    mkdirSync(victim);
    const ticket = await core.manager.requestSession('summary');
    if (ticket.status !== 'allocated') throw new Error(`no session: ${JSON.stringify(ticket)}`);
    const session = core.manager.listSessions('summary')[0]!;
    await core.manager.run('summary', session.sessionId, 'function Invoke-Nuke { param([switch]$All) }');
    const shell = core.manager.shellOf(session.sessionId)!;
    const command = `ri -Rec '${victim}'; 1..2 | % { iex "x" }; Invoke-Nuke -A; & $foo; git push --force origin`;
    const out = await shell.run(summaryCommand(command));
    const parsed = parseSummary(out.output);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { summary } = parsed;
    expect(summary.cwd).toBe(work);
    expect(summary.parseErrors).toBe(0);
    const byWritten = new Map(summary.commands.map((c) => [c.written, c]));
    expect(byWritten.get('ri')).toMatchObject({ name: 'Remove-Item', type: 'Cmdlet', parameters: ['-Rec'] });
    expect(byWritten.get('ri')!.bound).toContain('Recurse');
    expect(byWritten.get('%')).toMatchObject({ name: 'ForEach-Object', type: 'Cmdlet' });
    expect(byWritten.get('iex')).toMatchObject({ name: 'Invoke-Expression', type: 'Cmdlet' });
    expect(byWritten.get('Invoke-Nuke')).toMatchObject({ type: 'Function', bound: ['All'] });
    expect(byWritten.get(null)).toMatchObject({ name: null, type: 'Unknown' });
    expect(byWritten.get('git')).toMatchObject({ type: 'Application', arguments: ['push', '--force', 'origin'] });
    expect(byWritten.get('git')!.path).toMatch(/git$/);
    expect(existsSync(victim)).toBe(true);
    await core.manager.endSession('summary', session.sessionId);
  });
});

describe('a command that matches a rule waits for a person', () => {
  it('runs once approved from the dashboard; the request shows the command, client and cwd; the audit log has the decision', async () => {
    const victim = path.join(work, 'approved-victim');
    mkdirSync(victim);
    const client = await connect('agent-a');
    const call = run(client, `Remove-Item -Rec '${victim}'; 'removed'`);
    const request = await pendingFor('agent-a');
    expect(request).toMatchObject({ clientName: 'agent-a', cwd: work, command: `Remove-Item -Rec '${victim}'; 'removed'` });
    expect(request.rules).toEqual([{ name: 'recursive delete', description: 'Remove-Item with -Recurse', command: 'Remove-Item' }]);
    expect(core.manager.listSessions('agent-a')[0]).toMatchObject({ awaitingApproval: true });
    expect(existsSync(victim)).toBe(true);
    expect(core.approvals.answer(request.approvalId, 'once', 'dashboard')).toEqual({ ok: true });
    const r = await call;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ success: true, output: 'removed' });
    expect(existsSync(victim)).toBe(false);
    expect(core.approvals.answer(request.approvalId, 'deny', 'dashboard')).toMatchObject({ ok: false });
    const line = auditLines().find((l) => l.status === 'approval' && l.client === 'agent-a');
    expect(line).toMatchObject({ decision: 'approved', by: 'dashboard', rules: ['recursive delete'], session: request.sessionId });
  });

  it('commands no rule names run at once, without a question', async () => {
    const client = await connect('agent-b');
    const before = core.approvals.pending().length;
    const r = await run(client, "Get-Date | Out-Null; git --version | Out-Null; Remove-Item -Force -ErrorAction Ignore ./nothing; 'plain'");
    expect(r.structuredContent).toMatchObject({ success: true, output: 'plain' });
    expect(core.approvals.pending().length).toBe(before);
    expect(auditLines().some((l) => l.status === 'approval' && l.client === 'agent-b')).toBe(false);
    // The summaries are poshpool's own commands: the agent's history holds its own commands only.
    expect((await run(client, '(Get-History).Count')).structuredContent).toMatchObject({ output: '1' });
  });

  it('is denied when nobody answers in time, with the rule and where to change it; nothing ran', async () => {
    const client = await connect('agent-c');
    const r = await run(client, 'git push --force origin main');
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('git with push and --force|-f');
    expect(text(r)).toContain(`nobody answered within ${TIMEOUT_SECONDS} s`);
    expect(text(r)).toContain('"approvals"');
    expect(auditLines().find((l) => l.status === 'approval' && l.client === 'agent-c')).toMatchObject({ decision: 'denied', by: 'timeout', command: 'git push --force origin main' });
    // The session is still the client's and runs what is allowed.
    expect((await run(client, "'still here'")).structuredContent).toMatchObject({ output: 'still here' });
  });

  it('"always for this session" lets the same rule pass in that session without asking again', async () => {
    const client = await connect('agent-d');
    const a = path.join(work, 'always-a');
    const b = path.join(work, 'always-b');
    mkdirSync(a);
    mkdirSync(b);
    const first = run(client, `Remove-Item -Recurse '${a}'`);
    const request = await pendingFor('agent-d');
    core.approvals.answer(request.approvalId, 'session', 'tray');
    expect((await first).isError).toBeFalsy();
    const second = await run(client, `Remove-Item -Recurse '${b}'`);
    expect(second.isError).toBeFalsy();
    expect(existsSync(a) || existsSync(b)).toBe(false);
    const decisions = auditLines().filter((l) => l.status === 'approval' && l.client === 'agent-d');
    expect(decisions.map((l) => [l.decision, l.by])).toEqual([
      ['approvedForSession', 'tray'],
      ['approvedForSession', 'remembered'],
    ]);
  });

  it("the client's own user can answer through elicitation: deny, and approve once", async () => {
    const asked: string[] = [];
    let answer = 'deny';
    const client = await connect('agent-e', async (req) => {
      asked.push(req.params.message);
      return { action: 'accept', content: { decision: answer } };
    });
    const victim = path.join(work, 'elicit-victim');
    mkdirSync(victim);
    const denied = await run(client, `Remove-Item -Recurse '${victim}'`);
    expect(denied.isError).toBe(true);
    expect(text(denied)).toContain("the client's user denied it");
    expect(existsSync(victim)).toBe(true);
    expect(asked[0]).toContain(`Remove-Item -Recurse '${victim}'`);
    expect(asked[0]).toContain('recursive delete');
    answer = 'once';
    expect((await run(client, `Remove-Item -Recurse '${victim}'`)).isError).toBeFalsy();
    expect(existsSync(victim)).toBe(false);
    expect(auditLines().filter((l) => l.status === 'approval' && l.client === 'agent-e').map((l) => l.by)).toEqual(['client', 'client']);
  });

  it('cancel_command while a command waits ends the wait; the command never runs', async () => {
    const client = await connect('agent-f');
    const victim = path.join(work, 'cancel-victim');
    mkdirSync(victim);
    const call = run(client, `Remove-Item -Recurse '${victim}'`);
    const request = await pendingFor('agent-f');
    const cancelled = await client.callTool({ name: 'cancel_command', arguments: { sessionId: request.sessionId } });
    expect(cancelled.isError).toBeFalsy();
    const r = await call;
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('cancelled while it waited for approval');
    expect(existsSync(victim)).toBe(true);
  });

  it('a task whose command waits says so in tasks/get, and completes once approved', async () => {
    const client = await connect('agent-h');
    const victim = path.join(work, 'task-victim');
    mkdirSync(victim);
    const stream = client.experimental.tasks.callToolStream({ name: 'run_command', arguments: { command: `Remove-Item -Recurse '${victim}'; 'gone'` } }, CallToolResultSchema, {
      task: { ttl: 60_000 },
    });
    const first = (await stream.next()).value as { type: string; task: { taskId: string } };
    expect(first.type).toBe('taskCreated');
    const request = await pendingFor('agent-h');
    const waiting = await client.experimental.tasks.getTask(first.task.taskId);
    expect(waiting.status).toBe('working');
    expect(waiting.statusMessage).toContain("waiting for a person's approval (rule: recursive delete)");
    core.approvals.answer(request.approvalId, 'once', 'dashboard');
    let last: { type: string; result?: CallToolResult } | undefined;
    for await (const m of stream) last = m as typeof last;
    expect(last?.type).toBe('result');
    expect(last?.result?.structuredContent).toMatchObject({ success: true, output: 'gone' });
    expect(existsSync(victim)).toBe(false);
  });

  it('a native command outside the workspace asks; the same inside it does not', async () => {
    const client = await connect('agent-g');
    expect((await run(client, "/bin/echo inside")).structuredContent).toMatchObject({ output: 'inside' });
    expect((await run(client, 'Set-Location /')).isError).toBeFalsy();
    const call = run(client, '/bin/echo outside');
    const request = await pendingFor('agent-g');
    expect(request).toMatchObject({ cwd: '/', rules: [{ name: 'any native command outside the workspace', command: '/bin/echo' }] });
    core.approvals.answer(request.approvalId, 'once', 'dashboard');
    expect((await call).structuredContent).toMatchObject({ output: 'outside' });
  });
});

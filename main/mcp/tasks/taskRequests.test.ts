import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, CreateTaskResultSchema, type CallToolResult, type Task } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../../test/pwsh.js';
import { defaultConfig } from '../../core/config/schema.js';
import { createCore, type Core } from '../../core/createCore.js';
import { createMcpServer } from '../createMcpServer.js';
import type { TaskSettings } from './ClientTaskStore.js';

// Tasks of run_command at their edges (a limit reached, a command waiting for input), with the SDK's
// client over the in-memory transport against real pwsh; both real transports are in runCommandTask.test.ts.

let dir: string;
let core: Core;
const disposers: (() => Promise<void>)[] = [];

async function connect(taskSettings: Partial<TaskSettings> = {}): Promise<Client> {
  const { server, dispose } = createMcpServer({ core, clientId: 'c1', taskSettings });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'tasks', version: '1.0.0' });
  await client.connect(clientSide);
  disposers.push(async () => {
    await client.close();
    await dispose();
  });
  return client;
}

async function createTask(client: Client, args: Record<string, unknown>): Promise<Task> {
  const created = await client.request({ method: 'tools/call', params: { name: 'run_command', arguments: args, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
  return created.task;
}

beforeEach(() => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-taskreq-'));
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 3 }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
});
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('run_command tasks at their edges', () => {
  it('a task beyond maxTasks still working fails at once with the reason, and its command never runs', async () => {
    const client = await connect({ maxTasks: 1 });
    const first = await createTask(client, { command: 'Start-Sleep -Seconds 60' });
    const second = await createTask(client, { command: "'second'", fresh: true });
    expect(second).toMatchObject({ status: 'failed', statusMessage: 'You have 1 tasks still working (at most 1): wait for one to end or cancel one with tasks/cancel.' });
    expect(await client.experimental.tasks.getTaskResult(second.taskId, CallToolResultSchema)).toMatchObject({ isError: true, content: [{ type: 'text', text: second.statusMessage }] });
    expect(await waitFor(() => core.jobs.list('c1').length > 0, 10_000)).toBe(true);
    expect(core.jobs.list('c1').map((j) => j.jobId)).toEqual([first.taskId]);
    // Once the first has ended, it makes room.
    await client.experimental.tasks.cancelTask(first.taskId);
    await client.experimental.tasks.getTaskResult(first.taskId, CallToolResultSchema);
    const again = await createTask(client, { command: "'third'" });
    expect((await client.experimental.tasks.getTaskResult(again.taskId, CallToolResultSchema)).structuredContent).toMatchObject({ output: 'third' });
  }, 60_000);

  it('says when its command waits for input; send_input on its session answers it', async () => {
    const client = await connect();
    const task = await createTask(client, { command: "$name = Read-Host 'Name'; \"hello $name\"" });
    let status: Task | undefined;
    expect(
      await waitFor(() => {
        void client.experimental.tasks.getTask(task.taskId).then((t) => (status = t));
        return status?.statusMessage?.startsWith('waiting for input on session ') === true;
      }, 15_000, 200),
    ).toBe(true);
    expect(status?.status).toBe('working');
    const sessionId = /on session (\S+) /.exec(status!.statusMessage!)![1]!;
    const sent = (await client.callTool({ name: 'send_input', arguments: { sessionId, text: 'tasks' } })) as CallToolResult;
    expect(sent.structuredContent).toMatchObject({ sent: true });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ status: 'completed', success: true, output: expect.stringContaining('hello tasks') });
  }, 60_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, TaskStatusNotificationSchema, type CallToolResult, type Task } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, waitFor } from '../../../test/pwsh.js';
import { defaultConfig } from '../../core/config/schema.js';
import { Host } from '../../host/Host.js';

// run_command as an MCP Task (spec 2025-11-25), with the SDK client's task API over both transports
// of a real host (Streamable HTTP, and the stdio bridge as the real `poshpool bridge` process), real
// pwsh behind them.

const bin = path.resolve(import.meta.dirname, '../../../bin/poshpool.js');
let dir: string;
let dataDir: string;
let host: Host;
let token: string;

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-tasks-'));
  dataDir = path.join(dir, 'data');
  const started = await Host.start({ config: defaultConfig({ warmSessions: 2, maxSessions: 4 }), dataDir, port: 0, cwd: dir, log: () => undefined });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface Connected {
  client: Client;
  /** Ends the client as one that leaves properly does (the bridge: its process ends; HTTP: DELETE of its MCP session). */
  leave(): Promise<void>;
  /** notifications/tasks/status received, in order. */
  statuses: Task[];
}

async function connect(transport: 'HTTP' | 'bridge', name: string): Promise<Connected> {
  const client = new Client({ name, version: '1.0.0' });
  const statuses: Task[] = [];
  client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params));
  const http = transport === 'HTTP' ? new StreamableHTTPClientTransport(new URL(host.info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }) : undefined;
  await client.connect(http ?? new StdioClientTransport({ command: process.execPath, args: [bin, 'bridge', '--data-dir', dataDir], stderr: 'pipe' }));
  const leave = async (): Promise<void> => {
    await http?.terminateSession();
    await client.close();
  };
  return { client, statuses, leave };
}

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Starts run_command as a task (the first message of the SDK's callToolStream) and returns the rest of the stream. */
async function startTask(client: Client, args: Record<string, unknown>): Promise<{ task: Task; rest: AsyncGenerator<unknown> }> {
  const stream = client.experimental.tasks.callToolStream({ name: 'run_command', arguments: args }, CallToolResultSchema, { task: { ttl: 120_000 } });
  const first = (await stream.next()).value as { type: string; task: Task };
  expect(first.type).toBe('taskCreated');
  return { task: first.task, rest: stream };
}

async function drain(stream: AsyncGenerator<unknown>): Promise<{ type: string; task?: Task; result?: CallToolResult; error?: Error }[]> {
  const seen: { type: string; task?: Task; result?: CallToolResult; error?: Error }[] = [];
  for await (const m of stream) seen.push(m as (typeof seen)[number]);
  return seen;
}

describe.each(['HTTP', 'bridge'] as const)('run_command as a task over %s', (transport) => {
  it('says so in tools/list and the capabilities; a task for a 3 s command comes back at once, is working, then completed, with the result a plain call gives', async () => {
    const { client, statuses } = await connect(transport, `tasks-${transport}`);
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'run_command')?.execution).toEqual({ taskSupport: 'optional' });
    // run_background answers with its job id at once: nothing for a task to wait for.
    expect(tools.find((t) => t.name === 'run_background')?.execution?.taskSupport).not.toBe('optional');

    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const command = "Start-Sleep -Seconds 3; 'slept'; Get-Item /nope";
    const { task, rest } = await startTask(client, { sessionId, command });
    expect(task).toMatchObject({ status: 'working', ttl: 120_000, pollInterval: 1000 });
    expect(task.taskId).toMatch(/^job-/);

    // Working: tasks/get says what it does; the task is a job (get_job sees it running).
    const working = await client.experimental.tasks.getTask(task.taskId);
    expect(working.status).toBe('working');
    expect(working.statusMessage).toMatch(/^(waiting for a session|running on session .+ bytes of output so far)$/);
    expect(structured(await client.callTool({ name: 'get_job', arguments: { jobId: task.taskId } }))).toMatchObject({ status: 'running', sessionId });

    const seen = await drain(rest);
    expect(seen.map((m) => m.task?.status ?? m.type)).toContain('working');
    const last = seen[seen.length - 1]!;
    expect(last.type).toBe('result');
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe('completed');
    const fetched = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(fetched.structuredContent).toEqual(last.result?.structuredContent);
    expect(fetched.content).toEqual(last.result?.content);

    // The same command as a plain call: the same result, but for how long it took.
    const plain = (await client.callTool({ name: 'run_command', arguments: { sessionId, command } })) as CallToolResult;
    expect(plain).not.toHaveProperty('task');
    const same = (r: CallToolResult | undefined): unknown => ({ ...r?.structuredContent, durationMs: 0 });
    expect(same(fetched)).toEqual(same(plain));
    expect(fetched.structuredContent).toMatchObject({ status: 'completed', output: expect.stringContaining('slept'), success: false, errorCount: 1, sessionKind: 'session' });

    // The status change was notified; tasks/list has the task.
    expect(await waitFor(() => statuses.some((s) => s.taskId === task.taskId && s.status === 'completed'), 10_000)).toBe(true);
    expect((await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(task.taskId);
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    await client.close();
  }, 60_000);

  it('tasks/cancel stops the command at once; the result says cancelled and the session goes on', async () => {
    const { client, statuses } = await connect(transport, `cancel-${transport}`);
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const { task } = await startTask(client, { sessionId, command: "$global:before = 'kept'; Start-Sleep -Seconds 120" });
    expect(await waitFor(() => host.core.manager.listSessions().some((s) => s.sessionId === sessionId && s.currentCommand !== null), 10_000)).toBe(true);

    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ status: 'cancelled', sessionId, sessionAlive: true });
    expect(await waitFor(() => statuses.some((s) => s.taskId === task.taskId && s.status === 'cancelled'), 10_000)).toBe(true);
    // A cancelled task stays cancelled; cancelling it again is refused (spec: terminal tasks cannot be cancelled).
    await expect(client.experimental.tasks.cancelTask(task.taskId)).rejects.toThrow(/terminal status: cancelled/);

    expect(structured(await client.callTool({ name: 'run_command', arguments: { sessionId, command: '$global:before' } }))).toMatchObject({ output: 'kept', success: true });
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    await client.close();
  }, 60_000);

  it("another client can neither see, read nor cancel a client's task (nor its job)", async () => {
    const owner = await connect(transport, `owner-${transport}`);
    const other = await connect(transport, `other-${transport}`);
    const { task, rest } = await startTask(owner.client, { command: "Start-Sleep -Seconds 3; 'mine'" });
    await expect(other.client.experimental.tasks.getTask(task.taskId)).rejects.toThrow(/not found/i);
    await expect(other.client.experimental.tasks.cancelTask(task.taskId)).rejects.toThrow(/not found/i);
    await expect(other.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)).rejects.toThrow(/not found/i);
    expect((await other.client.experimental.tasks.listTasks()).tasks).toEqual([]);
    expect(((await other.client.callTool({ name: 'cancel_job', arguments: { jobId: task.taskId } })) as CallToolResult).isError).toBe(true);

    const seen = await drain(rest);
    expect(seen[seen.length - 1]).toMatchObject({ type: 'result', result: { structuredContent: { status: 'completed', output: 'mine', sessionKind: 'default' } } });
    expect(other.statuses).toEqual([]);
    await owner.client.close();
    await other.client.close();
  }, 60_000);

  it('a task that cannot start fails with the error a plain call gives, and the refusal is in the audit log', async () => {
    const { client } = await connect(transport, `refused-${transport}`);
    const args = { sessionId: 'no-such-session', command: "'never'" };
    const plain = (await client.callTool({ name: 'run_command', arguments: args })) as CallToolResult;
    expect(plain.isError).toBe(true);
    const { task, rest } = await startTask(client, args);
    const seen = await drain(rest);
    expect(seen[seen.length - 1]).toMatchObject({ type: 'error' });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'failed' });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result).toMatchObject({ isError: true, content: plain.content });
    const audit = readFileSync(path.join(dataDir, 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // One line for the plain call, one for the task.
    expect(audit.filter((e) => e.clientName === `refused-${transport}` && e.session === 'no-such-session' && e.status === 'refused')).toHaveLength(2);
    await client.close();
  }, 60_000);

  it('a task asked of a tool that takes none is refused with -32601 before the tool runs (spec 2025-11-25, execution.taskSupport "forbidden")', async () => {
    const { client } = await connect(transport, `forbidden-${transport}`);
    const { sessionId } = structured<{ sessionId: string }>(await client.callTool({ name: 'start_session', arguments: {} }));
    const jobsBefore = host.core.jobs.list().length;
    const stream = client.experimental.tasks.callToolStream({ name: 'run_background', arguments: { sessionId, command: "'no'" } }, CallToolResultSchema, { task: { ttl: 60_000 } });
    const seen = await drain(stream);
    expect(seen).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: -32601, message: expect.stringContaining('run_background cannot be called as a task') }) })]);
    expect(host.core.jobs.list()).toHaveLength(jobsBefore);
    await client.callTool({ name: 'end_session', arguments: { sessionId } });
    await client.close();
  }, 60_000);

  it("a client that goes away stops its task's command", async () => {
    const { client, leave } = await connect(transport, `gone-${transport}`);
    const { task } = await startTask(client, { command: 'Start-Sleep -Seconds 300' });
    expect(await waitFor(() => host.core.jobs.list().some((j) => j.jobId === task.taskId), 10_000)).toBe(true);
    await leave();
    expect(await waitFor(() => host.core.jobs.list().find((j) => j.jobId === task.taskId)?.status !== 'running', 20_000)).toBe(true);
  }, 60_000);
});

import type { Task } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok } from '../tools/shared.js';
import { ClientTaskStore, statusOfResult, type TaskSettings } from './ClientTaskStore.js';

// The store's own rules (TTL, bounds, cancel, notifications) with fake timers; the tasks of real
// commands over real transports are in runCommandTask.test.ts.

const settings: TaskSettings = { defaultTtlMs: 60_000, maxTtlMs: 600_000, minTtlMs: 1_000, pollIntervalMs: 500, maxTasks: 3 };
let notified: Task[];
let store: ClientTaskStore;

function make(overrides: Partial<TaskSettings> = {}): ClientTaskStore {
  let n = 0;
  notified = [];
  store = new ClientTaskStore({ newId: () => `job-${++n}`, notify: (t) => void notified.push(t), settings: { ...settings, ...overrides } });
  return store;
}

const done = ok({ status: 'completed', output: 'hi' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  store.dispose();
  vi.useRealTimers();
});

describe('ClientTaskStore', () => {
  it('grants the TTL asked for within its bounds, and a default when none is asked', () => {
    make();
    expect(store.create(undefined).task).toMatchObject({ taskId: 'job-1', status: 'working', ttl: 60_000, pollInterval: 500 });
    expect(store.create(5_000).task.ttl).toBe(5_000);
    expect(store.create(10).task.ttl).toBe(1_000);
    store.dispose();
    make();
    expect(store.create(null).task.ttl).toBe(60_000);
    expect(store.create(99_999_999).task.ttl).toBe(600_000);
  });

  it('says what a working task does, then its final status, and notifies the client of the change', async () => {
    make();
    const handle = store.create(undefined);
    handle.describe = () => 'running on session s-1: 12 bytes of output so far';
    expect(await store.getTask('job-1')).toMatchObject({ status: 'working', statusMessage: 'running on session s-1: 12 bytes of output so far' });
    store.finish('job-1', { status: 'completed', result: () => done });
    expect(await store.getTask('job-1')).toMatchObject({ status: 'completed' });
    expect((await store.getTask('job-1'))?.statusMessage).toBeUndefined();
    expect(notified).toEqual([expect.objectContaining({ taskId: 'job-1', status: 'completed' })]);
    expect(await store.getTaskResult('job-1')).toBe(done);
  });

  it('tasks/result waits for the work to end', async () => {
    make();
    store.create(undefined);
    let answered = false;
    const result = store.getTaskResult('job-1').then((r) => ((answered = true), r));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(answered).toBe(false);
    store.finish('job-1', { status: 'failed', result: () => fail('no') });
    expect(await result).toMatchObject({ isError: true });
  });

  it('a cancel aborts the work at once, stays cancelled when the work ends, and its result is the one the work gave', async () => {
    make();
    const handle = store.create(undefined);
    await store.updateTaskStatus('job-1', 'cancelled', 'Client cancelled task execution.');
    expect(handle.signal.aborted).toBe(true);
    expect(await store.getTask('job-1')).toMatchObject({ status: 'cancelled', statusMessage: 'Client cancelled task execution.' });
    expect(notified.map((t) => t.status)).toEqual(['cancelled']);
    const stopped = ok({ status: 'cancelled' });
    store.finish('job-1', { status: statusOfResult(stopped), result: () => stopped });
    expect(await store.getTask('job-1')).toMatchObject({ status: 'cancelled' });
    expect(notified).toHaveLength(1);
    expect(await store.getTaskResult('job-1')).toBe(stopped);
  });

  it('forgets an ended task its TTL after it ended, never a working one', async () => {
    make();
    store.create(2_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await store.getTask('job-1')).not.toBeNull();
    store.finish('job-1', { status: 'completed', result: () => done });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(await store.getTask('job-1')).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(await store.getTask('job-1')).toBeNull();
    await expect(store.getTaskResult('job-1')).rejects.toThrow(/Task not found: job-1/);
  });

  it('keeps at most maxTasks: the oldest ended ones go first; when all still work, a new one is created failed, saying why', async () => {
    make();
    for (let i = 0; i < 3; i++) store.create(undefined);
    store.finish('job-2', { status: 'completed', result: () => done });
    expect(store.create(undefined).task.taskId).toBe('job-4');
    await expect(store.listTasks()).resolves.toMatchObject({ tasks: [{ taskId: 'job-1' }, { taskId: 'job-3' }, { taskId: 'job-4' }] });
    const refused = store.create(undefined);
    expect(refused.refused).toMatch(/^You have 3 tasks still working \(at most 3\): wait for one to end or cancel one with tasks\/cancel\.$/);
    expect(refused.signal.aborted).toBe(true);
    expect(await store.getTask('job-5')).toMatchObject({ status: 'failed', statusMessage: refused.refused });
    expect(await store.getTaskResult('job-5')).toMatchObject({ isError: true, content: [{ type: 'text', text: refused.refused }] });
    expect(notified).toEqual([expect.objectContaining({ taskId: 'job-2', status: 'completed' })]);
    // The refused one is ended, so it is the first to make room for the next.
    expect(store.create(undefined).refused).toBeDefined();
    await expect(store.getTask('job-5')).resolves.toBeNull();
  });

  it('lists tasks page by page and refuses a cursor that names none of them', async () => {
    make({ maxTasks: 200 });
    for (let i = 0; i < 120; i++) store.create(undefined);
    const first = await store.listTasks();
    expect(first.tasks).toHaveLength(50);
    const second = await store.listTasks(first.nextCursor);
    expect(second.tasks[0]?.taskId).toBe('job-51');
    const third = await store.listTasks(second.nextCursor);
    expect(third.tasks).toHaveLength(20);
    expect(third.nextCursor).toBeUndefined();
    await expect(store.listTasks('job-999')).rejects.toThrow(/Invalid cursor "job-999"/);
  });

  it('a tool result with isError fails the task; a cancelled command cancels it (spec 2025-11-25, Task Status)', () => {
    expect(statusOfResult(fail('x'))).toBe('failed');
    expect(statusOfResult(ok({ status: 'cancelled' }))).toBe('cancelled');
    expect(statusOfResult(ok({ status: 'timedOut', success: false }))).toBe('completed');
  });

  it('stops every task when the client goes away, and takes no new one', () => {
    make();
    const a = store.create(undefined);
    const b = store.create(undefined);
    store.dispose();
    expect([a.signal.aborted, b.signal.aborted]).toEqual([true, true]);
    expect(notified).toEqual([]);
    expect(() => store.create(undefined)).toThrow(/closing this connection/);
  });
});

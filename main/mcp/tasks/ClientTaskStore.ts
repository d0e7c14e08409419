import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { isTerminal } from '@modelcontextprotocol/sdk/experimental/tasks';
import { ErrorCode, McpError, type CallToolResult, type Result, type Task } from '@modelcontextprotocol/sdk/types.js';
import { fail } from '../tools/shared.js';

/**
 * MCP Tasks (spec 2025-11-25, basic/utilities/tasks) of ONE client, as the SDK's Protocol asks for
 * them (tasks/get, tasks/result, tasks/list, tasks/cancel all land here).
 *
 * A task is a job seen through the Tasks protocol, not a second kind of thing: a tool that runs a
 * command as a task takes the task's id from JobManager.newJobId() and adopts its command into the
 * core's JobManager under that id, so get_job/cancel_job, the dashboard and the audit log see it as
 * the job it is. This store keeps only what the protocol adds: the status clients poll, the TTL, an
 * abort for the cancel, and how to build the tool's result. The result is built when asked from the
 * job store (the job's result and its spilled output), so results are bounded by jobRetentionCount
 * and jobRetentionBytes like every job's, not copied into a second store; a task whose job was
 * forgotten before its TTL answers tasks/result with an error saying so.
 *
 * Scoping: one McpServer (and so one store) serves one client, so a task id is only ever looked up
 * among its own client's tasks (like jobs); the `sessionId` the SDK passes is that client's transport
 * session and is not needed. A client that goes away takes its tasks with it (dispose()).
 */

/** Settings of a client's task store. */
export interface TaskSettings {
  /** TTL granted when the client names none (ms from creation; restarted when the task ends). */
  defaultTtlMs: number;
  /** Longest TTL granted, whatever the client asks (ms); tasks are never kept without limit. */
  maxTtlMs: number;
  /** Shortest TTL granted (ms): a shorter one could drop a result before a client can fetch it. */
  minTtlMs: number;
  /** Poll interval suggested to clients (ms), and the SDK's wait between checks in tasks/result. */
  pollIntervalMs: number;
  /** Tasks one client may hold (working or kept); beyond it the oldest ended ones are forgotten. */
  maxTasks: number;
}

/** One hour by default, a day at most: longer than any command a person waits for, still bounded. */
export const DEFAULT_TASK_SETTINGS: TaskSettings = { defaultTtlMs: 3_600_000, maxTtlMs: 86_400_000, minTtlMs: 1_000, pollIntervalMs: 1_000, maxTasks: 100 };

/** A task being worked on, as the tool that started it holds it. */
export interface TaskHandle {
  readonly task: Task;
  /** Aborted by tasks/cancel (and when the client goes away): stop waiting for a session, stop the command. */
  readonly signal: AbortSignal;
  /** While working: what the task is doing now, for tasks/get (e.g. its output so far). */
  describe?: () => string | undefined;
  /**
   * Set when the task was refused as it was created (the client has maxTasks still working): it is
   * failed already, with this reason as its result, and its work must not start. A refusal is a task
   * and not an error because the SDK answers any error of a task-augmented tools/call with "Invalid
   * task creation result" (its Server checks the answer is a CreateTaskResult), losing the reason.
   */
  readonly refused?: string;
}

/** How a task's work ended: its final status and how to build the tool's result when asked. */
export interface TaskEnding {
  status: 'completed' | 'failed' | 'cancelled';
  result: () => CallToolResult;
}

interface TaskRecord extends TaskHandle {
  task: Task;
  abort: AbortController;
  ending?: TaskEnding;
  /** Resolves once the work has ended (a cancelled task's command may still be stopping before). */
  ended: Promise<void>;
  markEnded: () => void;
  expiry?: NodeJS.Timeout;
}

/** The status a tool result stands for: isError is failed (spec: tool results with isError fail the task). */
export function statusOfResult(result: CallToolResult): TaskEnding['status'] {
  if (result.isError) return 'failed';
  const structured = result.structuredContent as { status?: unknown } | undefined;
  return structured?.status === 'cancelled' ? 'cancelled' : 'completed';
}

/** One client's MCP tasks (see the file comment). */
export class ClientTaskStore implements TaskStore {
  private readonly records = new Map<string, TaskRecord>();
  private disposed = false;

  constructor(
    private readonly deps: {
      /** A new task id: the job id its command will run under. */
      newId: () => string;
      /** Sends notifications/tasks/status to the client (a failure to send is not the store's). */
      notify: (task: Task) => void;
      settings: TaskSettings;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Starts a task (status working) with the TTL the client asked for, within the settings' bounds;
   * when the client has maxTasks still working, the task is created failed (see TaskHandle.refused).
   */
  create(requestedTtlMs: number | null | undefined): TaskHandle {
    if (this.disposed) throw new McpError(ErrorCode.InvalidRequest, 'poshpool is closing this connection; no new task can start.');
    const full = this.makeRoom();
    const { settings } = this.deps;
    const ttl = Math.min(settings.maxTtlMs, Math.max(settings.minTtlMs, requestedTtlMs ?? settings.defaultTtlMs));
    const at = new Date(this.now).toISOString();
    const abort = new AbortController();
    let markEnded!: () => void;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const record: TaskRecord = {
      task: { taskId: this.deps.newId(), status: 'working', ttl, createdAt: at, lastUpdatedAt: at, pollInterval: settings.pollIntervalMs },
      abort,
      signal: abort.signal,
      ended,
      markEnded,
    };
    if (full !== undefined) {
      const result = fail(full);
      Object.assign(record, { refused: full, ending: { status: 'failed', result: () => result } });
      record.task = { ...record.task, status: 'failed', statusMessage: full };
      abort.abort();
      markEnded();
    }
    this.records.set(record.task.taskId, record);
    this.arm(record);
    return record;
  }

  /** Records how a task's work ended; a task cancelled meanwhile stays cancelled (with this result). */
  finish(taskId: string, ending: TaskEnding): void {
    const record = this.records.get(taskId);
    if (!record || record.ending) return;
    record.ending = ending;
    record.describe = undefined;
    if (!isTerminal(record.task.status)) this.setStatus(record, ending.status, undefined);
    record.markEnded();
    // As the SDK's InMemoryTaskStore does: the TTL starts again when the result is there to fetch.
    this.arm(record);
  }

  /** Stops every task of the client and forgets them (the client is gone). */
  dispose(): void {
    this.disposed = true;
    for (const record of this.records.values()) {
      clearTimeout(record.expiry);
      record.abort.abort();
    }
    this.records.clear();
  }

  // --- TaskStore, as the SDK's Protocol calls it -------------------------------------------------

  async createTask(taskParams: CreateTaskOptions): Promise<Task> {
    return { ...this.create(taskParams.ttl).task };
  }

  async getTask(taskId: string): Promise<Task | null> {
    const record = this.records.get(taskId);
    if (!record) return null;
    const message = record.task.status === 'working' ? record.describe?.() : undefined;
    return { ...record.task, ...(message ? { statusMessage: message } : {}) };
  }

  async storeTaskResult(taskId: string, status: 'completed' | 'failed', result: Result): Promise<void> {
    this.finish(taskId, { status, result: () => result as CallToolResult });
  }

  /** Waits for the work to end (tasks/result blocks until then), then builds the tool's result. */
  async getTaskResult(taskId: string): Promise<Result> {
    const record = this.records.get(taskId);
    if (!record) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    await record.ended;
    return record.ending!.result();
  }

  /** tasks/cancel lands here with 'cancelled': the task is cancelled at once and its work stopped. */
  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    const record = this.records.get(taskId);
    if (!record) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    if (isTerminal(record.task.status)) return;
    this.setStatus(record, status, statusMessage);
    if (status === 'cancelled') {
      record.describe = undefined;
      // Stops the wait for a session, or the command (Ctrl+C, then harder; the session stays).
      record.abort.abort();
    }
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const ids = [...this.records.keys()];
    let start = 0;
    if (cursor !== undefined) {
      const at = ids.indexOf(cursor);
      if (at < 0) throw new McpError(ErrorCode.InvalidParams, `Invalid cursor "${cursor}": it names no task of yours (ended tasks are forgotten after their TTL).`);
      start = at + 1;
    }
    const page = ids.slice(start, start + LIST_PAGE);
    const tasks = (await Promise.all(page.map((id) => this.getTask(id)))).filter((t): t is Task => t !== null);
    return start + LIST_PAGE < ids.length ? { tasks, nextCursor: page[page.length - 1] } : { tasks };
  }

  // --- inside --------------------------------------------------------------------------------------

  private setStatus(record: TaskRecord, status: Task['status'], statusMessage: string | undefined): void {
    record.task = { ...record.task, status, lastUpdatedAt: new Date(this.now).toISOString() };
    if (statusMessage) record.task.statusMessage = statusMessage;
    else delete record.task.statusMessage;
    if (!this.disposed) this.deps.notify({ ...record.task });
  }

  /** Forgets the task after its TTL, but never while its work goes on (finish() arms it again). */
  private arm(record: TaskRecord): void {
    clearTimeout(record.expiry);
    record.expiry = setTimeout(() => {
      if (!record.ending) return;
      this.records.delete(record.task.taskId);
    }, record.task.ttl ?? this.deps.settings.maxTtlMs);
    record.expiry.unref?.();
  }

  /** Keeps the count under maxTasks by forgetting the oldest ended tasks; says why not when all still work. */
  private makeRoom(): string | undefined {
    const { maxTasks } = this.deps.settings;
    for (const [id, record] of this.records) {
      if (this.records.size < maxTasks) return undefined;
      if (!record.ending) continue;
      clearTimeout(record.expiry);
      this.records.delete(id);
    }
    if (this.records.size < maxTasks) return undefined;
    return `You have ${this.records.size} tasks still working (at most ${maxTasks}): wait for one to end or cancel one with tasks/cancel.`;
  }
}

/** Tasks per tasks/list page. */
const LIST_PAGE = 50;

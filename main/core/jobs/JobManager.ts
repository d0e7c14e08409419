import { randomBytes } from 'node:crypto';
import type { JobStatus } from '../../../common/events.js';
import type { CommandResult, OutputPage } from '../../../common/shell.js';
import type { EventBus } from '../events/EventBus.js';
import type { ManagedShell, Outcome, SessionManager } from '../scheduler/SessionManager.js';
import type { OutputStore } from './OutputStore.js';

/** A background job as its client sees it. */
export interface JobView {
  jobId: string;
  sessionId: string;
  /** The command (first 500 characters). */
  command: string;
  status: JobStatus;
  startedAt: number;
  endedAt: number | null;
  /** While running: what the command printed so far (head and tail when long). */
  outputSoFar: { output: string; outputBytes: number; truncated: boolean } | null;
  /** Once ended: the command's structured result (its outputRef pages through the whole output). */
  result: CommandResult | null;
  /** Why a job failed without a result, or what its result's status means. */
  message: string | null;
}

/** Settings of the job store (the config's fields of the same names). */
export interface JobSettings {
  jobRetentionCount: number;
  jobRetentionBytes: number;
}

interface Job {
  jobId: string;
  clientId: string;
  sessionId: string;
  command: string;
  status: JobStatus;
  startedAt: number;
  endedAt: number | null;
  result: CommandResult | null;
  message: string | null;
  done: Promise<void>;
}

const COMMAND_PREVIEW_CHARS = 500;

function statusOf(result: CommandResult): JobStatus {
  if (result.status === 'cancelled') return 'cancelled';
  if (result.status === 'completed' && result.success) return 'succeeded';
  return 'failed';
}

/**
 * Background jobs: a command runs on a client's session while the client gets a job id at once and
 * asks later for its status, its output so far, and its result (read page by page when long).
 * Finished jobs are kept up to a count and a size; the oldest are forgotten with their stored output.
 */
export class JobManager<S extends ManagedShell> {
  private readonly jobs = new Map<string, Job>();
  private readonly finished: string[] = [];
  private disposed = false;

  constructor(
    private readonly deps: {
      manager: Pick<SessionManager<S>, 'listSessions' | 'run' | 'cancelCommand' | 'outputSoFar'>;
      store: OutputStore;
      bus: EventBus;
      settings: JobSettings;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts a command on a client's session as a job; returns its id at once. */
  start(clientId: string, sessionId: string, command: string, options: { timeoutMs?: number } = {}): Outcome<{ jobId: string }> {
    if (this.disposed) return { ok: false, reason: 'poshpool is shutting down.' };
    const sessions = this.deps.manager.listSessions(clientId);
    const session = sessions.find((s) => s.sessionId === sessionId);
    if (!session) return { ok: false, reason: `No session "${sessionId}" belongs to this client. Start one with start_session.` };
    if (session.currentCommand !== null || session.state === 'ending') {
      return { ok: false, reason: `Session ${sessionId} is busy (${session.state}); wait for its command, cancel it, or use another session.` };
    }
    const jobId = this.newJobId();
    const running = this.deps.manager.run(clientId, sessionId, command, { timeoutMs: options.timeoutMs, jobId });
    this.track(jobId, clientId, sessionId, command, running);
    return { ok: true, jobId };
  }

  /**
   * Turns a command already running (a call that outlived its wait, or an MCP task's command) into a
   * job. The promise is the manager's run() of that command; `jobId` is one from newJobId() when the
   * id was handed out before the command started (a task's id is its job's id).
   */
  adopt(clientId: string, sessionId: string, command: string, running: ReturnType<SessionManager<S>['run']>, jobId: string = this.newJobId()): string {
    this.track(jobId, clientId, sessionId, command, running);
    return jobId;
  }

  /** A fresh, unguessable job id (for adopt() when the id must be known before the command starts). */
  newJobId(): string {
    return `job-${randomBytes(9).toString('base64url')}`;
  }

  /** Resolves once a client's job has ended, with its view then (its result, or why it has none). */
  async ended(clientId: string, jobId: string): Promise<Outcome<{ job: JobView }>> {
    const owned = this.owned(clientId, jobId);
    if (!owned.ok) return owned;
    await owned.job.done;
    return this.get(clientId, jobId);
  }

  /** The client a job belongs to (for a person looking at every client's jobs). */
  ownerOf(jobId: string): string | undefined {
    return this.jobs.get(jobId)?.clientId;
  }

  /** A client's job. */
  get(clientId: string, jobId: string): Outcome<{ job: JobView }> {
    const job = this.owned(clientId, jobId);
    if (!job.ok) return job;
    return { ok: true, job: this.view(job.job) };
  }

  /** One page (0-based) of a finished job's whole output. */
  readPage(clientId: string, jobId: string, page: number): Outcome<{ page: OutputPage }> {
    const owned = this.owned(clientId, jobId);
    if (!owned.ok) return owned;
    const job = owned.job;
    if (job.status === 'running') return { ok: false, reason: `Job ${jobId} is still running; its output so far is in outputSoFar. Pages are readable once it has ended.` };
    if (!job.result) return { ok: false, reason: `Job ${jobId} ended without output: ${job.message ?? 'no result'}.` };
    if (!job.result.outputRef) {
      if (page !== 0) return { ok: false, reason: `Page ${page} does not exist: job ${jobId}'s output is whole in its result (page 0 only).` };
      return { ok: true, page: { ref: jobId, page: 0, pages: 1, text: job.result.output, totalBytes: job.result.outputBytes } };
    }
    const read = this.deps.store.read(job.result.outputRef, page);
    return read.ok ? { ok: true, page: read.page } : read;
  }

  /** Stops a client's running job (its session stays). */
  cancel(clientId: string, jobId: string): Outcome<{ wasRunning: boolean }> {
    const owned = this.owned(clientId, jobId);
    if (!owned.ok) return owned;
    if (owned.job.status !== 'running') return { ok: true, wasRunning: false };
    return this.deps.manager.cancelCommand(clientId, owned.job.sessionId);
  }

  /** A client's jobs (or everyone's), newest first. */
  list(clientId?: string): JobView[] {
    return [...this.jobs.values()]
      .filter((j) => clientId === undefined || j.clientId === clientId)
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((j) => this.view(j));
  }

  /** Resolves once every running job has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  /** Forgets every job and deletes their stored outputs. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.jobs.values()) if (job.result?.outputRef) this.deps.store.delete(job.result.outputRef);
    this.jobs.clear();
    this.finished.length = 0;
  }

  private track(jobId: string, clientId: string, sessionId: string, command: string, running: ReturnType<SessionManager<S>['run']>): void {
    const job: Job = {
      jobId,
      clientId,
      sessionId,
      command: command.slice(0, COMMAND_PREVIEW_CHARS),
      status: 'running',
      startedAt: this.now,
      endedAt: null,
      result: null,
      message: null,
      done: Promise.resolve(),
    };
    job.done = running.then(
      (outcome) => this.complete(job, outcome),
      (e: unknown) => this.complete(job, { ok: false, reason: String(e) }),
    );
    this.jobs.set(jobId, job);
  }

  private complete(job: Job, outcome: Awaited<ReturnType<SessionManager<S>['run']>>): void {
    job.endedAt = this.now;
    if (this.disposed) return;
    if (!outcome.ok) {
      job.status = 'failed';
      job.message = outcome.reason;
      this.deps.bus.emit({ type: 'job.failed', jobId: job.jobId, clientId: job.clientId, sessionId: job.sessionId, reason: outcome.reason });
    } else {
      job.result = outcome.result;
      job.status = statusOf(outcome.result);
      job.message = outcome.result.message ?? null;
      if (outcome.result.status === 'sessionEnded') {
        this.deps.bus.emit({ type: 'job.failed', jobId: job.jobId, clientId: job.clientId, sessionId: job.sessionId, reason: outcome.result.message ?? 'the session ended' });
      } else {
        this.deps.bus.emit({ type: 'job.finished', jobId: job.jobId, clientId: job.clientId, sessionId: job.sessionId, status: job.status, exitCode: outcome.result.exitCode });
      }
    }
    this.finished.push(job.jobId);
    this.enforceRetention();
  }

  private enforceRetention(): void {
    const { jobRetentionCount, jobRetentionBytes } = this.deps.settings;
    const size = (id: string): number => this.jobs.get(id)?.result?.outputBytes ?? 0;
    let total = this.finished.reduce((n, id) => n + size(id), 0);
    while (this.finished.length > 0 && (this.finished.length > jobRetentionCount || total > jobRetentionBytes)) {
      const oldest = this.finished.shift()!;
      total -= size(oldest);
      const job = this.jobs.get(oldest);
      if (job?.result?.outputRef) this.deps.store.delete(job.result.outputRef);
      this.jobs.delete(oldest);
    }
  }

  private owned(clientId: string, jobId: string): { ok: true; job: Job } | { ok: false; reason: string } {
    const job = this.jobs.get(jobId);
    if (!job || job.clientId !== clientId) {
      return { ok: false, reason: `No job "${jobId}" of this client: it never existed, belongs to another client, or was forgotten (finished jobs are kept up to jobRetentionCount and jobRetentionBytes).` };
    }
    return { ok: true, job };
  }

  private view(job: Job): JobView {
    let outputSoFar: JobView['outputSoFar'] = null;
    if (job.status === 'running') {
      const so = this.deps.manager.outputSoFar(job.clientId, job.sessionId);
      if (so.ok && so.output) outputSoFar = { output: so.output.output, outputBytes: so.output.outputBytes, truncated: so.output.truncated };
    }
    return {
      jobId: job.jobId,
      sessionId: job.sessionId,
      command: job.command,
      status: job.status,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
      outputSoFar,
      result: job.result,
      message: job.message,
    };
  }
}

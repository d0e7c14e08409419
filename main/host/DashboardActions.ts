import type { ApprovalAnswer } from '../../common/approvals.js';
import type { ActionResult, BackupSummary, DashboardBridge, DashboardSnapshot, TerminalRead, WatchedFolder } from '../../common/dashboard.js';
import type { Priority } from '../../common/events.js';
import type { HistoryCommand, HistoryEntry, SessionHistory } from '../../common/history.js';
import type { OutputPage } from '../../common/shell.js';
import type { Core } from '../core/createCore.js';
import { TerminalFeeds } from './TerminalFeeds.js';

/** The dashboard's operations (DashboardBridge without its subscriptions), as the host carries them out. */
export type DashboardOperations = Omit<DashboardBridge, 'onEvent' | 'onConnection' | 'dispose'>;

/** A person's possible answers to a command waiting for approval (common/approvals.ts ApprovalAnswer). */
export const APPROVAL_ANSWERS = ['once', 'session', 'deny'] as const satisfies readonly ApprovalAnswer[];

// Fails to compile when ApprovalAnswer grows and APPROVAL_ANSWERS does not.
const everyAnswerListed: [Exclude<ApprovalAnswer, (typeof APPROVAL_ANSWERS)[number]>] extends [never] ? true : false = true;
void everyAnswerListed;

/** Whether a value is an answer to a command waiting for approval. */
export function isApprovalAnswer(value: unknown): value is ApprovalAnswer {
  return (APPROVAL_ANSWERS as readonly unknown[]).includes(value);
}

/** What is wrong with a backup action's arguments (the transports check shapes too; this is the last word). */
function backupArgsProblem(folder: unknown, backupId: unknown, path: unknown): string | undefined {
  if (typeof folder !== 'string' || folder === '') return 'folder is required (a watched folder, as the dashboard lists it).';
  if (typeof backupId !== 'string' || backupId === '') return 'backupId is required (the id of one of the folder\'s backups).';
  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    return 'path must be a file or directory relative to the folder (leave it out for the whole folder).';
  }
  return undefined;
}

/** Commands in a recentCommands answer when the caller names no limit, and the most it gives. */
const DEFAULT_RECENT_COMMANDS = 200;
const MAX_RECENT_COMMANDS = 1000;

/** What is wrong with a history action's arguments, if anything. */
function historyArgsProblem(sessionId: unknown, seq: unknown, page: unknown): string | undefined {
  if (typeof sessionId !== 'string' || sessionId === '') return 'sessionId is required (a session id, as the sessions table shows it).';
  if (!Number.isInteger(seq) || (seq as number) < 1) return `seq must be a command's number in its session, a whole number from 1 (got ${JSON.stringify(seq) ?? 'nothing'}).`;
  if (!Number.isInteger(page) || (page as number) < 0) return `page must be a whole number from 0 (got ${JSON.stringify(page) ?? 'nothing'}).`;
  return undefined;
}

/** Backups kept in a history answer when the caller names no limit. */
const DEFAULT_HISTORY_LIMIT = 50;

/**
 * What a person may do from the dashboard or the tray: act on every client's sessions and requests,
 * read jobs and backups. One implementation behind both transports (HTTP /api for the browser, the
 * host process's message port for the Electron app), so they cannot drift apart.
 */
export class DashboardActions implements DashboardOperations {
  /** Every lent session's live terminal, kept from its start (bounded), for readTerminal. */
  private readonly terminals: TerminalFeeds;

  constructor(private readonly core: Core) {
    this.terminals = new TerminalFeeds(core.bus, (sessionId) => core.manager.shellOf(sessionId));
  }

  /** Stops following the sessions' terminals and answers the reads waiting on them. */
  dispose(): void {
    this.terminals.dispose();
  }

  /** Everything the dashboard shows, at one moment. */
  snapshotNow(): DashboardSnapshot {
    const { core } = this;
    return {
      metrics: core.metrics(),
      sessions: core.manager.listSessions(),
      queue: core.manager.listQueue(),
      jobs: core.jobs.list().map((j) => ({ ...j, clientId: core.jobs.ownerOf(j.jobId) ?? '' })),
      folders: core.backups.list(),
      clients: core.clients.list(),
      approvals: core.approvals.pending(),
    };
  }

  async snapshot(): Promise<ActionResult<{ snapshot: DashboardSnapshot }>> {
    return { ok: true, snapshot: this.snapshotNow() };
  }

  async cancelCommand(sessionId: string): Promise<ActionResult<{ wasRunning: boolean }>> {
    const owner = this.bySession(sessionId);
    return owner.ok ? this.core.manager.cancelCommand(owner.clientId, sessionId) : owner;
  }

  async terminateSession(sessionId: string, detail = 'terminated from the dashboard'): Promise<ActionResult> {
    const owner = this.bySession(sessionId);
    return owner.ok ? this.core.manager.endSession(owner.clientId, sessionId, detail) : owner;
  }

  async changePriority(requestId: string, priority: Priority): Promise<ActionResult<{ position: number; etaMs: number }>> {
    const owner = this.byRequest(requestId);
    if (!owner.ok) return owner;
    if (priority !== 'sync' && priority !== 'async') return { ok: false, reason: 'priority must be "sync" or "async".' };
    return this.core.manager.changePriority(owner.clientId, requestId, priority);
  }

  async cancelRequest(requestId: string): Promise<ActionResult> {
    const owner = this.byRequest(requestId);
    return owner.ok ? this.core.manager.cancelRequest(owner.clientId, requestId, 'now') : owner;
  }

  async jobPage(jobId: string, page: number): ReturnType<DashboardOperations['jobPage']> {
    const clientId = this.core.jobs.ownerOf(jobId);
    if (clientId === undefined) return { ok: false, reason: `No job "${jobId}".` };
    if (!Number.isInteger(page) || page < 0) return { ok: false, reason: `page must be a whole number from 0 (got ${String(page)}).` };
    return this.core.jobs.readPage(clientId, jobId, page);
  }

  /**
   * A session's recorded commands (the host keeps the last ones, also for a while after the session
   * ended). A lent session that ran nothing yet has an empty history.
   */
  async sessionHistory(sessionId: string): Promise<ActionResult<{ history: SessionHistory }>> {
    if (typeof sessionId !== 'string' || sessionId === '') return { ok: false, reason: 'sessionId is required (a session id, as the sessions table shows it).' };
    const history = this.core.history.session(sessionId);
    if (history !== undefined) return { ok: true, history };
    const clientId = this.core.manager.ownerOfSession(sessionId);
    if (clientId !== undefined) return { ok: true, history: { sessionId, clientId, ended: null, commands: [], dropped: 0 } };
    return { ok: false, reason: `No history for session "${sessionId}": it never existed, ran no command, or ended long enough ago that its history was dropped.` };
  }

  /** One recorded command with its output (inline up to the result cap) and its error records. */
  async historyEntry(sessionId: string, seq: number): Promise<ActionResult<{ entry: HistoryEntry }>> {
    const bad = historyArgsProblem(sessionId, seq, 0);
    if (bad !== undefined) return { ok: false, reason: bad };
    const entry = this.core.history.entry(sessionId, seq);
    return entry !== undefined ? { ok: true, entry } : { ok: false, reason: `No command ${seq} in the history of session "${sessionId}" (it was never run there, or is no longer kept).` };
  }

  /** One page (from 0) of a recorded command's whole output, when it did not fit inline. */
  async historyPage(sessionId: string, seq: number, page: number): Promise<ActionResult<{ page: OutputPage }>> {
    const bad = historyArgsProblem(sessionId, seq, page);
    if (bad !== undefined) return { ok: false, reason: bad };
    return this.core.history.readPage(sessionId, seq, page);
  }

  /** The newest recorded commands of every kept session, newest first: at most `limit` (default 200, at most 1000). */
  async recentCommands(limit?: number): Promise<ActionResult<{ commands: HistoryCommand[] }>> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) return { ok: false, reason: `limit must be a whole number from 1 (got ${JSON.stringify(limit) ?? 'nothing'}), or left out for ${DEFAULT_RECENT_COMMANDS}.` };
    return { ok: true, commands: this.core.history.recent(Math.min(limit ?? DEFAULT_RECENT_COMMANDS, MAX_RECENT_COMMANDS)) };
  }

  /** The watched folders. */
  folders(): WatchedFolder[] {
    return this.core.backups.list();
  }

  async backups(folder: string, limit?: number): Promise<ActionResult<{ backups: BackupSummary[] }>> {
    const n = limit !== undefined && Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : DEFAULT_HISTORY_LIMIT;
    const h = await this.core.backups.history(folder, n);
    return h.ok ? { ok: true, backups: h.backups } : h;
  }

  /**
   * A backup's unified diff against the backup before it, or against the folder now (`a/` the backup,
   * `b/` the current files), of the whole folder or one path (folder-relative, taken literally).
   */
  async backupDiff(folder: string, backupId: string, against: 'parent' | 'now', path?: string): ReturnType<DashboardOperations['backupDiff']> {
    const bad = backupArgsProblem(folder, backupId, path);
    if (bad !== undefined) return { ok: false, reason: bad };
    if (against !== 'parent' && against !== 'now') return { ok: false, reason: 'against must be "parent" (what the backup changed) or "now" (how the folder differs from it today).' };
    return this.core.backups.diff(folder, backupId, against, path);
  }

  /**
   * Restores one file or directory (path: folder-relative, taken literally, never outside the
   * folder; the same core restore as the MCP tool restore_backup) or the whole folder. The current
   * state is backed up first: the answer's undoId restores it.
   */
  async restoreBackup(folder: string, backupId: string, path?: string): ReturnType<DashboardOperations['restoreBackup']> {
    const bad = backupArgsProblem(folder, backupId, path);
    if (bad !== undefined) return { ok: false, reason: bad };
    const r = await this.core.backups.restore(folder, backupId, path);
    if (r.ok || !('undoId' in r) || r.undoId === undefined) return r;
    return { ok: false, reason: `${r.reason} (the state before the restore is backup ${r.undoId})` };
  }

  /** What restoreBackup with the same arguments would overwrite, create and remove now; writes nothing. */
  async restorePreview(folder: string, backupId: string, path?: string): ReturnType<DashboardOperations['restorePreview']> {
    const bad = backupArgsProblem(folder, backupId, path);
    if (bad !== undefined) return { ok: false, reason: bad };
    return this.core.backups.previewRestore(folder, backupId, path);
  }

  /** Pauses or resumes new sessions (requests wait in the queue meanwhile); `by` names who, in the events. */
  async setPaused(paused: boolean, by = 'dashboard'): Promise<ActionResult<{ changed: boolean }>> {
    if (typeof paused !== 'boolean') return { ok: false, reason: 'paused must be true or false.' };
    return { ok: true, ...this.core.manager.setPaused(paused, by) };
  }

  /**
   * A person's answer to a command waiting for approval; `by` names where they answered (the audit
   * log and the events say it). An answer that came too late says why (already answered, timed out,
   * cancelled).
   */
  async answerApproval(approvalId: string, answer: ApprovalAnswer, by: 'dashboard' | 'tray' = 'dashboard'): Promise<ActionResult> {
    if (typeof approvalId !== 'string' || approvalId.length === 0) return { ok: false, reason: 'approvalId is required (the id of a command waiting for approval).' };
    if (!isApprovalAnswer(answer)) {
      return { ok: false, reason: `answer must be one of ${APPROVAL_ANSWERS.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(answer) ?? 'nothing'}).` };
    }
    if (by !== 'dashboard' && by !== 'tray') return { ok: false, reason: 'by must be "dashboard" or "tray".' };
    return this.core.approvals.answer(approvalId, answer, by);
  }

  /**
   * A session's live terminal since cursor `since`: what its commands printed (poshpool's own
   * traffic left out) with a prompt line per command. Waits up to `waitMs` when nothing is new.
   */
  readTerminal(sessionId: string, since: number, waitMs: number): Promise<ActionResult<TerminalRead>> {
    return this.terminals.read(sessionId, since, waitMs);
  }

  private bySession(sessionId: string): ActionResult<{ clientId: string }> {
    const clientId = this.core.manager.ownerOfSession(sessionId);
    return clientId === undefined ? { ok: false, reason: `No session "${sessionId}": it ended or never existed.` } : { ok: true, clientId };
  }

  private byRequest(requestId: string): ActionResult<{ clientId: string }> {
    const clientId = this.core.manager.ownerOfRequest(requestId);
    return clientId === undefined ? { ok: false, reason: `No request "${requestId}" is waiting or holds a session.` } : { ok: true, clientId };
  }
}

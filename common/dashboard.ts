/** The one bridge between the dashboard and the host: the Electron IPC adapter and the web adapter both implement it. */

import type { ApprovalAnswer, ApprovalRequest } from './approvals.js';
import type { PoshpoolEvent, Priority } from './events.js';
import type { ClientInfo, MetricsSnapshot, QueuedRequestInfo, SessionInfo } from './scheduler.js';
import type { HistoryCommand, HistoryEntry, SessionHistory } from './history.js';
import type { CommandResult, OutputPage } from './shell.js';

/** A background job as the dashboard shows it. */
export interface JobSummary {
  jobId: string;
  clientId: string;
  sessionId: string;
  command: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  startedAt: number;
  endedAt: number | null;
  outputSoFar: { output: string; outputBytes: number; truncated: boolean } | null;
  result: CommandResult | null;
  message: string | null;
}

/** One watched folder. */
export interface WatchedFolder {
  folder: string;
  lastBackupAt: number | null;
  running: boolean;
}

/** One backup of a folder. */
export interface BackupSummary {
  id: string;
  time: number;
  message: string;
  filesChanged: number;
  files: { path: string; status: string; oldPath?: string; additions: number | null; deletions: number | null }[];
}

/**
 * What a restore would do to one file (folder-relative path): overwrite a current file that differs,
 * create a file the folder no longer has, remove a file the backup does not have (whole-folder
 * restores only), or leave it unchanged (it already matches the backup; single files only).
 */
export interface RestorePreviewFile {
  path: string;
  change: 'overwrite' | 'create' | 'remove' | 'unchanged';
}

/** Everything the dashboard shows, at one moment; events keep it current afterwards. */
export interface DashboardSnapshot {
  metrics: MetricsSnapshot;
  sessions: SessionInfo[];
  queue: QueuedRequestInfo[];
  jobs: JobSummary[];
  folders: WatchedFolder[];
  /** The MCP clients, as they named themselves. */
  clients: ClientInfo[];
  /** Commands waiting for a person's approval (config approvals.rules), oldest first. */
  approvals: ApprovalRequest[];
}

/**
 * A piece of a session's live terminal (what its commands printed, without poshpool's own traffic,
 * a prompt line per command): the text after the reader's cursor, and the cursor to read from next.
 */
export interface TerminalRead {
  data: string;
  /** The cursor to give the next read. */
  next: number;
  /** The reader had fallen behind the host's kept window (or the host restarted): clear and write `data`. */
  reset: boolean;
  /** The session has ended: no more output will come. */
  ended: boolean;
}

/** An action's outcome. */
export type ActionResult<T = object> = ({ ok: true } & T) | { ok: false; reason: string };

/** Whether the dashboard is connected to the host. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'signedOut';

/** Removes a subscription. */
export type Unsubscribe = () => void;

/** What the dashboard can ask of the host. A person acts on every client's sessions and requests. */
export interface DashboardBridge {
  snapshot(): Promise<ActionResult<{ snapshot: DashboardSnapshot }>>;
  onEvent(listener: (event: PoshpoolEvent) => void): Unsubscribe;
  onConnection(listener: (state: ConnectionState) => void): Unsubscribe;
  cancelCommand(sessionId: string): Promise<ActionResult<{ wasRunning: boolean }>>;
  terminateSession(sessionId: string): Promise<ActionResult>;
  changePriority(requestId: string, priority: Priority): Promise<ActionResult<{ position: number; etaMs: number }>>;
  cancelRequest(requestId: string): Promise<ActionResult>;
  jobPage(jobId: string, page: number): Promise<ActionResult<{ page: OutputPage }>>;
  /** A session's recorded commands, oldest first; kept for a while after the session ended. */
  sessionHistory(sessionId: string): Promise<ActionResult<{ history: SessionHistory }>>;
  /** One recorded command with its output (inline up to the result cap) and its error records. */
  historyEntry(sessionId: string, seq: number): Promise<ActionResult<{ entry: HistoryEntry }>>;
  /** One page (from 0) of a recorded command's whole output, when it was too long to keep inline. */
  historyPage(sessionId: string, seq: number, page: number): Promise<ActionResult<{ page: OutputPage }>>;
  /** The newest recorded commands of every session the host keeps, newest first (at most `limit`, default 200). */
  recentCommands(limit?: number): Promise<ActionResult<{ commands: HistoryCommand[] }>>;
  backups(folder: string, limit?: number): Promise<ActionResult<{ backups: BackupSummary[] }>>;
  backupDiff(folder: string, backupId: string, against: 'parent' | 'now', path?: string): Promise<ActionResult<{ diff: string }>>;
  restoreBackup(folder: string, backupId: string, path?: string): Promise<ActionResult<{ undoId: string; restored: string[]; removed: string[] }>>;
  /**
   * What restoreBackup with the same arguments would overwrite, create and remove now, writing
   * nothing (for the confirmation). `backupId` is the backup's full id.
   */
  restorePreview(folder: string, backupId: string, path?: string): Promise<ActionResult<{ backupId: string; files: RestorePreviewFile[] }>>;
  /** Pauses (requests wait in the queue, lent sessions go on) or resumes new sessions. */
  setPaused(paused: boolean): Promise<ActionResult<{ changed: boolean }>>;
  /**
   * A person's answer to a command waiting for approval: run it once, run it and let its rules pass
   * for the rest of its session, or deny it. Fails with the reason when it was already decided
   * (another answer, the client's user, the timeout) or cancelled.
   */
  answerApproval(approvalId: string, answer: ApprovalAnswer): Promise<ActionResult>;
  /**
   * A session's live terminal since cursor `since` (0: all the host keeps, the recent screen); when
   * nothing is new, waits up to `waitMs` for output (a long poll: the viewer pulls as fast as it draws).
   */
  readTerminal(sessionId: string, since: number, waitMs: number): Promise<ActionResult<TerminalRead>>;
  dispose(): void;
}

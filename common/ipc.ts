/**
 * The Electron IPC contract (DESIGN.md §3.2): every invoke channel (a Promise return) and every
 * event channel (main -> renderer pushes), and the API the preload exposes as `window.poshpool`.
 * Types only: main, preload and renderer all import it, none of them at run time.
 */

import type { ApprovalAnswer } from './approvals.js';
import type {
  ActionResult,
  BackupSummary,
  RestorePreviewFile,
  ConnectionState,
  DashboardBridge,
  DashboardSnapshot,
  TerminalRead,
  Unsubscribe,
} from './dashboard.js';
import type { PoshpoolEvent, Priority } from './events.js';
import type { HistoryCommand, HistoryEntry, SessionHistory } from './history.js';
import type { OutputPage } from './shell.js';

/** Renderer -> main requests, each answered with a value (main's handler never throws to the renderer). */
export interface InvokeChannels {
  'poshpool:snapshot': { args: []; result: ActionResult<{ snapshot: DashboardSnapshot }> };
  'poshpool:cancelCommand': { args: [sessionId: string]; result: ActionResult<{ wasRunning: boolean }> };
  'poshpool:terminateSession': { args: [sessionId: string]; result: ActionResult };
  'poshpool:changePriority': { args: [requestId: string, priority: Priority]; result: ActionResult<{ position: number; etaMs: number }> };
  'poshpool:cancelRequest': { args: [requestId: string]; result: ActionResult };
  'poshpool:jobPage': { args: [jobId: string, page: number]; result: ActionResult<{ page: OutputPage }> };
  'poshpool:sessionHistory': { args: [sessionId: string]; result: ActionResult<{ history: SessionHistory }> };
  'poshpool:historyEntry': { args: [sessionId: string, seq: number]; result: ActionResult<{ entry: HistoryEntry }> };
  'poshpool:historyPage': { args: [sessionId: string, seq: number, page: number]; result: ActionResult<{ page: OutputPage }> };
  'poshpool:recentCommands': { args: [limit?: number]; result: ActionResult<{ commands: HistoryCommand[] }> };
  'poshpool:backups': { args: [folder: string, limit?: number]; result: ActionResult<{ backups: BackupSummary[] }> };
  'poshpool:backupDiff': {
    args: [folder: string, backupId: string, against: 'parent' | 'now', path?: string];
    result: ActionResult<{ diff: string }>;
  };
  'poshpool:restoreBackup': {
    args: [folder: string, backupId: string, path?: string];
    result: ActionResult<{ undoId: string; restored: string[]; removed: string[] }>;
  };
  'poshpool:restorePreview': {
    args: [folder: string, backupId: string, path?: string];
    result: ActionResult<{ backupId: string; files: RestorePreviewFile[] }>;
  };
  'poshpool:setPaused': { args: [paused: boolean]; result: ActionResult<{ changed: boolean }> };
  'poshpool:answerApproval': { args: [approvalId: string, answer: ApprovalAnswer]; result: ActionResult };
  'poshpool:readTerminal': { args: [sessionId: string, since: number, waitMs: number]; result: ActionResult<TerminalRead> };
}

/** Main -> renderer pushes: the payload of each channel. Events come in batches. */
export interface EventChannels {
  'poshpool:events': PoshpoolEvent[];
  'poshpool:connection': ConnectionState;
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;

/** The operation names: each invoke channel without its 'poshpool:' prefix. */
export type InvokeOperation = InvokeChannel extends `poshpool:${infer Op}` ? Op : never;

/** The channel of an operation. */
export type ChannelOf<Op extends InvokeOperation> = `poshpool:${Op}` & InvokeChannel;

/** What the preload exposes as `window.poshpool`: one method per operation, and subscriptions that return an unsubscribe. */
export type PoshpoolPreloadApi = {
  readonly [Op in InvokeOperation]: (...args: InvokeChannels[ChannelOf<Op>]['args']) => Promise<InvokeChannels[ChannelOf<Op>]['result']>;
} & {
  readonly onEvents: (listener: (batch: EventChannels['poshpool:events']) => void) => Unsubscribe;
  readonly onConnection: (listener: (state: EventChannels['poshpool:connection']) => void) => Unsubscribe;
};

// Fails to compile when the contract and DashboardBridge drift apart (an action missing on either side, or other args or results).
type BridgeAction = Exclude<keyof DashboardBridge, 'onEvent' | 'onConnection' | 'dispose'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ContractMatchesBridge = Same<BridgeAction, InvokeOperation> extends true
  ? {
      [Op in BridgeAction]: Same<Parameters<DashboardBridge[Op]>, InvokeChannels[ChannelOf<Op>]['args']> extends true
        ? Same<Awaited<ReturnType<DashboardBridge[Op]>>, InvokeChannels[ChannelOf<Op>]['result']>
        : false;
    }[BridgeAction]
  : false;
type _AssertTrue<T extends true> = T;
export type _IpcContractCheck = _AssertTrue<ContractMatchesBridge>;

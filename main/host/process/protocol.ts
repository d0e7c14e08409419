/**
 * The contract between the tray app (Electron's main process) and the host process that runs the
 * core, MCP and the transports (DESIGN.md §3.2: one contract file per boundary). Messages are plain
 * structured-clonable objects; they cross Electron's utilityProcess port, or Node's IPC channel in tests.
 */

import type { ApprovalAnswer, ApprovalRequest } from '../../../common/approvals.js';
import type { ActionResult } from '../../../common/dashboard.js';
import type { PoshpoolEvent } from '../../../common/events.js';
import type { InvokeChannels, InvokeOperation, ChannelOf } from '../../../common/ipc.js';
import type { MetricsSnapshot, SessionInfo } from '../../../common/scheduler.js';
import type { HostInfo } from '../hostInfo.js';

/** Operations the app may call: the dashboard's, plus the tray's own. */
export type HostOperations = {
  [Op in Exclude<InvokeOperation, 'setPaused' | 'answerApproval'>]: { args: InvokeChannels[ChannelOf<Op>]['args']; result: InvokeChannels[ChannelOf<Op>]['result'] };
} & {
  /** As the dashboard's, plus who paused (the tray or the dashboard), for the events. */
  setPaused: { args: [paused: boolean, by: string]; result: ActionResult<{ changed: boolean }> };
  /** As the dashboard's, plus who answered (the tray or the dashboard), for the events and the audit log. */
  answerApproval: { args: [approvalId: string, answer: ApprovalAnswer, by: 'dashboard' | 'tray']; result: ActionResult };
};
export type HostOperation = keyof HostOperations;

/** Every operation's name, for checking a call before it is dispatched. */
export const HOST_OPERATIONS = [
  'snapshot',
  'cancelCommand',
  'terminateSession',
  'changePriority',
  'cancelRequest',
  'jobPage',
  'sessionHistory',
  'historyEntry',
  'historyPage',
  'recentCommands',
  'backups',
  'backupDiff',
  'restoreBackup',
  'restorePreview',
  'setPaused',
  'answerApproval',
  'readTerminal',
] as const satisfies readonly HostOperation[];

// Fails to compile when an operation is added to the contract and not to HOST_OPERATIONS.
const everyOperationListed: [Exclude<HostOperation, (typeof HOST_OPERATIONS)[number]>] extends [never] ? true : false = true;
void everyOperationListed;

/** What the tray shows, sent with every batch of events and on each heartbeat. */
export interface HostSummary {
  metrics: MetricsSnapshot;
  sessions: SessionInfo[];
  /** The names of the clients holding those sessions. */
  clientNames: Record<string, string>;
  /** Commands waiting for a person's approval, oldest first (the tray offers the answers). */
  approvals: ApprovalRequest[];
}

/** Where the host process reads its settings (the same flags as `poshpool serve`). */
export interface HostStartOptions {
  configFile?: string;
  dataDir?: string;
  port?: number;
}

/** App -> host. */
export type AppToHost =
  | { type: 'start'; options: HostStartOptions }
  | { type: 'call'; id: number; op: HostOperation; args: unknown[] }
  | { type: 'shutdown' };

/** Host -> app. */
export type HostToApp =
  | { type: 'ready'; info: HostInfo; dataDir: string; summary: HostSummary }
  | { type: 'startFailed'; reason: string }
  | { type: 'result'; id: number; result: ActionResult<object> }
  | { type: 'update'; events: PoshpoolEvent[]; summary: HostSummary }
  | { type: 'log'; line: string }
  | { type: 'stopped' };

/** Whether a value received on the port is a message of the given direction (a shape check, not a schema). */
export function isMessage<M extends { type: string }>(value: unknown, types: readonly M['type'][]): value is M {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && types.includes((value as { type: string }).type);
}

export const APP_TO_HOST_TYPES: readonly AppToHost['type'][] = ['start', 'call', 'shutdown'];
export const HOST_TO_APP_TYPES: readonly HostToApp['type'][] = ['ready', 'startFailed', 'result', 'update', 'log', 'stopped'];

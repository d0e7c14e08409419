import type { ApprovalAnswer } from '../../common/approvals.js';
import type { ClientId } from '../cli/installClients.js';
import type { PoshpoolConfig } from '../core/config/schema.js';

// The tray menu as data: what its items are and do, shared by the view and the parts it is built from.

/** Which native notifications are on (config.json `notifications`). */
export type NotificationSettings = PoshpoolConfig['notifications'];

/** The MCP clients a config can be copied for. */
export type ClientKind = 'vscode' | 'claudeDesktop' | 'claudeCode';

/** What a menu item does when clicked. */
export type TrayAction =
  | { kind: 'openDashboard' }
  | { kind: 'terminateSession'; sessionId: string }
  | { kind: 'cancelCommand'; sessionId: string }
  /** A person's answer to a command waiting for approval (by 'tray'). */
  | { kind: 'answerApproval'; approvalId: string; answer: ApprovalAnswer }
  | { kind: 'setPaused'; paused: boolean }
  | { kind: 'copyConfig'; client: ClientKind }
  /** Writes (or removes) poshpool's entry in a client's user config (install.ts runInstall). */
  | { kind: 'installClient'; client: ClientId; action: 'install' | 'uninstall' }
  | { kind: 'openConfigFolder' }
  | { kind: 'openLogFolder' }
  | { kind: 'setStartAtLogin'; enabled: boolean }
  | { kind: 'setNotification'; which: keyof NotificationSettings; enabled: boolean }
  | { kind: 'retryHost' }
  | { kind: 'quit' };

/** One item of the tray menu, as data (the Electron adapter turns it into a Menu). */
export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'checkbox'; label: string; enabled: boolean; checked: boolean; action: TrayAction }
  | { type: 'submenu'; label: string; enabled: boolean; submenu: TrayMenuItem[] };

/**
 * Text shown as it is in a menu label. Electron takes "&" as a mnemonic marker and drops it (on
 * Windows it also underlines the next letter); "&&" shows one "&", on every platform
 * (electron/electron#9584, #25028; documented by PR #27770). Commands often hold "&" (`& $cmd`, `&&`).
 */
export function menuLiteral(text: string): string {
  return text.replace(/&/g, '&&');
}

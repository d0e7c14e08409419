import type { ApprovalAnswer, ApprovalRequest } from '../../common/approvals.js';
import { menuLiteral, type TrayMenuItem } from './trayMenu.js';

/** Commands waiting for approval listed in the tray menu at most (the dashboard lists them all). */
export const MENU_APPROVALS_MAX = 10;
/** Characters of a waiting command in its submenu's label. */
const LABEL_COMMAND_CHARS = 50;
/** Characters of a waiting command in the line inside its submenu and in the notification. */
export const NOTICE_COMMAND_CHARS = 100;

/** The answers the tray offers, in the order shown (the dashboard's words). */
const ANSWERS: readonly { answer: ApprovalAnswer; label: string }[] = [
  { answer: 'once', label: 'Approve once' },
  { answer: 'session', label: 'Always for this session' },
  { answer: 'deny', label: 'Deny' },
];


/** A command on one line, cut to `max` characters with an ellipsis. */
export function oneLine(command: string, max: number): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Who asked, as a person reads it: the client's own name, else its id. */
export function requesterOf(request: ApprovalRequest): string {
  return request.clientName ?? request.clientId;
}

/** The rules a request matched, by name. */
export function ruleNames(request: ApprovalRequest): string {
  return request.rules.map((r) => r.name).join(', ');
}

function requestItem(request: ApprovalRequest): TrayMenuItem {
  const who = requesterOf(request);
  return {
    type: 'submenu',
    label: menuLiteral(`${who}: ${oneLine(request.command, LABEL_COMMAND_CHARS)}`),
    enabled: true,
    submenu: [
      { type: 'normal', label: menuLiteral(`${who} wants to run: ${oneLine(request.command, NOTICE_COMMAND_CHARS)}`), enabled: false },
      { type: 'normal', label: menuLiteral(`In: ${request.cwd === '' ? 'unknown directory' : request.cwd}`), enabled: false },
      ...request.rules.map((r): TrayMenuItem => ({ type: 'normal', label: menuLiteral(`Rule: ${r.name} (${r.description})`), enabled: false })),
      { type: 'separator' },
      ...ANSWERS.map(({ answer, label }): TrayMenuItem => ({ type: 'normal', label, enabled: true, action: { kind: 'answerApproval', approvalId: request.approvalId, answer } })),
      { type: 'separator' },
      { type: 'normal', label: 'See it whole in the dashboard', enabled: true, action: { kind: 'openDashboard' } },
    ],
  };
}

/**
 * The top of the tray menu while commands wait for a person: "N commands wait for approval", then
 * one submenu per request (the command, where, the rules; Approve once / Always for this session /
 * Deny). Nothing when none waits.
 */
export function approvalMenuItems(approvals: readonly ApprovalRequest[]): TrayMenuItem[] {
  if (approvals.length === 0) return [];
  const items: TrayMenuItem[] = [
    { type: 'normal', label: approvals.length === 1 ? '1 command waits for approval' : `${approvals.length} commands wait for approval`, enabled: false },
    ...approvals.slice(0, MENU_APPROVALS_MAX).map(requestItem),
  ];
  if (approvals.length > MENU_APPROVALS_MAX) {
    items.push({ type: 'normal', label: `…and ${approvals.length - MENU_APPROVALS_MAX} more (open the dashboard)`, enabled: true, action: { kind: 'openDashboard' } });
  }
  items.push({ type: 'separator' });
  return items;
}

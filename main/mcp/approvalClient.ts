import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ApprovalAnswer, ApprovalRequest } from '../../common/approvals.js';
import type { ApprovalGate } from '../core/approval/ApprovalGate.js';
import type { Disposable } from '../core/events/Emitter.js';

/** The choices offered to a client's user, in the order shown. */
const CHOICES: readonly { value: ApprovalAnswer; title: string }[] = [
  { value: 'once', title: 'Approve once' },
  { value: 'session', title: 'Always for this session' },
  { value: 'deny', title: 'Deny' },
];

/** The question put to a client's user for one request (MCP elicitation, form mode). */
export function approvalQuestion(request: ApprovalRequest): Parameters<Server['elicitInput']>[0] {
  const rules = request.rules.map((r) => `${r.name} (${r.description})`).join('; ');
  const cut = request.commandChars > request.command.length ? `\n… (${request.commandChars} characters in all)` : '';
  return {
    mode: 'form',
    message: `poshpool: a command waits for your approval (rule: ${rules}).\nIn ${request.cwd || 'an unknown directory'}:\n\n${request.command}${cut}`,
    requestedSchema: {
      type: 'object',
      properties: {
        decision: {
          type: 'string',
          title: 'Run this command?',
          oneOf: CHOICES.map((c) => ({ const: c.value, title: c.title })),
        },
      },
      required: ['decision'],
    },
  };
}

/**
 * Registers one MCP client with the approval gate: its user is asked through elicitation when the
 * client supports it (the first answer from anywhere wins; the question is withdrawn once another
 * decides), and its workspace is the directory its sessions start in.
 */
export function registerApprovalClient(gate: ApprovalGate, clientId: string, server: Server, workspace: () => string | null): Disposable {
  return gate.registerClient(clientId, {
    workspace,
    ask: async (request, signal) => {
      if (!server.getClientCapabilities()?.elicitation) return null;
      const result = await server.elicitInput(approvalQuestion(request), { signal, timeout: Math.max(1000, request.expiresAt - Date.now()) });
      if (result.action !== 'accept') return result.action === 'decline' ? 'deny' : null;
      const decision = result.content?.decision;
      return CHOICES.some((c) => c.value === decision) ? (decision as ApprovalAnswer) : null;
    },
  });
}

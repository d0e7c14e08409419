import { randomBytes } from 'node:crypto';
import type { ApprovalAnswer, ApprovalDecidedBy, ApprovalRequest } from '../../../common/approvals.js';
import type { Disposable } from '../events/Emitter.js';
import type { EventBus } from '../events/EventBus.js';
import type { ApprovalConfig } from './approvalConfig.js';
import { matchRules, namesToBind, type MatchContext, type RuleMatch } from './approvalRules.js';
import { parseSummary, summaryCommand } from './commandSummary.js';

/** Longest text of a command shown in an approval request (the whole is in the audit log). */
const REQUEST_COMMAND_CHARS = 4000;

/** What a command's check needs from the caller. */
export interface CheckInput {
  clientId: string;
  sessionId: string;
  command: string;
  /** The client's workspace (for outsideWorkspace rules), when the caller knows it; else the client's registered one, else the default. */
  workspace?: string | null;
  /** The session runs on another host (outsideWorkspace rules match everywhere there). */
  remoteHost?: boolean;
  /** Runs a command in the session and gives its output (the summary command: nothing of `command` runs). */
  inspect(summaryCommandText: string): Promise<{ ok: true; output: string } | { ok: false; reason: string }>;
  /** Aborts the wait (the caller cancelled). */
  signal?: AbortSignal;
}

/** The answer to a check. */
export type CheckResult = { allowed: true; approvalId: string | null } | { allowed: false; reason: string };

/** Asks the client's own user (MCP elicitation); resolves with their answer, or null for none. */
export type ClientAsker = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalAnswer | null>;

/** What the MCP layer knows of one client: how to ask its user, and its workspace. */
export interface ApprovalClient {
  ask?: ClientAsker;
  /** The directory the client works in (its first root, its bridge's directory), when known. */
  workspace?(): string | null;
}

export interface ApprovalGateDeps {
  bus: EventBus;
  config: ApprovalConfig;
  /** Paths of the sessions' OS, for outsideWorkspace. */
  paths: Pick<MatchContext, 'caseInsensitivePaths' | 'separator'>;
  /** The name a client gave when it connected. */
  clientName(clientId: string): string | undefined;
  /** Where the rules can be changed, for the error a denied caller gets (the config file). */
  configHint: string;
  /** The workspace of a client that says nothing of its own: where sessions start by default. */
  defaultWorkspace: string | null;
  now?: () => number;
}

interface Pending {
  request: ApprovalRequest;
  matches: RuleMatch[];
  settle(answer: ApprovalAnswer, by: ApprovalDecidedBy, reason?: string): void;
}

/**
 * Approval rules at work: before a command runs, the session summarizes it (PowerShell's own parser
 * and the session's own commands, nothing runs); a command that matches a rule waits for a person
 * (dashboard, tray, or the client's user through elicitation), up to approvals.timeoutSeconds, and
 * is denied without an answer. "Always for this session" lets the same rules pass in that session
 * until it ends. Every decision is published (approval.decided) and so reaches the audit log.
 * A human in the loop for a careless agent, never a sandbox: a command can still do anything the
 * rules do not name.
 */
export class ApprovalGate {
  private readonly pendingById = new Map<string, Pending>();
  /** Rules (by index) a person allowed for the rest of a session. */
  private readonly allowed = new Map<string, Set<number>>();
  private readonly clients = new Map<string, ApprovalClient>();
  private disposed = false;

  constructor(private readonly deps: ApprovalGateDeps) {}

  /** Whether any rule is configured (no rule: commands are never summarized). */
  get enabled(): boolean {
    return this.deps.config.rules.length > 0;
  }

  /** Requests waiting for an answer, oldest first. */
  pending(): ApprovalRequest[] {
    return [...this.pendingById.values()].map((p) => p.request);
  }

  /** Whether a session has a command waiting for approval, and until when (ms since the epoch). */
  waitingUntil(sessionId: string): number | null {
    for (const p of this.pendingById.values()) if (p.request.sessionId === sessionId) return p.request.expiresAt;
    return null;
  }

  /** What the MCP layer knows of a client (its user to ask, its workspace). One per client; disposing removes it. */
  registerClient(clientId: string, client: ApprovalClient): Disposable {
    this.clients.set(clientId, client);
    return { dispose: () => void (this.clients.get(clientId) === client && this.clients.delete(clientId)) };
  }

  /** Decides whether a command may run; waits for a person when a rule matches. Never throws. */
  async check(input: CheckInput): Promise<CheckResult> {
    if (!this.enabled) return { allowed: true, approvalId: null };
    if (this.disposed) return { allowed: false, reason: 'poshpool is shutting down.' };
    const inspected = await input.inspect(summaryCommand(input.command, namesToBind(this.deps.config.rules)));
    const summary = inspected.ok ? parseSummary(inspected.output) : inspected;
    let matches: RuleMatch[];
    let cwd = '';
    if (summary.ok) {
      cwd = summary.summary.cwd;
      const workspace = input.workspace ?? this.clients.get(input.clientId)?.workspace?.() ?? this.deps.defaultWorkspace;
      matches = matchRules(this.deps.config.rules, summary.summary, { workspace, ...this.deps.paths, ...(input.remoteHost ? { remoteHost: true } : {}) });
      if (matches.length === 0) return { allowed: true, approvalId: null };
    } else {
      // A command the session could not summarize is asked about rather than let through.
      matches = [{ index: -1, name: 'unreadable command', description: `a command poshpool could not read: ${summary.reason}`, command: input.command.slice(0, 80) }];
    }
    const granted = this.allowed.get(input.sessionId);
    const id = `apr_${randomBytes(8).toString('hex')}`;
    const request = this.requestOf(id, input, cwd, matches);
    if (granted && matches.every((m) => m.index >= 0 && granted.has(m.index))) {
      this.publishDecision(request, 'approvedForSession', 'remembered');
      return { allowed: true, approvalId: id };
    }
    return this.waitForAnswer(request, matches, input);
  }

  /** A person's (or the client user's) answer. The first answer decides; later ones are told so. */
  answer(approvalId: string, answer: ApprovalAnswer, by: ApprovalDecidedBy): { ok: true } | { ok: false; reason: string } {
    const p = this.pendingById.get(approvalId);
    if (!p) return { ok: false, reason: `No command waits for approval ${approvalId}: it was already answered, timed out or cancelled.` };
    p.settle(answer, by);
    return { ok: true };
  }

  /** Forgets what was allowed for a session (it ended). */
  forgetSession(sessionId: string): void {
    this.allowed.delete(sessionId);
  }

  /** Denies everything still waiting. */
  dispose(): void {
    this.disposed = true;
    for (const p of [...this.pendingById.values()]) p.settle('deny', 'shutdown', 'poshpool is shutting down.');
    this.clients.clear();
    this.allowed.clear();
  }

  private requestOf(id: string, input: CheckInput, cwd: string, matches: RuleMatch[]): ApprovalRequest {
    const now = (this.deps.now ?? Date.now)();
    const name = this.deps.clientName(input.clientId);
    return {
      approvalId: id,
      sessionId: input.sessionId,
      clientId: input.clientId,
      ...(name !== undefined ? { clientName: name } : {}),
      command: input.command.slice(0, REQUEST_COMMAND_CHARS),
      commandChars: input.command.length,
      cwd,
      rules: matches.map((m) => ({ name: m.name, description: m.description, command: m.command })),
      requestedAt: now,
      expiresAt: now + this.deps.config.timeoutSeconds * 1000,
    };
  }

  private waitForAnswer(request: ApprovalRequest, matches: RuleMatch[], input: CheckInput): Promise<CheckResult> {
    return new Promise<CheckResult>((resolve) => {
      const askAbort = new AbortController();
      const timer = setTimeout(() => settle('deny', 'timeout'), request.expiresAt - request.requestedAt);
      const onAbort = (): void => settle('deny', 'cancelled');
      const settle = (answer: ApprovalAnswer, by: ApprovalDecidedBy, reason?: string): void => {
        if (!this.pendingById.has(request.approvalId)) return;
        this.pendingById.delete(request.approvalId);
        clearTimeout(timer);
        input.signal?.removeEventListener('abort', onAbort);
        askAbort.abort();
        if (answer === 'session') {
          const set = this.allowed.get(request.sessionId) ?? new Set<number>();
          for (const m of matches) if (m.index >= 0) set.add(m.index);
          this.allowed.set(request.sessionId, set);
        }
        this.publishDecision(request, answer === 'deny' ? 'denied' : answer === 'session' ? 'approvedForSession' : 'approved', by);
        if (answer === 'deny') resolve({ allowed: false, reason: reason ?? this.deniedReason(request, by) });
        else resolve({ allowed: true, approvalId: request.approvalId });
      };
      this.pendingById.set(request.approvalId, { request, matches, settle });
      this.deps.bus.emit({ type: 'approval.requested', request });
      if (input.signal?.aborted) return settle('deny', 'cancelled');
      input.signal?.addEventListener('abort', onAbort, { once: true });
      const asker = this.deps.config.askClient ? this.clients.get(request.clientId)?.ask : undefined;
      if (asker) {
        asker(request, askAbort.signal).then(
          (answer) => answer && settle(answer, 'client'),
          () => undefined, // the client could not ask (no elicitation, it went away): the others still can
        );
      }
    });
  }

  private deniedReason(request: ApprovalRequest, by: ApprovalDecidedBy): string {
    const rules = request.rules.map((r) => `"${r.name}" (${r.description}, matched by ${r.command})`).join(', ');
    const why =
      by === 'timeout'
        ? `nobody answered within ${this.deps.config.timeoutSeconds} s`
        : by === 'cancelled'
          ? 'the call was cancelled while it waited for approval'
          : by === 'client'
            ? "the client's user denied it"
            : `a person denied it from the ${by}`;
    return (
      `Not run: the command needs a person's approval under approval rule ${rules}, and ${why}. ` +
      'Ask the person at poshpool (dashboard or tray) to approve it and call again, or run something the rule does not cover. ' +
      `The rules are "approvals" in ${this.deps.configHint}.`
    );
  }

  private publishDecision(request: ApprovalRequest, decision: 'approved' | 'approvedForSession' | 'denied', by: ApprovalDecidedBy): void {
    this.deps.bus.emit({ type: 'approval.decided', request, decision, by });
  }
}

/** A command waiting for a person's approval (config `approvals.rules`). Shared by host and dashboard. */
export interface ApprovalRequest {
  approvalId: string;
  sessionId: string;
  clientId: string;
  /** The name the client gave when it connected (its own word). */
  clientName?: string;
  /** The command as sent (its first 4000 characters). */
  command: string;
  /** Length of the whole command. */
  commandChars: number;
  /** The session's directory, where it would run. */
  cwd: string;
  /** The rules it matched: name, the rule in words, and the command of the line that matched. */
  rules: { name: string; description: string; command: string }[];
  /** Milliseconds since the epoch. */
  requestedAt: number;
  /** When it is denied without an answer (ms since the epoch). */
  expiresAt: number;
}

/** A person's answer: run it once, run it and let these rules pass for the rest of the session, or deny it. */
export type ApprovalAnswer = 'once' | 'session' | 'deny';

/** Who decided: a person at the dashboard or tray, the client's user (elicitation), an earlier "always for this session", or nobody. */
export type ApprovalDecidedBy = 'dashboard' | 'tray' | 'client' | 'remembered' | 'timeout' | 'cancelled' | 'shutdown';

/** How it was decided. */
export type ApprovalDecision = 'approved' | 'approvedForSession' | 'denied';

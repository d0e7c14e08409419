import { z } from 'zod';

/** Kinds of command a rule can name, as PowerShell resolves them in the session (Get-Command's CommandType). */
export const RULE_COMMAND_TYPES = ['native', 'cmdlet', 'function', 'script', 'unknown'] as const;
export type RuleCommandType = (typeof RULE_COMMAND_TYPES)[number];

/**
 * One approval rule: a command that matches every field given waits for a person. Matching is on
 * what PowerShell's own parser and the session's own commands make of the text (aliases resolved,
 * parameter abbreviations bound), never on the text itself; see approvalRules.ts.
 */
export const approvalRuleSchema = z
  .strictObject({
    /** Shown to the person asked and in the error a denied caller gets. Default: made from the other fields. */
    name: z.string().min(1).max(100).optional().describe('Name of the rule, shown when it asks and when it denies'),
    /** Command names (an alias matches what it stands for; a native program matches with or without .exe); "*" = any command. */
    command: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('Command name(s): Remove-Item, git, Stop-Process; "*" for any'),
    /** Only commands of this kind: native (a program on disk), cmdlet, function, script (a .ps1), unknown (not found in the session). */
    commandType: z.enum(RULE_COMMAND_TYPES).optional().describe('Only commands of this kind: native, cmdlet, function, script, unknown'),
    /**
     * Parameters that must all be given; "a|b" accepts either. A cmdlet's or function's parameter
     * matches by its full name whatever abbreviation or alias was written (-Rec, -r for -Recurse);
     * a native program's is the word as written (--force, -f; --force=x counts as --force).
     */
    parameters: z.array(z.string().min(1)).optional().describe('Parameters that must all be present ("--force|-f" accepts either)'),
    /** Words that must all be among the arguments (not parameters), e.g. git's "push"; "a|b" accepts either. */
    arguments: z.array(z.string().min(1)).optional().describe('Arguments that must all be present, e.g. "push"'),
    /** Only when the session's directory is outside the client's workspace (the directory its sessions start in). */
    outsideWorkspace: z.boolean().optional().describe("Only when run outside the client's workspace"),
    /** Commands whose name is known only when they run: `& $cmd`, `& (Get-X)`, `. $script`. */
    dynamic: z.boolean().optional().describe('Commands whose name is only known when they run (& $cmd)'),
  })
  .refine((r) => r.command !== undefined || r.commandType !== undefined || r.dynamic === true, {
    message: 'a rule must say which commands it is about: give "command" (a name, or "*" for any), "commandType" or "dynamic": true',
  });

export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

/** Settings of the approval rules (config `approvals`). */
export const approvalConfigSchema = z.strictObject({
  /** Commands that wait for a person's approval before they run. Empty: nothing waits. */
  rules: z.array(approvalRuleSchema).max(200).default([]).describe('Commands that wait for a person before they run'),
  /** How long a command waits for an answer; no answer by then = denied. */
  timeoutSeconds: z.number().min(1).max(86400).default(120).describe('Wait for an answer before a command is denied (s)'),
  /** Ask the agent's own user through MCP elicitation too, where the client supports it (first answer wins). */
  askClient: z.boolean().default(true).describe("Ask the agent's user through the client too, where it supports elicitation"),
});

export type ApprovalConfig = z.infer<typeof approvalConfigSchema>;

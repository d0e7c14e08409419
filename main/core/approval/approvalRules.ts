import type { ApprovalRule, RuleCommandType } from './approvalConfig.js';
import type { CommandSummary, SummarizedCommand } from './commandSummary.js';

/** A rule that matched, with the command of the line that made it match. */
export interface RuleMatch {
  /** The rule's index in config `approvals.rules`. */
  index: number;
  /** The rule's name, or one made from its fields. */
  name: string;
  /** What the rule asks about, in words: "Remove-Item with -Recurse". */
  description: string;
  /** The command (as written) that matched. */
  command: string;
}

/** Where the command runs, for rules that care (outsideWorkspace). */
export interface MatchContext {
  /** The client's workspace: the directory its sessions start in; null when unknown (outsideWorkspace never matches then). */
  workspace: string | null;
  /** Whether paths compare without case (Windows, macOS). */
  caseInsensitivePaths: boolean;
  /** The path separator of the session's OS. */
  separator: string;
  /** The session runs on another host: the workspace is this machine's, so every directory there is outside it. */
  remoteHost?: boolean;
}

/** Get-Command's CommandType values of each kind a rule can name. */
const TYPES_OF: Record<RuleCommandType, readonly string[]> = {
  native: ['Application'],
  cmdlet: ['Cmdlet'],
  function: ['Function', 'Filter', 'Configuration'],
  script: ['ExternalScript', 'Script'],
  unknown: ['Unknown'],
};

/** Every rule that a command line matches (each rule once, with the first command that matched it). */
export function matchRules(rules: readonly ApprovalRule[], summary: CommandSummary, context: MatchContext): RuleMatch[] {
  const matches: RuleMatch[] = [];
  rules.forEach((rule, index) => {
    if (rule.outsideWorkspace && !isOutside(summary.cwd, context)) return;
    const hit = summary.commands.find((c) => commandMatches(rule, c));
    if (hit) matches.push({ index, name: ruleName(rule), description: describeRule(rule), command: hit.written ?? '(a command chosen at run time)' });
  });
  return matches;
}

/**
 * The commands whose parameters the session must bind for these rules (lowercase names), or '*' when
 * a rule asks parameters of any command (no name, or "*").
 */
export function namesToBind(rules: readonly ApprovalRule[]): string[] | '*' {
  const names = new Set<string>();
  for (const rule of rules) {
    if (!rule.parameters) continue;
    const listed = rule.command === undefined ? ['*'] : Array.isArray(rule.command) ? rule.command : [rule.command];
    if (listed.includes('*')) return '*';
    for (const n of listed) names.add(n.toLowerCase());
  }
  return [...names];
}

/** Whether one command satisfies every field of a rule. */
export function commandMatches(rule: ApprovalRule, c: SummarizedCommand): boolean {
  if (rule.dynamic === true && c.written !== null) return false;
  if (rule.command !== undefined && !nameMatches(rule.command, c)) return false;
  if (rule.commandType !== undefined && !TYPES_OF[rule.commandType].includes(c.type)) return false;
  const native = c.type === 'Application' || c.type === 'Unknown';
  if (rule.parameters && !rule.parameters.every((want) => alternatives(want).some((alt) => hasParameter(c, alt, native)))) return false;
  if (rule.arguments && !rule.arguments.every((want) => alternatives(want).some((alt) => c.arguments.some((a) => same(a, alt))))) return false;
  return true;
}

/** The rule's name, or one made from its fields. */
export function ruleName(rule: ApprovalRule): string {
  return rule.name ?? describeRule(rule);
}

/** A rule in words: "git with push and --force|-f", "any native command outside the workspace". */
export function describeRule(rule: ApprovalRule): string {
  const names = rule.command === undefined ? [] : Array.isArray(rule.command) ? rule.command : [rule.command];
  const kind = rule.commandType ? `${rule.commandType} command` : 'command';
  let what = rule.dynamic ? `any ${kind} chosen at run time` : names.length === 0 || names.includes('*') ? `any ${kind}` : names.join(' or ');
  const withs = [...(rule.arguments ?? []), ...(rule.parameters ?? []).map((p) => (p.startsWith('-') ? p : `-${p}`))];
  if (withs.length > 0) what += ` with ${withs.join(' and ')}`;
  if (rule.outsideWorkspace) what += ' outside the workspace';
  return what;
}

function alternatives(want: string): string[] {
  return want
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function same(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

/** A rule's names against a command: its resolved name, its written name, a program's file name without extension. */
function nameMatches(command: string | string[], c: SummarizedCommand): boolean {
  const wanted = Array.isArray(command) ? command : [command];
  if (wanted.includes('*')) return true;
  const candidates = new Set<string>();
  for (const n of [c.name, c.written, c.path]) {
    if (!n) continue;
    candidates.add(n);
    const base = n.split(/[\\/]/).pop() ?? n;
    candidates.add(base);
    // A module-qualified name (Microsoft.PowerShell.Management\Remove-Item) and a program's extension.
    candidates.add(base.replace(/\.(exe|cmd|bat|com|ps1)$/i, ''));
  }
  return wanted.some((w) => [...candidates].some((n) => same(n, w)));
}

/**
 * A parameter of a rule against a command. Cmdlets, functions and scripts: the bound full name, or,
 * when the binder bound nothing (an ambiguous abbreviation), a written abbreviation of it (-Rec). Native programs:
 * the word as written, parameter or argument (--force is an argument to PowerShell), --force=x too.
 */
function hasParameter(c: SummarizedCommand, want: string, native: boolean): boolean {
  if (native) {
    const words = [...c.parameters, ...c.arguments];
    return words.some((w) => same(w, want) || (want.startsWith('-') && w.toLowerCase().startsWith(`${want.toLowerCase()}=`)));
  }
  const name = want.replace(/^-+/, '');
  if (c.bound.length > 0) return c.bound.some((b) => same(b, name));
  return c.parameters.some((p) => {
    const written = p.replace(/^-+/, '').replace(/:.*$/, '');
    return written.length > 0 && name.toLowerCase().startsWith(written.toLowerCase());
  });
}

/** Whether a directory is outside the workspace (not the workspace itself nor below it). */
function isOutside(cwd: string, context: MatchContext): boolean {
  if (cwd === '') return false;
  if (context.remoteHost) return true;
  if (context.workspace === null) return false;
  const norm = (p: string): string => {
    const trimmed = p.length > 1 && (p.endsWith('/') || p.endsWith('\\')) ? p.slice(0, -1) : p;
    return context.caseInsensitivePaths ? trimmed.toLowerCase() : trimmed;
  };
  const dir = norm(cwd);
  const root = norm(context.workspace);
  return !(dir === root || dir.startsWith(root.endsWith(context.separator) ? root : root + context.separator));
}

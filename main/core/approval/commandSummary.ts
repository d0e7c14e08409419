import { z } from 'zod';

/**
 * One command of a command line as the session's PowerShell sees it before anything runs: parsed by
 * PowerShell's own parser, its name resolved through the session's aliases, functions and PATH, its
 * parameters bound by the static parameter binder (integration.ps1, Get-PoshpoolCommandSummary).
 */
export interface SummarizedCommand {
  /** The name as written (`rm`, `./build.sh`); null when it is known only at run time (`& $x`). */
  written: string | null;
  /** What it resolves to (`Remove-Item` for the alias `rm`; `git` for /usr/bin/git). */
  name: string | null;
  /** Get-Command's CommandType after aliases: Cmdlet, Function, Filter, Application, ExternalScript, ...; Unknown when not found. */
  type: string;
  /** A native program's or script's file. */
  path: string | null;
  /** Parameters as written (`-Rec`, `-f`). */
  parameters: string[];
  /** Parameter names bound by the static binder (`Recurse` for `-Rec`); cmdlets, functions and scripts only. */
  bound: string[];
  /** Other elements: constant words as their value, anything else as its text. */
  arguments: string[];
}

/** What a command line would run, and where. */
export interface CommandSummary {
  /** The session's directory (provider path). */
  cwd: string;
  /** Parse errors: such a command fails before it runs anything, but is still summarized as far as it parses. */
  parseErrors: number;
  commands: SummarizedCommand[];
}

const stringList = z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

const summarySchema = z.object({
  cwd: z.string().nullable().transform((v) => v ?? ''),
  parseErrors: z.number().int().min(0),
  commands: z.preprocess(
    (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(
      z.object({
        written: z.string().nullable(),
        name: z.string().nullable(),
        type: z.string(),
        path: z.string().nullable(),
        parameters: stringList,
        bound: stringList,
        arguments: stringList,
      }),
    ),
  ),
});

/** The session-side function that summarizes a command (exported by integration.ps1). */
export const SUMMARY_FUNCTION = 'Get-PoshpoolCommandSummary';

/**
 * The command a session runs to summarize `command` without running it: the text travels as base64.
 * `bind`: the commands whose parameters the static binder binds (lowercase names), or '*' for all;
 * binding costs milliseconds a command, so only those a rule asks parameters of.
 */
export function summaryCommand(command: string, bind: readonly string[] | '*' = '*'): string {
  // A name that cannot travel as a plain word (quotes, separators) binds everything rather than nothing.
  const names = bind === '*' || !bind.every((n) => /^[\w.-]+$/.test(n)) ? '*' : bind.join('|');
  return `${SUMMARY_FUNCTION} '${Buffer.from(command, 'utf8').toString('base64')}' '${names}'`;
}

/** Reads a summary from the output of {@link summaryCommand}; a reason when it is not one. */
export function parseSummary(output: string): { ok: true; summary: CommandSummary } | { ok: false; reason: string } {
  const text = output.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `the session did not answer with a summary (${text.length === 0 ? 'no output' : `"${text.slice(0, 80)}"`})` };
  }
  const parsed = summarySchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `the session's summary was not of the expected shape (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  return { ok: true, summary: parsed.data };
}

import { z } from 'zod';
import type { CwdSource, Placed, StartDir } from '../workspaceRoots.js';
import type { ToolDeps } from './shared.js';

/** The `cwd` argument of start_session and run_command. */
export const cwdArgument = z
  .string()
  .min(1)
  .describe('Directory to begin in: absolute, or relative to your workspace (your first MCP root, else the directory your client started poshpool bridge in). Default: your workspace');

/** Which place a session began in, as results say it. */
export const cwdSourceField = z
  .enum(['argument', 'root', 'bridge', 'host'])
  .describe('Where the session began: argument (the cwd you gave), root (your first MCP root), bridge (the directory your client started poshpool bridge in: its project), host (where poshpool starts sessions: you declared no roots)');

/** What a result says about where its session began. */

/**
 * Moves a session just lent to this client to where it is to begin (a Set-Location on the warm
 * session, before its first command). For `host` nothing is moved; with `learnHostPath` the
 * session's location is read all the same (one round trip), for a result that shows it.
 */
export async function enterStartDir(deps: ToolDeps, sessionId: string, dir: StartDir, options: { learnHostPath?: boolean } = {}): Promise<{ ok: true; placed: Placed } | { ok: false; reason: string }> {
  const note = dir.note === undefined ? {} : { note: dir.note };
  if (dir.path === null && !options.learnHostPath) return { ok: true, placed: { cwd: null, cwdSource: dir.source, ...note } };
  const moved = await deps.core.manager.setLocation(deps.clientId, sessionId, dir.path ?? '.');
  if (!moved.ok) return { ok: false, reason: `The session could not begin in ${dir.path ?? 'its start directory'}: ${moved.reason}` };
  return { ok: true, placed: { cwd: moved.cwd, cwdSource: dir.source, ...note } };
}

/** What a result says about where the session began. */
export function placedFields(placed: Placed): { cwd?: string; cwdSource: Placed['cwdSource']; note?: string } {
  return { ...(placed.cwd === null ? {} : { cwd: placed.cwd }), cwdSource: placed.cwdSource, ...(placed.note === undefined ? {} : { note: placed.note }) };
}

/**
 * For run_command, once it has its session: a new session (a new default session, a one-call
 * session) begins in the workspace; an explicit cwd moves any session, which stays there after (like
 * cd in a terminal). `fields` go into the result (empty when the session was left where it was).
 */
export async function placeForCall(
  deps: ToolDeps,
  sessionId: string,
  start: StartDir,
  options: { explicit: boolean; newSession: boolean },
): Promise<{ ok: true; fields: { cwdSource?: CwdSource; note?: string } } | { ok: false; reason: string }> {
  if (!options.explicit && !options.newSession) return { ok: true, fields: {} };
  // The command's own result carries the cwd after it, so the host's start directory is not read.
  const entered = await enterStartDir(deps, sessionId, start);
  if (!entered.ok) return entered;
  return { ok: true, fields: { cwdSource: entered.placed.cwdSource, ...(entered.placed.note === undefined ? {} : { note: entered.placed.note }) } };
}

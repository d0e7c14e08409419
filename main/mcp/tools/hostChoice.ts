import { z } from 'zod';
import type { StartDir } from '../workspaceRoots.js';
import type { Extra } from './waitForSession.js';
import type { ToolDeps } from './shared.js';

/** The `host` argument of start_session and run_command. */
export const hostArgument = z
  .string()
  .min(1)
  .max(64)
  .describe('Run on this host: "local" (this machine) or a host from poshpool\'s config (get_metrics lists them). Default: this machine');

/** The `labels` argument of start_session and run_command. */
export const labelsArgument = z
  .array(z.string().min(1).max(64))
  .max(16)
  .describe('Run on a host carrying all these labels (e.g. ["windows"]); the one that can lend a session soonest is chosen. Ignored with host');

/** The `host` field of results. */
export const hostField = z.string().describe('The host the session runs on: "local" (this machine) or a host from the config');

/** Where a new session goes, and where it begins there. */
export type HostPlan = { ok: true; host: string; remote: boolean; start: StartDir } | { ok: false; reason: string };

/**
 * The host a new session goes to (by name or labels; neither: this machine) and where it begins. On
 * this machine: the client's workspace, or `cwd`. On another host the client's workspace is a path
 * of this machine, so the session begins in the login's home there, or in `cwd` (absolute on that
 * host, or relative to that home); Set-Location there says whether it exists.
 */
export async function planHost(deps: ToolDeps, where: { host?: string; labels?: string[] }, cwd: string | undefined, extra: Extra): Promise<HostPlan> {
  const chosen = deps.core.manager.choose(where);
  if (!chosen.ok) return chosen;
  const lane = chosen.lane;
  if (lane.kind !== 'local') return { ok: true, host: lane.name, remote: true, start: cwd === undefined ? { path: null, source: 'host' } : { path: cwd, source: 'argument' } };
  const start = await deps.workspace.startDir(cwd, extra);
  if (!start.ok) return start;
  return { ok: true, host: lane.name, remote: false, start: start.dir };
}

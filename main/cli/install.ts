import { existsSync, rmSync, statSync } from 'node:fs';
import { stringify } from 'smol-toml';
import type { Platform } from '../core/platform/Platform.js';
import { bridgeCommand, type BridgeLauncher } from './clientConfigs.js';
import { CLIENTS, SERVER_NAME, type ClientEnv, type ClientId, type ClientSpec, type InstallScope } from './installClients.js';
import { backUp, readConfigFile, writeAtomically } from './installFile.js';
import { planJsonEdit, type EditPlan, type EditStatus } from './installJson.js';
import { planTomlEdit } from './installToml.js';

/** One install or uninstall. */
export interface InstallRequest {
  client: ClientId;
  action: 'install' | 'uninstall';
  scope: InstallScope;
  /** The project folder for the workspace scope. */
  workspace: string;
  /** Show what would be written, write nothing. */
  dryRun?: boolean;
}

/** What the install reads the world through. */
export interface InstallContext {
  platform: Platform;
  env: ClientEnv;
  home: string;
  /** What the entry starts: the stdio bridge, so no token is written into any client's file. */
  launcher: BridgeLauncher;
  now?: () => Date;
}

/** The result, with a message for a person. */
export type InstallOutcome =
  | {
      ok: true;
      client: ClientId;
      file: string;
      status: EditStatus;
      /** The old file's copy, when it was changed. */
      backup?: string;
      /** poshpool's entry as this client's file holds it (install), for --print. */
      entry: string;
      written: boolean;
      message: string;
    }
  | { ok: false; client: ClientId; file?: string; reason: string };

/** poshpool's entry in the client's own format, alone: what --print shows. */
function entryText(spec: ClientSpec, entry: Record<string, unknown>): string {
  if (spec.format.kind === 'toml') return stringify({ [spec.format.container]: { [SERVER_NAME]: entry } }).trimEnd();
  return JSON.stringify({ [spec.format.container]: { [SERVER_NAME]: entry } }, null, 2);
}

/**
 * Puts poshpool into a client's config (or takes it out): finds the file the client documents for
 * this OS and scope, merges poshpool's entry without touching anything else, backs the old file up
 * beside it, and writes atomically. A second run changes nothing and says so. A file that does not
 * parse is refused with its line and column, and nothing is written.
 */
export function runInstall(req: InstallRequest, ctx: InstallContext): InstallOutcome {
  const spec = CLIENTS[req.client];
  const fail = (reason: string, file?: string): InstallOutcome => ({ ok: false, client: spec.id, file, reason });
  if (!spec.scopes.includes(req.scope)) {
    return fail(`${spec.label} has no ${req.scope} config (it reads ${spec.scopes.map((s) => `--scope ${s}`).join(' or ')}).`);
  }
  if (req.scope === 'workspace' && !isDirectory(req.workspace)) {
    return fail(`the workspace folder ${req.workspace} does not exist. Give an existing project folder with --workspace <dir>.`);
  }
  const where = spec.locate(req.scope, { platform: ctx.platform, env: ctx.env, home: ctx.home, workspace: req.workspace });
  const file = where.file;
  const entry = spec.entry(bridgeCommand(ctx.launcher));
  const shown = entryText(spec, entry);
  if (where.evidence.length > 0 && !where.evidence.some((p) => existsSync(p))) {
    if (req.action === 'uninstall') return { ok: true, client: spec.id, file, status: 'absent', entry: shown, written: false, message: `${spec.label} is not set up here (no ${where.evidence[0]}): nothing to remove.` };
    return fail(`${where.evidence[0]} does not exist: is ${spec.label} installed, and has it run once? Install it (or start it once), then run this again.`, file);
  }
  const found = readConfigFile(file);
  if (!found.ok) return fail(found.reason, file);
  const ours = req.action === 'install' ? entry : undefined;
  const plan: EditPlan =
    spec.format.kind === 'toml' ? planTomlEdit(found.text, spec.format.container, SERVER_NAME, ours) : planJsonEdit(found.text, spec.format.container, SERVER_NAME, ours);
  if (!plan.ok) return fail(`${found.target}: ${plan.reason}`, found.target);
  const base = { ok: true as const, client: spec.id, file: found.target, status: plan.status, entry: shown };
  if (plan.status === 'unchanged' || plan.status === 'absent') {
    const message =
      plan.status === 'unchanged'
        ? `${spec.label}: ${found.target} already has this poshpool entry; nothing changed.`
        : `${spec.label}: ${found.target} has no poshpool entry; nothing changed.`;
    return { ...base, written: false, message };
  }
  const verb = { added: 'would add poshpool to', updated: "would update poshpool's entry in", removed: 'would remove poshpool from' }[plan.status];
  if (req.dryRun) return { ...base, written: false, message: `${spec.label}: ${verb} ${found.target}${found.text === undefined ? ' (a new file)' : ''}.` };
  let backup: string | undefined;
  if (found.text !== undefined) {
    const saved = backUp(found.target, (ctx.now ?? (() => new Date()))());
    if (!saved.ok) return fail(saved.reason, found.target);
    backup = saved.backup;
  }
  // The client may have rewritten its file meanwhile (Claude Code keeps state in ~/.claude.json): then
  // this write would undo that, so it stops instead.
  const now = readConfigFile(file);
  if (!now.ok || now.text !== found.text) {
    if (backup !== undefined) rmSync(backup, { force: true });
    return fail(`${found.target} changed while poshpool was editing it; nothing was written. Run this again.`, found.target);
  }
  const written = writeAtomically(found.target, plan.text, found.mode);
  if (!written.ok) return fail(written.reason, found.target);
  const did = { added: found.text === undefined ? 'created' : 'added poshpool to', updated: "updated poshpool's entry in", removed: 'removed poshpool from' }[plan.status];
  const kept = backup === undefined ? '' : ` The old file is kept as ${backup}.`;
  const next = plan.status === 'removed' ? '' : ` ${spec.nextStep}`;
  return { ...base, backup, written: true, message: `${spec.label}: ${did} ${found.target}.${kept}${next}` };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { BackupContext } from './context.js';
import { folderPathspecs, normalizeFolderPath } from './folderPaths.js';
import { backupIdProblem, resolveCommit } from './location.js';
import { snapshotTree } from './snapshot.js';

/** A unified diff, or why there is none. */
export type DiffResult = { ok: true; diff: string } | { ok: false; reason: string };

/**
 * The unified diff of backup `id` within the folder (or the one path, folder-relative): against its
 * parent (what the backup changed), or against the folder now (from the backup to the current files:
 * `a/` is the backup, `b/` is now). "Now" is snapshotted through a temporary private index seeded from
 * the backup, never .git/index. An empty diff means no difference.
 */
export async function diffBackup(ctx: BackupContext, id: string, against: 'parent' | 'now', path?: string): Promise<DiffResult> {
  const { loc } = ctx;
  let sub: string | undefined;
  if (path !== undefined) {
    const p = normalizeFolderPath(loc.folder, path);
    if (!p.ok) return p;
    sub = p.path;
  }
  const badId = backupIdProblem(id);
  if (badId !== undefined) return { ok: false, reason: badId };
  const commit = await resolveCommit(loc, id);
  if (!commit.ok) return { ok: false, reason: commit.reason };
  if (commit.id === null) return { ok: false, reason: `${id} is not a backup of this folder (no such commit).` };

  const common = ['-r', '-p', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--no-commit-id'];
  // Every path a client gives goes to git as a literal pathspec (folderPathspecs): `:(top)` or `*.txt` is that name only.
  const specs = folderPathspecs(loc, sub);
  if (against === 'parent') {
    const r = await loc.git.read(['diff-tree', '--root', ...common, commit.id, '--', ...specs]);
    if (!r.ok) return { ok: false, reason: r.reason };
    if (r.stdout === '' && sub !== undefined && !(await inTree(ctx, commit.id, sub)) && !(await inTree(ctx, `${commit.id}^`, sub))) return notInBackup(sub, commit.id, 'nor in the backup before it');
    return { ok: true, diff: r.stdout };
  }
  const now = await snapshotTree(ctx, commit.id, false);
  if (!now.ok) return { ok: false, reason: now.reason };
  const r = await loc.git.read(['diff-tree', ...common, `${commit.id}^{tree}`, now.tree, '--', ...specs]);
  if (!r.ok) return { ok: false, reason: r.reason };
  if (r.stdout === '' && sub !== undefined && !(await inTree(ctx, commit.id, sub)) && !existsNow(ctx, sub)) return notInBackup(sub, commit.id, 'nor in the folder now');
  return { ok: true, diff: r.stdout };
}

function notInBackup(sub: string, id: string, nor: string): DiffResult {
  return { ok: false, reason: `${sub} is not in backup ${id.slice(0, 12)} ${nor}: name a file or directory of the folder, relative to it (list_backups shows each backup's files).` };
}

/** Whether a folder-relative path (file or directory) is in a commit's tree; false when the commit is missing (a root's parent). */
async function inTree(ctx: BackupContext, rev: string, sub: string): Promise<boolean> {
  const r = await ctx.loc.git.read(['ls-tree', '-r', '--name-only', '-z', '--full-tree', rev, '--', ...folderPathspecs(ctx.loc, sub)]);
  return r.ok && r.stdout !== '';
}

/** Whether a folder-relative path exists in the folder now (a symbolic link counts as itself, never followed). */
function existsNow(ctx: BackupContext, sub: string): boolean {
  try {
    lstatSync(path.join(ctx.loc.folder, ...sub.split('/')));
    return true;
  } catch {
    return false;
  }
}

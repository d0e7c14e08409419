import type { BackupContext } from './context.js';
import { folderPathspecs, normalizeFolderPath } from './folderPaths.js';
import { resolveCommit } from './location.js';
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
  const commit = await resolveCommit(loc, id);
  if (!commit.ok) return { ok: false, reason: commit.reason };
  if (commit.id === null) return { ok: false, reason: `${id} is not a backup of this folder (no such commit).` };

  const common = ['-r', '-p', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--no-commit-id'];
  if (against === 'parent') {
    const r = await loc.git.read(['diff-tree', '--root', ...common, commit.id, '--', ...folderPathspecs(loc, sub)]);
    return r.ok ? { ok: true, diff: r.stdout } : { ok: false, reason: r.reason };
  }
  const now = await snapshotTree(ctx, commit.id, false);
  if (!now.ok) return { ok: false, reason: now.reason };
  const r = await loc.git.read(['diff-tree', ...common, `${commit.id}^{tree}`, now.tree, '--', ...folderPathspecs(loc, sub)]);
  return r.ok ? { ok: true, diff: r.stdout } : { ok: false, reason: r.reason };
}

import { GITLINK_MODE, type RawChange } from './changes.js';
import type { BackupContext } from './context.js';
import { folderPathspecs, normalizeFolderPath, toFolderRel } from './folderPaths.js';
import { backupIdProblem, resolveCommit } from './location.js';
import { parseLsTree } from './restore.js';
import { diffTrees, snapshotTree } from './snapshot.js';

/**
 * What a restore would do to one file (folder-relative path): `overwrite` a current file that differs
 * from the backup, `create` a file the folder no longer has, `remove` a file the backup does not have
 * (whole-folder restores only), or leave it `unchanged` (it already matches; single paths only).
 */
export interface RestorePreviewFile {
  path: string;
  change: 'overwrite' | 'create' | 'remove' | 'unchanged';
}

/** Everything a restore would change, so a person can confirm it; the restore backs the folder up first. */
export type RestorePreview = { ok: true; backupId: string; files: RestorePreviewFile[] } | { ok: false; reason: string };

/**
 * What `restoreBackup(ctx, id, path)` would write and remove now, without writing anything: the folder
 * is snapshotted through a temporary private index (as diff against "now" does) and compared with the
 * backup the way the restore plans its work. A whole-folder preview lists only files that would
 * change; a single path lists each of its files, `unchanged` ones included, so the confirmation can
 * say whether the current file differs or is missing.
 */
export async function previewRestore(ctx: BackupContext, id: string, path?: string): Promise<RestorePreview> {
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
  const target = commit.id;

  let wanted: string[] | undefined;
  if (sub !== undefined) {
    // The same literal pathspec the restore uses, so the preview names exactly the files it writes.
    const listed = await loc.git.read(['ls-tree', '-r', '-z', '--full-tree', target, '--', ...folderPathspecs(loc, sub)]);
    if (!listed.ok) return { ok: false, reason: listed.reason };
    wanted = parseLsTree(listed.stdout);
    if (wanted.length === 0) return { ok: false, reason: `${sub} is not in backup ${target.slice(0, 12)}.` };
  }

  const now = await snapshotTree(ctx, target, false);
  if (!now.ok) return { ok: false, reason: now.reason };
  const changes = await diffTrees(loc, now.tree, `${target}^{tree}`, sub);
  if (!changes.ok) return { ok: false, reason: changes.reason };

  const rel = (topRel: string): string => toFolderRel(loc, topRel) ?? topRel;
  if (wanted !== undefined) {
    const byPath = new Map(changes.changes.map((c) => [c.path, c]));
    return { ok: true, backupId: target, files: wanted.map((p) => ({ path: rel(p), change: singleChange(byPath.get(p)) })) };
  }
  return { ok: true, backupId: target, files: wholeChanges(changes.changes).map((f) => ({ ...f, path: rel(f.path) })) };
}

/** How one file of the backup compares with the folder now (`c` from now to the backup; none = same). */
function singleChange(c: RawChange | undefined): RestorePreviewFile['change'] {
  if (c === undefined) return 'unchanged';
  // Added in the backup's direction (or renamed away since): the folder has no file at this path.
  return c.letter === 'A' || c.letter === 'R' || c.letter === 'C' ? 'create' : 'overwrite';
}

/** The whole-folder restore's plan (restore.ts plan()) as per-file changes, top-relative. */
function wholeChanges(changes: RawChange[]): RestorePreviewFile[] {
  const out: RestorePreviewFile[] = [];
  for (const c of changes) {
    if (c.letter === 'R' && c.oldPath !== undefined && c.oldMode !== GITLINK_MODE) out.push({ path: c.oldPath, change: 'remove' });
    if (c.letter === 'D') {
      if (c.oldMode !== GITLINK_MODE) out.push({ path: c.path, change: 'remove' });
    } else if (c.newMode !== GITLINK_MODE) {
      out.push({ path: c.path, change: c.letter === 'M' || c.letter === 'T' ? 'overwrite' : 'create' });
    }
  }
  return out;
}

import { lstatSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { GITLINK_MODE, type RawChange } from './changes.js';
import type { BackupContext } from './context.js';
import { folderPathspecs, normalizeFolderPath, toAbsolute, toFolderRel, type FolderPaths } from './folderPaths.js';
import { backupIdProblem, resolveCommit } from './location.js';
import { withPrivateIndex } from './privateIndex.js';
import { noteModes, restoreModes } from './restoreModes.js';
import { diffTrees, type BackupResult } from './snapshot.js';

/** What a restore did: the files written and removed (folder-relative), and the backup that undoes it. */
export type RestoreResult =
  | { ok: true; undoId: string; restored: string[]; removed: string[] }
  /** `undoId` is set when the safety backup was taken (a restore that failed part-way is undone with it). */
  | { ok: false; reason: string; retry: boolean; undoId?: string };

/**
 * Restores backup `id` into the working tree: one file (or directory), folder-relative, or the whole
 * folder. The current state is backed up first (`takeBackup`), and that backup's id is returned as
 * `undoId`: restoring it undoes the restore. Only the folder's files are touched. A whole restore
 * writes the files that differ from the backup and removes the files the backup does not have (new
 * since; ignored files are not in either snapshot and stay); a single path is written, nothing removed.
 * Files are written by `git checkout-index` from a temporary private index, never .git/index.
 */
export async function restoreBackup(ctx: BackupContext, id: string, takeBackup: () => Promise<BackupResult>, path?: string): Promise<RestoreResult> {
  const { loc } = ctx;
  let sub: string | undefined;
  if (path !== undefined) {
    const p = normalizeFolderPath(loc.folder, path);
    if (!p.ok) return { ok: false, reason: p.reason, retry: false };
    sub = p.path;
  }
  const badId = backupIdProblem(id);
  if (badId !== undefined) return { ok: false, reason: badId, retry: false };
  const commit = await resolveCommit(loc, id);
  if (!commit.ok) return { ok: false, reason: commit.reason, retry: false };
  if (commit.id === null) return { ok: false, retry: false, reason: `${id} is not a backup of this folder (no such commit).` };
  const target = commit.id;

  let wanted: string[] | undefined;
  if (sub !== undefined) {
    // The caller's path as a literal pathspec: a name like `:x` or `[ab].txt` means that file only.
    const listed = await loc.git.read(['ls-tree', '-r', '-z', '--full-tree', target, '--', ...folderPathspecs(loc, sub)]);
    if (!listed.ok) return { ok: false, reason: listed.reason, retry: false };
    wanted = parseLsTree(listed.stdout);
    if (wanted.length === 0) return { ok: false, retry: false, reason: `${sub} is not in backup ${target.slice(0, 12)}.` };
  }

  const undo = await takeBackup();
  if (!undo.ok) return { ok: false, retry: undo.retry, reason: `The current state could not be backed up first, so nothing was restored: ${undo.reason}` };
  const undoId = undo.id;

  let write: string[];
  let remove: string[] = [];
  if (wanted !== undefined) {
    write = wanted;
  } else {
    const changes = await diffTrees(loc, `${undoId}^{tree}`, `${target}^{tree}`);
    if (!changes.ok) return { ok: false, reason: changes.reason, retry: false, undoId };
    ({ write, remove } = plan(changes.changes));
  }

  const removed: string[] = [];
  try {
    for (const topRel of remove) if (removeFile(loc, topRel)) removed.push(topRel);
  } catch (e) {
    return { ok: false, retry: false, undoId, reason: `Restoring stopped part-way (undo with ${undoId}): ${(e as Error).message}` };
  }

  if (write.length > 0) {
    // checkout-index writes files anew with the umask's mode: a 0600 file must stay 0600.
    const modes = noteModes(write.map((p) => toAbsolute(loc, p)), ctx.platform);
    const written = await withPrivateIndex(ctx.dataDir, false, async (indexFile) => {
      const read = await loc.git.run(['read-tree', target], { indexFile });
      if (!read.ok) return read;
      return loc.git.run(['checkout-index', '-f', '-q', '-z', '--stdin'], { indexFile, input: write.map((p) => `${p}\0`).join('') });
    });
    restoreModes(modes);
    if (!written.ok) return { ok: false, retry: false, undoId, reason: `Restoring stopped part-way (undo with ${undoId}): ${written.reason}` };
  }
  const rel = (topRel: string): string => toFolderRel(loc, topRel) ?? topRel;
  return { ok: true, undoId, restored: write.map(rel), removed: removed.map(rel) };
}

/** Files to write and to remove (top-relative) to turn the current snapshot into the target. */
function plan(changes: RawChange[]): { write: string[]; remove: string[] } {
  const write: string[] = [];
  const remove: string[] = [];
  for (const c of changes) {
    if (c.letter === 'R' && c.oldPath !== undefined && c.oldMode !== GITLINK_MODE) remove.push(c.oldPath);
    if (c.letter === 'D') {
      if (c.oldMode !== GITLINK_MODE) remove.push(c.path);
    } else if (c.newMode !== GITLINK_MODE) {
      write.push(c.path);
    }
  }
  return { write, remove };
}

/** The blob paths (gitlinks left out) of `git ls-tree -r -z` output. */
export function parseLsTree(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode = ''] = line.slice(0, tab).split(' ');
    if (mode !== GITLINK_MODE) paths.push(line.slice(tab + 1));
  }
  return paths;
}

/**
 * Removes one file of the folder (never a directory, never outside the folder, never through a
 * symlinked directory), then the directories it leaves empty, up to the folder. False when it is
 * already gone.
 */
function removeFile(loc: FolderPaths & { folder: string }, topRel: string): boolean {
  const abs = toAbsolute(loc, topRel);
  const folderReal = realpathSync(loc.folder);
  let parentReal: string;
  try {
    parentReal = realpathSync(path.dirname(abs));
  } catch {
    // Its directory is gone already, so is the file.
    return false;
  }
  if (!isStrictlyInside(folderReal, path.join(parentReal, path.basename(abs)))) {
    throw new Error(`refusing to remove ${abs}: it is not inside ${loc.folder}`);
  }
  let isDir: boolean;
  try {
    isDir = lstatSync(abs).isDirectory();
  } catch {
    // Already gone.
    return false;
  }
  if (isDir) return false;
  unlinkSync(abs);
  const folderAbs = toAbsolute(loc, loc.folderRel);
  for (let dir = path.dirname(abs); isStrictlyInside(folderAbs, dir); dir = path.dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (ignored or new files stay), or gone: stop climbing.
      break;
    }
  }
  return true;
}

function isStrictlyInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

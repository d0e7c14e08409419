import path from 'node:path';

/**
 * Paths of a backed-up folder inside its work tree. Git speaks in '/'-separated paths from the work
 * tree's top ("top-relative"); the backup API speaks in '/'-separated paths from the folder
 * ("folder-relative"). `folderRel` is the folder's own top-relative path, '' when it is the top.
 */
export interface FolderPaths {
  /** The work tree's top (absolute, native separators). */
  top: string;
  /** The folder, top-relative and '/'-separated; '' when the folder is the top. */
  folderRel: string;
  /** A directory inside the folder that must never be backed up (poshpool's own data), top-relative. */
  excludedRel?: string;
}

/** The pathspecs that select the folder (or `sub`, folder-relative, inside it), for calls run at the top. */
export function folderPathspecs(p: FolderPaths, sub?: string): string[] {
  const rel = joinRel(p.folderRel, sub ?? '');
  const specs = [rel === '' ? ':/' : `:(top,literal)${rel}`];
  if (p.excludedRel !== undefined && sub === undefined) specs.push(`:(top,exclude,literal)${p.excludedRel}`);
  return specs;
}

/** The folder-relative form of a top-relative path, or undefined when it lies outside the folder. */
export function toFolderRel(p: FolderPaths, topRel: string): string | undefined {
  if (p.folderRel === '') return topRel;
  if (topRel === p.folderRel) return '';
  return topRel.startsWith(`${p.folderRel}/`) ? topRel.slice(p.folderRel.length + 1) : undefined;
}

/** The top-relative form of a folder-relative path. */
export function toTopRel(p: FolderPaths, folderRelPath: string): string {
  return joinRel(p.folderRel, folderRelPath);
}

/** The absolute path of a top-relative path. */
export function toAbsolute(p: FolderPaths, topRel: string): string {
  return path.join(p.top, ...topRel.split('/'));
}

/**
 * A path a caller named (folder-relative, or absolute inside the folder) as a clean folder-relative
 * path, or why it is not one. '..' may not climb out of the folder.
 */
export function normalizeFolderPath(folder: string, given: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (given.trim() === '') return { ok: false, reason: 'The path is empty: name a file inside the folder, or leave the path out for the whole folder.' };
  const abs = path.resolve(folder, given);
  const rel = path.relative(folder, abs);
  if (rel === '' ) return { ok: false, reason: `"${given}" is the folder itself: leave the path out to mean the whole folder.` };
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return { ok: false, reason: `"${given}" is outside the backed-up folder ${folder}.` };
  }
  return { ok: true, path: rel.split(path.sep).join('/') };
}

function joinRel(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}/${b}`;
}

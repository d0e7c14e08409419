import { toFolderRel, type FolderPaths } from './folderPaths.js';

/** How a file changed between two snapshots. */
export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed';

/** One changed file of a backup (folder-relative, '/'-separated paths). */
export interface FileChange {
  path: string;
  status: FileStatus;
  /** Where a renamed file was. */
  oldPath?: string;
}

/** One entry of `git diff-tree --raw -z` (top-relative paths). */
export interface RawChange {
  /** Git's status letter: A, C, D, M, R, T. */
  letter: string;
  path: string;
  /** The source of a rename or copy. */
  oldPath?: string;
  oldMode: string;
  newMode: string;
}

/** File lines listed in a backup's commit message at most; the rest are counted. */
export const MESSAGE_MAX_FILES = 1000;
/** Mode of a gitlink (a submodule or nested repository): never written or deleted by a restore. */
export const GITLINK_MODE = '160000';

/**
 * Reads raw diff entries (`:<mode> <mode> <id> <id> <status>\0<path>\0[<path>\0]`) from `tokens`
 * (the output split at NUL) starting at `start`, while the tokens look like raw entries. Returns the
 * entries and the index of the first token that is not part of one.
 */
export function readRawEntries(tokens: string[], start = 0): { entries: RawChange[]; next: number } {
  const entries: RawChange[] = [];
  let i = start;
  while (i < tokens.length) {
    const head = tokens[i]?.replace(/^\n/, '') ?? '';
    if (!head.startsWith(':')) break;
    const [oldMode = '', newMode = '', , , status = ''] = head.slice(1).split(' ');
    const letter = status.charAt(0);
    if (letter === 'R' || letter === 'C') {
      entries.push({ letter, oldPath: tokens[i + 1] ?? '', path: tokens[i + 2] ?? '', oldMode, newMode });
      i += 3;
    } else {
      entries.push({ letter, path: tokens[i + 1] ?? '', oldMode, newMode });
      i += 2;
    }
  }
  return { entries, next: i };
}

/** The raw entries of a whole `git diff-tree -r -z --raw` output. */
export function parseRawDiff(output: string): RawChange[] {
  return readRawEntries(output.split('\0').filter((t, i, all) => t !== '' || i < all.length - 1)).entries;
}

/**
 * The folder's changes among `raw`, with folder-relative paths. A rename across the folder's edge
 * counts as an addition (moved in) or a deletion (moved out).
 */
export function toFolderChanges(paths: FolderPaths, raw: RawChange[]): FileChange[] {
  const out: FileChange[] = [];
  for (const c of raw) {
    const to = toFolderRel(paths, c.path);
    const from = c.oldPath === undefined ? undefined : toFolderRel(paths, c.oldPath);
    if (c.letter === 'R') {
      if (to !== undefined && from !== undefined) out.push({ path: to, status: 'renamed', oldPath: from });
      else if (to !== undefined) out.push({ path: to, status: 'added' });
      else if (from !== undefined) out.push({ path: from, status: 'deleted' });
      continue;
    }
    if (to === undefined) continue;
    out.push({ path: to, status: statusOf(c.letter) });
  }
  return out;
}

/** The commit message of a backup: a summary line, then one line per file (top-relative paths). */
export function backupMessage(raw: RawChange[], paths: FolderPaths): string {
  const mine = raw.filter((c) => toFolderRel(paths, c.path) !== undefined || (c.oldPath !== undefined && toFolderRel(paths, c.oldPath) !== undefined));
  const n = mine.length;
  const lines = mine.slice(0, MESSAGE_MAX_FILES).map((c) => (c.oldPath === undefined ? `${c.letter} ${printable(c.path)}` : `${c.letter} ${printable(c.oldPath)} -> ${printable(c.path)}`));
  if (n > MESSAGE_MAX_FILES) lines.push(`… and ${n - MESSAGE_MAX_FILES} more`);
  const summary = `Auto-backup: ${n} ${n === 1 ? 'file' : 'files'} changed`;
  return lines.length === 0 ? `${summary}\n` : `${summary}\n\n${lines.join('\n')}\n`;
}

/** A path for a message line: control characters (a newline in a file name, say) become '?'. */
function printable(p: string): string {
  // eslint-disable-next-line no-control-regex
  return p.replace(/[\x00-\x1f\x7f]/g, '?');
}

function statusOf(letter: string): FileStatus {
  switch (letter) {
    case 'A':
    case 'C':
      return 'added';
    case 'D':
      return 'deleted';
    default:
      // M, and T (a file that became a symlink or the reverse).
      return 'modified';
  }
}

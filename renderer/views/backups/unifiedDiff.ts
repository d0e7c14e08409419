/**
 * Reads git's unified diff text (`git diff-tree -p`, as backupDiff returns it) into files, hunks and
 * numbered lines, for the backups view to render. Only reads: nothing of the text is ever treated as
 * markup. Paths stay as git wrote them after `a/` / `b/` (C-quoted names are unquoted).
 */

/** One line of a hunk: `oldNo`/`newNo` are its line numbers on each side (null where it has none). */
export interface DiffLine {
  kind: 'add' | 'del' | 'context' | 'note';
  oldNo: number | null;
  newNo: number | null;
  text: string;
}

/** One `@@ … @@` section. */
export interface DiffHunk {
  header: string;
  lines: DiffLine[];
}

/** One file of a diff. `oldPath`/`newPath` are null on the side where the file does not exist. */
export interface DiffFile {
  oldPath: string | null;
  newPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  /** Mode changes and similar lines git writes before the hunks (e.g. "old mode 100644"). */
  notes: string[];
  hunks: DiffHunk[];
  additions: number;
  deletions: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** The name git wrote, unquoted when git C-quoted it (`"a/\303\251.txt"` is `a/é.txt`). */
export function unquoteGitPath(raw: string): string {
  if (!(raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2)) return raw;
  const bytes: number[] = [];
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...new TextEncoder().encode(ch));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(SIMPLE_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** A `--- a/x` / `+++ b/x` / `rename from x` path without its side prefix; null for /dev/null. */
function sidePath(raw: string, prefix: 'a/' | 'b/' | ''): string | null {
  const name = unquoteGitPath(raw.replace(/\t$/, ''));
  if (name === '/dev/null') return null;
  return prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The path of `diff --git a/P b/P` when both sides name the same file (no ---/+++ lines: binary, mode only). */
function pathFromGitLine(rest: string): string | null {
  if (rest.startsWith('"')) {
    const end = rest.indexOf('" ', 1);
    return end < 0 ? null : sidePath(rest.slice(0, end + 1), 'a/');
  }
  // "a/P b/P": the two halves are equal, so P's length follows from the line's.
  const len = (rest.length - 5) / 2;
  if (!Number.isInteger(len) || len <= 0) return null;
  const a = rest.slice(2, 2 + len);
  return rest === `a/${a} b/${a}` ? a : null;
}

function newFile(gitLine: string): DiffFile {
  const p = pathFromGitLine(gitLine);
  return { oldPath: p, newPath: p, status: 'modified', binary: false, notes: [], hunks: [], additions: 0, deletions: 0 };
}

/** The files of a unified diff, in git's order. Text before the first `diff --git` line is ignored. */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk: DiffHunk | undefined;
  let oldNo = 0;
  let newNo = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      file = newFile(line.slice('diff --git '.length));
      files.push(file);
      hunk = undefined;
      continue;
    }
    if (file === undefined) continue;
    if (hunk !== undefined) {
      const mark = line.charAt(0);
      if (mark === '+') {
        hunk.lines.push({ kind: 'add', oldNo: null, newNo: newNo++, text: line.slice(1) });
        file.additions++;
        continue;
      }
      if (mark === '-') {
        hunk.lines.push({ kind: 'del', oldNo: oldNo++, newNo: null, text: line.slice(1) });
        file.deletions++;
        continue;
      }
      if (mark === ' ' || line === '') {
        hunk.lines.push({ kind: 'context', oldNo: oldNo++, newNo: newNo++, text: line.slice(1) });
        continue;
      }
      if (mark === '\\') {
        hunk.lines.push({ kind: 'note', oldNo: null, newNo: null, text: line.slice(2) });
        continue;
      }
    }
    const header = HUNK_HEADER.exec(line);
    if (header !== null) {
      oldNo = Number(header[1]);
      newNo = Number(header[2]);
      hunk = { header: line, lines: [] };
      file.hunks.push(hunk);
      continue;
    }
    hunk = undefined;
    if (line.startsWith('--- ')) file.oldPath = sidePath(line.slice(4), 'a/');
    else if (line.startsWith('+++ ')) file.newPath = sidePath(line.slice(4), 'b/');
    else if (line.startsWith('new file mode')) file.status = 'added';
    else if (line.startsWith('deleted file mode')) file.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      file.status = 'renamed';
      file.oldPath = sidePath(line.slice('rename from '.length), '');
    } else if (line.startsWith('rename to ')) file.newPath = sidePath(line.slice('rename to '.length), '');
    else if (line.startsWith('Binary files ')) file.binary = true;
    else if (line.startsWith('old mode') || line.startsWith('new mode')) file.notes.push(line);
  }
  for (const f of files) {
    if (f.status === 'added') f.oldPath = null;
    if (f.status === 'deleted') f.newPath = null;
  }
  return files;
}

/** The name to show for a file: where it is now, or where it was when it is gone (a rename shows both). */
export function displayPath(f: DiffFile): string {
  if (f.status === 'renamed') return `${f.oldPath ?? ''} → ${f.newPath ?? ''}`;
  return f.newPath ?? f.oldPath ?? '(unknown file)';
}

import { backupMessage, parseRawDiff, toFolderChanges, type FileChange, type RawChange } from './changes.js';
import type { BackupContext } from './context.js';
import { folderPathspecs } from './folderPaths.js';
import { resolveCommit, type Location } from './location.js';
import { withPrivateIndex } from './privateIndex.js';

/** What a backup did: a new backup, nothing (the folder is as the last backup has it), or why not. */
export type BackupResult =
  | { ok: true; kind: 'created'; id: string; filesChanged: number; files: FileChange[] }
  /** `id` is the newest backup, which already holds the folder as it is. */
  | { ok: true; kind: 'skipped'; id: string }
  /** `retry`: the backup lost a race for its ref (nothing was lost); trying again will work. */
  | { ok: false; reason: string; retry: boolean };

/** A backup commit made but not yet published on its ref, or nothing to publish. */
export type PreparedBackup =
  | { kind: 'created'; id: string; ref: string; expected: string | null; files: FileChange[] }
  | { kind: 'skipped'; id: string };

/**
 * Snapshots the folder into a tree through the kept private index: the index is first brought to
 * `base` (HEAD, so the rest of the tree is the user's last commit; `read-tree -m` keeps the stat data
 * of unchanged entries so `git add` hashes only what changed), then `git add -A` updates the folder's
 * part (tracked and untracked files, .gitignore honoured). The user's .git/index is never opened.
 */
export async function snapshotTree(ctx: BackupContext, base: string | null, keepIndex: boolean): Promise<{ ok: true; tree: string } | { ok: false; reason: string }> {
  const { loc } = ctx;
  return withPrivateIndex(ctx.dataDir, keepIndex, async (indexFile) => {
    if (base !== null) {
      const merged = await loc.git.run(['read-tree', '-m', base], { indexFile });
      if (!merged.ok) {
        // A kept index git cannot merge from (another repository's, say): start it over.
        const fresh = await loc.git.run(['read-tree', base], { indexFile });
        if (!fresh.ok) return fresh;
      }
    } else if (loc.folderRel !== '') {
      // No commit to take the rest of the tree from: the snapshot is the folder alone.
      const empty = await loc.git.run(['read-tree', '--empty'], { indexFile });
      if (!empty.ok) return empty;
    }
    // --ignore-errors: a file that cannot be read right now (locked on Windows) keeps its previous
    // content in the snapshot instead of failing the whole backup; git still exits 1 then.
    const added = await loc.git.run(['add', '-A', '--ignore-errors', '--', ...folderPathspecs(loc)], { indexFile });
    if (!added.ok && /^fatal:/m.test(added.stderr)) return added;
    if (base === null && loc.folderRel === '') {
      // The kept index is the only record of what is "tracked" here: a file backed up before and
      // ignored since must leave the snapshot, as it would if the index started empty.
      const dropped = await dropIgnored(loc, indexFile);
      if (!dropped.ok) return dropped;
    }
    const written = await loc.git.run(['write-tree'], { indexFile });
    if (!written.ok) return written;
    return { ok: true as const, tree: written.stdout.trim() };
  });
}

/**
 * Makes a backup commit of the folder as it is now, without publishing it: the tree (snapshotTree),
 * its changes against the parent (the last backup, else HEAD, else none) within the folder, and
 * `git commit-tree`. Skipped when a last backup exists and the folder's part did not change.
 */
export async function prepareBackup(ctx: BackupContext): Promise<{ ok: true; prepared: PreparedBackup } | { ok: false; reason: string }> {
  const { loc } = ctx;
  const snap = await snapshotTree(ctx, ctx.head, true);
  if (!snap.ok) return snap;
  const parent = ctx.last ?? ctx.head;
  const raw = await diffTrees(loc, parent === null ? null : `${parent}^{tree}`, snap.tree);
  if (!raw.ok) return raw;
  if (ctx.last !== null && raw.changes.length === 0) return { ok: true, prepared: { kind: 'skipped', id: ctx.last } };

  const args = ['commit-tree', snap.tree, ...(parent === null ? [] : ['-p', parent]), '-F', '-'];
  const made = await loc.git.run(args, { input: backupMessage(raw.changes, loc), commitTime: ctx.now() });
  if (!made.ok) return made;
  const files = toFolderChanges(loc, raw.changes);
  return { ok: true, prepared: { kind: 'created', id: made.stdout.trim(), ref: ctx.ref, expected: ctx.last, files } };
}

/**
 * Moves the backup ref to a prepared commit with a compare-and-swap `git update-ref <ref> <new> <old>`
 * (old = zeros when the ref must not exist yet). When the ref moved meanwhile (another backup, a
 * prune) the result says to retry; the ref is never forced.
 */
export async function publishBackup(ctx: BackupContext, prepared: PreparedBackup): Promise<BackupResult> {
  if (prepared.kind === 'skipped') return { ok: true, kind: 'skipped', id: prepared.id };
  const moved = await moveRef(ctx, prepared.ref, prepared.id, prepared.expected, 'poshpool: backup');
  if (!moved.ok) return moved;
  return { ok: true, kind: 'created', id: prepared.id, filesChanged: prepared.files.length, files: prepared.files };
}

/** A compare-and-swap move of a backup ref; a lost race is `retry: true`. */
export async function moveRef(ctx: BackupContext, ref: string, to: string, expected: string | null, why: string): Promise<{ ok: true } | { ok: false; reason: string; retry: boolean }> {
  const { loc } = ctx;
  const old = expected ?? '0'.repeat(to.length);
  const r = await loc.git.run(['update-ref', '-m', why, ref, to, old]);
  if (r.ok) return { ok: true };
  const nowAt = await resolveCommit(loc, ref);
  if (nowAt.ok && nowAt.id !== expected) {
    return { ok: false, retry: true, reason: `${ref} moved while the backup was being made (another backup or a prune); nothing was lost, try again.` };
  }
  if (/\.lock/.test(r.stderr) && /exists/i.test(r.stderr)) {
    return { ok: false, retry: true, reason: `${ref} is being updated by another git process right now; try again.` };
  }
  return { ok: false, retry: false, reason: r.reason };
}

/** The raw changes between two trees within the folder (renames detected); `from` null = the empty tree. */
export async function diffTrees(loc: Location, from: string | null, to: string, sub?: string): Promise<{ ok: true; changes: RawChange[] } | { ok: false; reason: string }> {
  let source = from;
  if (source === null) {
    const empty = await loc.git.run(['hash-object', '-t', 'tree', '--stdin']);
    if (!empty.ok) return empty;
    source = empty.stdout.trim();
  }
  const r = await loc.git.read(['diff-tree', '-r', '-z', '-M', '--raw', source, to, '--', ...folderPathspecs(loc, sub)]);
  if (!r.ok) return r;
  return { ok: true, changes: parseRawDiff(r.stdout) };
}

/** Removes from a private index the entries .gitignore (or info/exclude, core.excludesFile) now ignores. */
async function dropIgnored(loc: Location, indexFile: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const listed = await loc.git.run(['ls-files', '-z', '--cached', '--ignored', '--exclude-standard', '--full-name'], { indexFile });
  if (!listed.ok) return listed;
  const paths = listed.stdout.split('\0').filter((p) => p !== '');
  if (paths.length === 0) return { ok: true };
  const input = paths.map((p) => `:(top,literal)${p}\0`).join('');
  const removed = await loc.git.run(['rm', '--cached', '--force', '-q', '--ignore-unmatch', '--pathspec-from-file=-', '--pathspec-file-nul'], { indexFile, input });
  return removed.ok ? { ok: true } : removed;
}

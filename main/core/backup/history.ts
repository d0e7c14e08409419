import { readRawEntries, toFolderChanges, type FileStatus } from './changes.js';
import { BACKUP_IDENTITY } from './gitEnv.js';
import { resolveCommit, type Location } from './location.js';

/** One file of a backup in the history, with its line counts (null for a binary file). */
export interface BackupFileStat {
  path: string;
  status: FileStatus;
  /** Where a renamed file was. */
  oldPath?: string;
  additions: number | null;
  deletions: number | null;
}

/** One backup, as history() lists it. */
export interface BackupInfo {
  id: string;
  /** When it was made, ms since the epoch (git keeps seconds). */
  time: number;
  message: string;
  filesChanged: number;
  files: BackupFileStat[];
}

/** One commit of a backup chain (what a prune rewrites). */
export interface ChainLink {
  id: string;
  /** Its parent: the previous backup, or for the oldest the user's commit it started from (or null). */
  parent: string | null;
  tree: string;
  /** Commit time, ms since the epoch. */
  time: number;
  message: string;
}

const RECORD = '\x1e';
const FIELD = '\x1f';
const FORMAT = `--format=${RECORD}%H${FIELD}%P${FIELD}%T${FIELD}%ct${FIELD}%ce${FIELD}%B${FIELD}`;

/**
 * The backups on `ref`, newest first, with their files (within the folder) and line counts, read
 * with `git log --raw --numstat` (read-only, optional locks off). An absent ref has no backups.
 */
export async function readHistory(loc: Location, ref: string, limit?: number): Promise<{ ok: true; backups: BackupInfo[] } | { ok: false; reason: string }> {
  const read = await logChain(loc, ref, true, limit);
  if (!read.ok) return read;
  return { ok: true, backups: read.records.map((r) => r.info) };
}

/** The commits of the backup chain on `ref`, newest first (an absent ref has none). */
export async function readChain(loc: Location, ref: string): Promise<{ ok: true; links: ChainLink[] } | { ok: false; reason: string }> {
  const read = await logChain(loc, ref, false);
  if (!read.ok) return read;
  return { ok: true, links: read.records.map((r) => r.link) };
}

interface ChainRecord {
  link: ChainLink;
  info: BackupInfo;
}

/**
 * Walks the first-parent chain from `ref`. The chain ends at the first commit not made by poshpool
 * (the user's commit the chain started from); `--not --branches --tags` keeps git from walking the
 * user's history beyond it in the first place.
 */
async function logChain(loc: Location, ref: string, withFiles: boolean, limit?: number): Promise<{ ok: true; records: ChainRecord[] } | { ok: false; reason: string }> {
  if (limit !== undefined && limit <= 0) return { ok: true, records: [] };
  const tip = await resolveCommit(loc, ref);
  if (!tip.ok) return tip;
  if (tip.id === null) return { ok: true, records: [] };
  const args = ['log', '--first-parent', '-z', FORMAT];
  if (withFiles) args.push('--raw', '--numstat', '-M', '--root', '--no-textconv');
  if (limit !== undefined) args.push(`--max-count=${limit}`);
  args.push(tip.id, '--not', '--branches', '--tags', '--');
  const r = await loc.git.read(args);
  if (!r.ok) return r;

  const records: ChainRecord[] = [];
  for (const text of r.stdout.split(RECORD).slice(1)) {
    const fields = text.split(FIELD);
    const [id = '', parents = '', tree = '', ct = '0', email = '', message = ''] = fields;
    if (email !== BACKUP_IDENTITY.email) break;
    const time = Number(ct) * 1000;
    const link: ChainLink = { id, parent: parents.split(' ')[0] || null, tree, time, message: message.trimEnd() };
    const files = withFiles ? fileStats(loc, fields.slice(6).join(FIELD)) : [];
    records.push({ link, info: { id, time, message: link.message, filesChanged: files.length, files } });
  }
  return { ok: true, records };
}

/** The folder's files of one commit from its `--raw --numstat -z` part. */
function fileStats(loc: Location, diffPart: string): BackupFileStat[] {
  const tokens = diffPart.split('\0');
  let i = 0;
  while (i < tokens.length && (tokens[i] === '' || tokens[i] === '\n')) i++;
  const raw = readRawEntries(tokens, i);
  i = raw.next;

  // numstat: "<added>\t<deleted>\t<path>", or for a rename "<added>\t<deleted>\t" then the old and new paths.
  const counts = new Map<string, { additions: number | null; deletions: number | null }>();
  while (i < tokens.length) {
    const t = tokens[i] ?? '';
    const m = /^\n?(-|\d+)\t(-|\d+)\t(.*)$/s.exec(t);
    if (!m) {
      i++;
      continue;
    }
    const stat = { additions: m[1] === '-' ? null : Number(m[1]), deletions: m[2] === '-' ? null : Number(m[2]) };
    if (m[3] === '') {
      counts.set(tokens[i + 2] ?? '', stat);
      i += 3;
    } else {
      counts.set(m[3] ?? '', stat);
      i += 1;
    }
  }

  const out: BackupFileStat[] = [];
  for (const entry of raw.entries) {
    // One entry gives at most one change of the folder; the counts are keyed by the entry's new path.
    const [change] = toFolderChanges(loc, [entry]);
    if (change === undefined) continue;
    const stat = counts.get(entry.path);
    out.push({ ...change, additions: stat?.additions ?? null, deletions: stat?.deletions ?? null });
  }
  return out;
}

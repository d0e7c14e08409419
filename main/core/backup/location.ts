import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { currentPlatform } from '../platform/Platform.js';
import type { FolderPaths } from './folderPaths.js';
import { GitRunner } from './gitRunner.js';
import { ensurePrivateDir, PRIVATE_SHARED_REPOSITORY, privacyConfig, type FileSecurity } from './privateModes.js';

/** Branch part of the backup ref of a folder outside any repository. */
export const STANDALONE_BRANCH = 'main';
/** Branch part of the backup ref while HEAD is detached (a rebase, a checked-out tag or commit). */
export const DETACHED_BRANCH = 'detached';
/** Where backup refs live; nothing outside this namespace is ever written. */
export const BACKUP_REF_PREFIX = 'refs/poshpool/backups/';

/** Where a folder's backups go: the repository it is in, or a private bare repository. */
export interface Location extends FolderPaths {
  /** 'repo' when the folder is inside a git work tree; 'standalone' when it is not. */
  kind: 'repo' | 'standalone';
  /** The backed-up folder (absolute). */
  folder: string;
  /** The repository's git directory (absolute). */
  gitDir: string;
  /** Runs git at the work tree's top with this location's environment. */
  git: GitRunner;
}

/** What a folder's location needs to know. */
export interface LocateOptions {
  folder: string;
  /** This folder's private data: the private index, and the bare repository when standalone. */
  dataDir: string;
  /** Extra variables for every git process (tests). */
  env?: Readonly<Record<string, string | undefined>>;
  /** How files are made private (POSIX modes or the ACL; default: this OS's), see privateModes. */
  platform?: FileSecurity;
}

/**
 * Finds out where `folder`'s backups go: `git rev-parse --show-toplevel --absolute-git-dir
 * --show-prefix` run in the folder (read-only, optional locks off). Outside any repository the
 * backups go to a bare repository under dataDir (created on first use) with the folder as its work
 * tree. Anything else git complains about (dubious ownership, the folder being inside .git) is a failure.
 */
export async function locate(options: LocateOptions): Promise<{ ok: true; location: Location } | { ok: false; reason: string }> {
  const folder = path.resolve(options.folder);
  try {
    if (!statSync(folder).isDirectory()) return { ok: false, reason: `${folder} is not a directory.` };
  } catch (e) {
    return { ok: false, reason: `The backed-up folder ${folder} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}.` };
  }
  const dataDir = path.resolve(options.dataDir);
  if (dataDir === folder) return { ok: false, reason: `The backup data directory cannot be the backed-up folder itself (${folder}).` };
  const platform = options.platform ?? currentPlatform();
  ensurePrivateDir(dataDir, platform);

  // Never created: a hooks directory with no hooks in it.
  const hooksPath = path.join(dataDir, 'no-hooks');
  const probe = await new GitRunner({ cwd: folder, env: { extra: options.env } }).read(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--show-prefix']);
  if (probe.ok) {
    const [top = '', gitDir = '', prefix = ''] = probe.stdout.split('\n');
    if (top === '' || gitDir === '') return { ok: false, reason: `git rev-parse gave no work tree for ${folder}.` };
    const topAbs = path.resolve(top);
    const folderRel = prefix.replace(/\/$/, '');
    // The repository's own sharing setting, read without ours on the command line.
    const declared = await new GitRunner({ cwd: topAbs, env: { extra: options.env } }).read(['config', '--default', '', '--get', 'core.sharedRepository']);
    const config = privacyConfig(platform, declared.ok ? declared.stdout.trim() : undefined);
    const git = new GitRunner({ cwd: topAbs, env: { extra: options.env }, hooksPath, config });
    return { ok: true, location: { kind: 'repo', folder, top: topAbs, folderRel, gitDir: path.resolve(gitDir), git, excludedRel: excluded(folder, topAbs, dataDir) } };
  }
  if (!/not a git repository/i.test(probe.reason)) return { ok: false, reason: probe.reason };

  const gitDir = path.join(dataDir, 'repo.git');
  const config = privacyConfig(platform);
  if (!existsSync(path.join(gitDir, 'HEAD'))) {
    // No template (no sample hooks, nothing to keep private); --shared keeps later git runs private too.
    const shared = config.length > 0 ? [`--shared=${PRIVATE_SHARED_REPOSITORY}`] : [];
    const init = await new GitRunner({ cwd: dataDir, env: { extra: options.env }, hooksPath, config }).run(['init', '--bare', '--quiet', '--template=', ...shared, gitDir]);
    if (!init.ok) return { ok: false, reason: init.reason };
  }
  const git = new GitRunner({ cwd: folder, env: { extra: options.env, gitDir, workTree: folder }, hooksPath, config });
  return { ok: true, location: { kind: 'standalone', folder, top: folder, folderRel: '', gitDir, git, excludedRel: excluded(folder, folder, dataDir) } };
}

/** The backup ref of the branch HEAD is on now (always `main` for a standalone folder), and HEAD's commit if any. */
export async function currentHead(loc: Location): Promise<{ ok: true; ref: string; head: string | null } | { ok: false; reason: string }> {
  if (loc.kind === 'standalone') return { ok: true, ref: backupRef(STANDALONE_BRANCH, ''), head: null };
  // symbolic-ref -q exits 1 with no output when HEAD is detached: an answer, not a failure.
  const sym = await loc.git.read(['symbolic-ref', '-q', 'HEAD']);
  if (!sym.ok) return { ok: false, reason: sym.reason };
  const full = sym.stdout.trim();
  const branch = full.startsWith('refs/heads/') ? full.slice('refs/heads/'.length) : DETACHED_BRANCH;
  const head = await resolveCommit(loc, 'HEAD');
  if (!head.ok) return head;
  return { ok: true, ref: backupRef(branch, loc.folderRel), head: head.id };
}

/**
 * The backup ref of a folder on a branch: `refs/poshpool/backups/<branch>` for a repository's top
 * folder; a subfolder gets its own chain, `<branch>@<last segment>-<hash of its path>`, so two watched
 * folders of one repository never take turns on one ref (each backup would undo the other's part).
 * Only [A-Za-z0-9_-] go into the suffix, so it is a valid ref name whatever the folder is called.
 */
export function backupRef(branch: string, folderRel: string): string {
  if (folderRel === '') return BACKUP_REF_PREFIX + branch;
  const last = folderRel.split('/').at(-1) ?? folderRel;
  const slug = last.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'folder';
  const hash = createHash('sha1').update(folderRel).digest('hex').slice(0, 8);
  return `${BACKUP_REF_PREFIX}${branch}@${slug}-${hash}`;
}

/** What a backup id given by a client must look like: a hex object id (never a ref, a revision expression or an option). */
const BACKUP_ID = /^[0-9a-f]{7,64}$/i;

/** Why `id` cannot be a backup id a client gave, or undefined when it can (its hex form only: `HEAD~1`, `main`, `--x` are refused). */
export function backupIdProblem(id: string): string | undefined {
  return BACKUP_ID.test(id) ? undefined : `"${id}" is not a backup id: give the hex id list_backups shows (7 to 40 hex digits).`;
}

/** The commit a name points to, or null when it names none (an unborn HEAD, a missing ref). */
export async function resolveCommit(loc: Location, name: string): Promise<{ ok: true; id: string | null } | { ok: false; reason: string }> {
  const r = await loc.git.read(['rev-parse', '-q', '--verify', `${name}^{commit}`]);
  if (!r.ok) return { ok: false, reason: r.reason };
  const id = r.stdout.trim();
  return { ok: true, id: id === '' ? null : id };
}

/** poshpool's data directory, top-relative, when it lies inside the folder (so it is never backed up). */
function excluded(folder: string, top: string, dataDir: string): string | undefined {
  const inFolder = path.relative(folder, dataDir);
  if (inFolder === '..' || inFolder.startsWith(`..${path.sep}`) || path.isAbsolute(inFolder)) return undefined;
  return path.relative(top, dataDir).split(path.sep).join('/');
}

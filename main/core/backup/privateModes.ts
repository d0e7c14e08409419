import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import type { Platform } from '../platform/Platform.js';

/**
 * What the backup writes is the user's alone (DESIGN.md §4): a backed-up `.env` of mode 0600 must
 * not become a git object another local user can read.
 *
 * POSIX: git creates objects 0444 and directories 0777, less the umask (0022 gives 0444 / 0755), in
 * poshpool's private bare repository and in the user's own repository alike. Every backup git call
 * therefore runs with `-c core.sharedRepository=0600`: an octal value makes git chmod each file and
 * directory it creates to exactly that mode (read-only files 0400, directories 0700; git-config(1),
 * core.sharedRepository "0xxx ... files in the repository will have this mode value"), objects,
 * refs, index and lock files included. A repository that itself declares sharing with a group or
 * everyone (core.sharedRepository=group, all, or an octal value with group/other bits) keeps it: its
 * owner shares it on purpose, and objects only we could read would break their collaborators' git.
 *
 * Windows: chmod only sets or clears the read-only attribute (Microsoft's UCRT chmod.cpp: "The only
 * supported mode bit is _S_IWRITE"; Node's fs.chmod docs: "on Windows only the write permission can
 * be changed"), and Git for Windows' chmod is the UCRT's (git's compat/mingw.c: mingw_chmod returns
 * _wchmod(wfilename, mode)), so core.sharedRepository cannot restrict
 * anything there. What restricts is the ACL: the data dir gets one ACE for the user, inherited by
 * every file and folder below ((OI)(CI), see platform/userOnly.ts), so the private repository and
 * indexes inherit it; a repository elsewhere has its folder's ACL (under %USERPROFILE%, the user's,
 * SYSTEM's and Administrators'). Nothing is passed to git on Windows, decided by the platform seam's
 * `fileSecurity: 'acl'`.
 */

/** The mode git gives what it writes for the backup (POSIX): user read/write only. */
export const PRIVATE_SHARED_REPOSITORY = '0600';
/** Mode of a directory the backup makes in poshpool's data dir. */
export const PRIVATE_DIR_MODE = 0o700;

/** What decides how files are made private: the platform seam's `fileSecurity`. */
export type FileSecurity = Pick<Platform, 'fileSecurity'>;

/**
 * Whether a repository's own core.sharedRepository value shares it with others (git-config(1):
 * `group`/`true`/`1`, `all`/`world`/`everybody`/`2`, or an octal mode granting group or other
 * bits). `false`, `umask`, `0` and unset do not.
 */
export function declaresSharing(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (['group', 'true', '1', 'all', 'world', 'everybody', '2'].includes(v)) return true;
  if (/^0[0-7]{3}$/.test(v)) return (parseInt(v, 8) & 0o077) !== 0;
  return false;
}

/**
 * The `-c` settings that make what git writes for the backup private: core.sharedRepository=0600 on
 * POSIX unless the repository declares sharing (`declared`: its own core.sharedRepository); nothing
 * on Windows (the ACL decides, see above).
 */
export function privacyConfig(platform: FileSecurity, declared?: string): string[] {
  if (platform.fileSecurity === 'acl' || declaresSharing(declared)) return [];
  return [`core.sharedRepository=${PRIVATE_SHARED_REPOSITORY}`];
}

/**
 * Creates a directory of poshpool's data dir (a folder's backup data) as 0700, and tightens one that
 * exists with a looser mode (made by an earlier version). Windows: created, the inherited ACL applies.
 */
export function ensurePrivateDir(dir: string, platform: FileSecurity): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (platform.fileSecurity !== 'mode') return;
  const seen = lstatSync(dir);
  if (seen.isDirectory() && (seen.mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

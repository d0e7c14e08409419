/**
 * Settings every git call of the backup runs with, as `-c` (above every config file, so above Git for
 * Windows' system-wide `core.autocrlf=true` and whatever the repository sets):
 * - core.autocrlf=false: `git add` stores a file's bytes and `checkout-index` writes them back as
 *   they are; with autocrlf=true a backup would store CRLF files as LF and a restore would write
 *   CRLF, changing the user's line endings both ways (git-config(1), core.autocrlf).
 * - core.safecrlf=false: with conversion off there is nothing to warn about, and a warning (or, set
 *   to true, a refusal) must never fail a backup.
 * - core.longpaths=true: Git for Windows otherwise refuses paths over MAX_PATH (260) in the work
 *   tree, so deep node-style trees would be left out of backups and restores (ignored elsewhere).
 * Conversions the repository itself declares in .gitattributes (text, eol, filter) still apply, as
 * for any git command in that repository.
 */
export const BACKUP_GIT_CONFIG: readonly string[] = ['core.autocrlf=false', 'core.safecrlf=false', 'core.longpaths=true'];

/**
 * The `-c` arguments that go before the subcommand of every backup git call: BACKUP_GIT_CONFIG, and
 * core.hooksPath when given (a directory without hooks, so the user's hooks never fire for
 * poshpool's private index and refs).
 */
export function gitConfigArgs(hooksPath?: string, extra: readonly string[] = []): string[] {
  return gitConfig(hooksPath, extra).flatMap((c) => ['-c', c]);
}

/** BACKUP_GIT_CONFIG plus core.hooksPath when given, then `extra` (core.sharedRepository, see privateModes), as `key=value` entries. */
export function gitConfig(hooksPath?: string, extra: readonly string[] = []): string[] {
  return [...BACKUP_GIT_CONFIG, ...(hooksPath === undefined ? [] : [`core.hooksPath=${hooksPath}`]), ...extra];
}

/** Who backup commits are made by. History walks stop at the first commit by anyone else. */
export const BACKUP_IDENTITY = { name: 'poshpool', email: 'backup@poshpool.invalid' } as const;

/**
 * Variables of this process that git may see (compared upper-case, for Windows). Everything else is
 * left out: every GIT_* variable (this machine sets GIT_SSL_CAINFO; a GIT_DIR or GIT_INDEX_FILE
 * inherited from a hook would point git at the wrong repository or, worse, at the user's index),
 * pagers and editors, and the locale (set to C below so messages can be matched).
 */
const PASSED_THROUGH: ReadonlySet<string> = new Set([
  'PATH',
  'PATHEXT',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'TEMP',
  'TMP',
  'TMPDIR',
  'HOME',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'APPDATA',
  'LOCALAPPDATA',
  'XDG_CONFIG_HOME',
  'USER',
  'USERNAME',
  'LOGNAME',
]);

/** Variables only this module sets: an extra naming one is left out (they decide which index and repository git writes). */
const RESERVED: ReadonlySet<string> = new Set(['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OPTIONAL_LOCKS', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']);

/** What a git process of the backup needs besides the clean base. */
export interface GitEnvOptions {
  /** The environment to pick the passed-through variables from (default: this process's). */
  base?: NodeJS.ProcessEnv;
  /** Added to the base (tests point HOME at a temp dir, set GIT_CONFIG_NOSYSTEM); may not name the variables set below. */
  extra?: Readonly<Record<string, string | undefined>>;
  /** GIT_DIR: the private bare repository of a folder outside any repository. */
  gitDir?: string;
  /** GIT_WORK_TREE: that folder. */
  workTree?: string;
  /** GIT_INDEX_FILE: a private index, never the user's .git/index. */
  indexFile?: string;
  /** Author and committer date (ms since the epoch); also sets the backup identity. */
  commitTime?: number;
}

/**
 * A complete environment for one git process, built from an allow-list rather than by copying
 * process.env. GIT_OPTIONAL_LOCKS=0 is always set: reads never take the user's index.lock to refresh
 * stat data, and nothing this module runs needs an optional lock.
 */
export function gitEnv(options: GitEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.base ?? process.env)) {
    if (value !== undefined && PASSED_THROUGH.has(key.toUpperCase())) env[key] = value;
  }
  for (const [key, value] of Object.entries(options.extra ?? {})) {
    if (RESERVED.has(key.toUpperCase())) continue;
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  env.LC_ALL = 'C';
  env.GIT_OPTIONAL_LOCKS = '0';
  env.GIT_TERMINAL_PROMPT = '0';
  if (options.gitDir !== undefined) env.GIT_DIR = options.gitDir;
  if (options.workTree !== undefined) env.GIT_WORK_TREE = options.workTree;
  if (options.indexFile !== undefined) env.GIT_INDEX_FILE = options.indexFile;
  if (options.commitTime !== undefined) {
    const date = `@${Math.floor(options.commitTime / 1000)} +0000`;
    env.GIT_AUTHOR_NAME = BACKUP_IDENTITY.name;
    env.GIT_AUTHOR_EMAIL = BACKUP_IDENTITY.email;
    env.GIT_COMMITTER_NAME = BACKUP_IDENTITY.name;
    env.GIT_COMMITTER_EMAIL = BACKUP_IDENTITY.email;
    env.GIT_AUTHOR_DATE = date;
    env.GIT_COMMITTER_DATE = date;
  }
  return env;
}

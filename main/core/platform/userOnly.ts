import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Platform } from './Platform.js';
import { tightenTree } from './privateTree.js';

/**
 * Makes a directory (the data dir) reachable by the current user alone, explicitly, on every OS
 * (DESIGN.md §4: "Everything under the data dir is user-only (0700 dirs, 0600 files; on Windows an ACL
 * for the user alone) ... a data dir that is looser is tightened or refused"). POSHPOOL_DATA_DIR may
 * name any folder (D:\work\pp, a shared drive), so %LOCALAPPDATA%'s inherited ACL is not relied on.
 */

/** Done, or why not, in words a person can act on. `notes`: what was tightened, for the log. */
export type UserOnlyResult = { ok: true; notes?: string[] } | { ok: false; reason: string };

/** What a run of a system command gave. */
export interface CommandOutcome {
  /** Exit code; null when it could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not run (ENOENT...), when it could not. */
  error?: string;
}

/** The system the checks touch; injectable so the Windows branch runs in tests on Linux. */
export interface UserOnlyDeps {
  /** Runs a program (no shell) and reports how it went. */
  run(file: string, args: readonly string[]): Promise<CommandOutcome>;
  /** The uid that must own the directory (POSIX; default: this process's). */
  uid?: number;
  /** %SystemRoot% (Windows: where whoami.exe and icacls.exe are; default C:\Windows). */
  systemRoot?: string;
}

/** File in the data dir that says its contents were swept private once (POSIX), so later starts skip the walk. */
export const SWEPT_MARKER = '.private-sweep-done';

/** Longest a whoami or icacls run may take. */
const ACL_COMMAND_TIMEOUT_MS = 30_000;

/** The real system. */
export const systemUserOnlyDeps: UserOnlyDeps = {
  run: (file, args) =>
    new Promise((resolve) => {
      execFile(file, [...args], { encoding: 'utf8', timeout: ACL_COMMAND_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr, ...(error && code === null ? { error: error.message } : {}) });
      });
    }),
  uid: process.getuid?.(),
  systemRoot: process.env.SystemRoot ?? process.env.SYSTEMROOT,
};

/**
 * whoami's arguments for the current user's SID as one CSV line without a header,
 * `"domain\user","S-1-5-21-..."` (learn.microsoft.com/windows-server/administration/windows-commands/whoami:
 * /user "displays the current domain and user name and the security identifier (SID)", /fo csv,
 * /nh "the column header shouldn't be displayed ... valid only for table and CSV formats").
 */
export const WHOAMI_USER_ARGS = ['/user', '/fo', 'csv', '/nh'] as const;

/** The SID in whoami's CSV line (the last field; the account name before it may hold commas). */
export function parseWhoamiSid(stdout: string): string | undefined {
  const m = /"(S-1-[0-9-]+)"\s*$/.exec(stdout.trim());
  return m?.[1];
}

/**
 * icacls's arguments that leave `dir` with one ACE, full control for `sid`, inherited by every file
 * and folder below (learn.microsoft.com/windows-server/administration/windows-commands/icacls):
 * `/inheritance:r` removes the inherited ACEs (those of %LOCALAPPDATA%, of D:\, of a share),
 * `/grant:r` replaces the explicit grants of that SID, a numerical SID is given with a leading `*`,
 * `(OI)(CI)` makes files and subfolders inherit it, `F` is full access. The path is one argv
 * element (no shell), so spaces need nothing; trailing separators are dropped ("C:\x\" would end
 * in an escaped quote on a command line).
 */
export function icaclsUserOnlyArgs(dir: string, sid: string, platform: Platform): string[] {
  const p = platform.path;
  let target = p.normalize(dir);
  while (target.length > p.parse(target).root.length && /[\\/]$/.test(target)) target = target.slice(0, -1);
  return [target, '/inheritance:r', '/grant:r', `*${sid}:(OI)(CI)F`];
}

function said(outcome: CommandOutcome): string {
  const text = `${outcome.stderr}\n${outcome.stdout}`.trim().replace(/\s+/g, ' ');
  return outcome.error ?? (text === '' ? `exit code ${outcome.code}` : `exit code ${outcome.code}: ${text}`);
}

/** Windows: the ACL for the user alone, set on every call (icacls is idempotent and fast). */
async function aclUserOnly(dir: string, platform: Platform, deps: UserOnlyDeps): Promise<UserOnlyResult> {
  const system32 = platform.path.join(deps.systemRoot ?? 'C:\\Windows', 'System32');
  // Full paths: a whoami.exe or icacls.exe earlier on PATH (or in the working directory) is not ours.
  const who = await deps.run(platform.path.join(system32, 'whoami.exe'), WHOAMI_USER_ARGS);
  const sid = who.code === 0 ? parseWhoamiSid(who.stdout) : undefined;
  if (sid === undefined) {
    return { ok: false, reason: `Cannot make the data dir ${dir} private: whoami did not give this user's SID (${said(who)}).` };
  }
  const set = await deps.run(platform.path.join(system32, 'icacls.exe'), icaclsUserOnlyArgs(dir, sid, platform));
  if (set.code !== 0) {
    return {
      ok: false,
      reason: `Cannot make the data dir ${dir} private to you (icacls ${said(set)}). It must be on a drive with access control lists (NTFS): point POSHPOOL_DATA_DIR at such a folder, or unset it.`,
    };
  }
  return { ok: true };
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * POSIX: mode 0700, owned by us; a looser one of ours is tightened, anything else refused. What is
 * inside is tightened too (privateTree: 0755 -> 0700, 0644 -> 0600), so files an earlier version
 * wrote readable by others (backups' git objects, logs) are not left so; each change is noted.
 */
async function modeUserOnly(dir: string, deps: UserOnlyDeps): Promise<UserOnlyResult> {
  const seen = await stat(dir);
  if (!seen.isDirectory()) return { ok: false, reason: `The data dir ${dir} is not a directory; move it away or point POSHPOOL_DATA_DIR elsewhere.` };
  if (deps.uid !== undefined && seen.uid !== deps.uid) {
    return { ok: false, reason: `The data dir ${dir} belongs to uid ${seen.uid}, not to you (uid ${deps.uid}); poshpool keeps its token and logs only in a folder of yours. Point POSHPOOL_DATA_DIR elsewhere.` };
  }
  const notes: string[] = [];
  if ((seen.mode & 0o077) !== 0) {
    await chmod(dir, 0o700);
    const fixed = await stat(dir);
    if ((fixed.mode & 0o077) !== 0) {
      return { ok: false, reason: `The data dir ${dir} has mode ${octal(fixed.mode)} (others can reach it) and chmod 0700 did not change that; run "chmod 700 ${dir}".` };
    }
    notes.push(`the data dir ${dir} had mode ${octal(seen.mode)} (other local users could reach it); it is now 0700.`);
  }
  // The walk is a one-time sweep of what earlier versions wrote (everything is written private now):
  // skipped once done, unless the data dir itself was found open again.
  const swept = path.join(dir, SWEPT_MARKER);
  if (notes.length === 0 && existsSync(swept)) return { ok: true };
  const inside = tightenTree(dir, deps.uid);
  if (inside.failed.length > 0) {
    return {
      ok: false,
      reason: `The data dir ${dir} holds what other local users can read and poshpool cannot make private: ${inside.failed.slice(0, 5).join(', ')}${inside.failed.length > 5 ? ` and ${inside.failed.length - 5} more` : ''}. Remove these or make them yours ("chown -R $(id -u) ${dir}"), then start again.`,
    };
  }
  if (inside.tightened > 0) notes.push(`${inside.tightened} file(s) and folder(s) in the data dir that others could read are now yours alone (e.g. ${inside.examples.join(', ')}).`);
  await writeFile(swept, 'poshpool tightened everything in this folder to the user alone; delete this file to have it look again at the next start.\n', { mode: 0o600 });
  return notes.length > 0 ? { ok: true, notes } : { ok: true };
}

/**
 * Creates `dir` when missing and makes it the user's alone: 0700 and owned by us on POSIX (a looser
 * dir of ours is tightened), an ACL granting only the current user on Windows. Every failure is a
 * reason, never ignored.
 */
export async function makeUserOnlyDir(dir: string, platform: Platform, deps: UserOnlyDeps = systemUserOnlyDeps): Promise<UserOnlyResult> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    return { ok: false, reason: `Cannot create the data dir ${dir}: ${(e as Error).message}` };
  }
  try {
    return platform.fileSecurity === 'acl' ? await aclUserOnly(dir, platform, deps) : await modeUserOnly(dir, deps);
  } catch (e) {
    return { ok: false, reason: `Cannot make the data dir ${dir} private: ${(e as Error).message}` };
  }
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { currentPlatform, type Platform } from '../../core/platform/Platform.js';

/** Folder under the data dir that holds the HTTP bearer token. */
export const AUTH_DIR_NAME = 'auth';
/** Name of the token file inside {@link AUTH_DIR_NAME}. */
export const TOKEN_FILE_NAME = 'token';
/** Random bytes in a token (base64url encoded: 43 characters). */
export const TOKEN_BYTES = 32;

/** The shape of a token this module writes: base64url of {@link TOKEN_BYTES} bytes, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The token, or why it could not be made or trusted. The reason names paths, never the token. */
export type EnsureTokenResult = { ok: true; token: string; file: string } | { ok: false; reason: string };

/** The platform (mode checks only where it secures files by mode) and, for tests, the uid that must own the files. */
export interface EnsureTokenOptions {
  platform?: Pick<Platform, 'fileSecurity'>;
  uid?: number;
}

type Check = { ok: true } | { ok: false; reason: string };
type Existing = { kind: 'missing' } | { kind: 'found'; token: string } | { kind: 'refused'; reason: string };

/**
 * Returns the HTTP bearer token kept in `<dataDir>/auth/token`, creating it (32 random bytes,
 * base64url; dir 0700, file 0600, written to a 0600 temp file then renamed into place) when absent.
 * Refuses a symlinked dir or file, one owned by another user, or one with group/other permission
 * bits (POSIX). On Windows the data dir's ACL for the user alone, which the host sets before this
 * (core/platform/userOnly.ts), is what keeps the file private.
 */
export async function ensureToken(dataDir: string, options: EnsureTokenOptions = {}): Promise<EnsureTokenResult> {
  const posix = (options.platform ?? currentPlatform()).fileSecurity === 'mode';
  const uid = options.uid ?? process.getuid?.();
  const dir = path.join(dataDir, AUTH_DIR_NAME);
  const file = path.join(dir, TOKEN_FILE_NAME);
  try {
    return await ensureTokenIn(dataDir, dir, file, posix, uid);
  } catch (e) {
    // lstat failures other than ENOENT (EACCES, EIO...) land here as a value, like every other refusal.
    return { ok: false, reason: `Cannot prepare the token file ${file}: ${errorText(e)}` };
  }
}

async function ensureTokenIn(dataDir: string, dir: string, file: string, posix: boolean, uid: number | undefined): Promise<EnsureTokenResult> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    return { ok: false, reason: `Cannot create the data dir ${dataDir}: ${errorText(e)}` };
  }
  const dirOk = await ensurePrivateDir(dir, posix, uid);
  if (!dirOk.ok) return dirOk;

  const existing = await readToken(file, posix, uid);
  if (existing.kind === 'found') return { ok: true, token: existing.token, file };
  if (existing.kind === 'refused') return { ok: false, reason: existing.reason };

  const written = await writeTokenAtomically(dir, file);
  if (!written.ok) return written;
  // Read back what is in place now: when two hosts start at once, both end up with the last rename.
  const after = await readToken(file, posix, uid);
  if (after.kind === 'found') return { ok: true, token: after.token, file };
  if (after.kind === 'refused') return { ok: false, reason: after.reason };
  return { ok: false, reason: `The token file ${file} vanished right after it was written; start poshpool again.` };
}

/**
 * Compares two tokens in constant time. Strings of different byte lengths are unequal; that case
 * still runs one comparison of the same length, so only the length can leak.
 */
export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Creates `dir` as 0700 when missing, then checks it is a real, private directory of ours. */
async function ensurePrivateDir(dir: string, posix: boolean, uid: number | undefined): Promise<Check> {
  let stats = await lstatOrNull(dir);
  if (stats === null) {
    try {
      await mkdir(dir, { mode: 0o700 });
      if (posix) await chmod(dir, 0o700);
    } catch (e) {
      // Another host may have created it between the lstat and the mkdir; it is checked below.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        return { ok: false, reason: `Cannot create the token dir ${dir}: ${errorText(e)}` };
      }
    }
    stats = await lstatOrNull(dir);
    if (stats === null) return { ok: false, reason: `The token dir ${dir} vanished right after it was created; start poshpool again.` };
  }
  if (stats.isSymbolicLink()) {
    return { ok: false, reason: `The token dir ${dir} is a symbolic link; poshpool keeps its token only in a real directory. Remove the link and start poshpool again.` };
  }
  if (!stats.isDirectory()) {
    return { ok: false, reason: `${dir} should be the token directory but is not a directory; move it away and start poshpool again.` };
  }
  return checkOwnerAndMode(stats, dir, 'token dir', 0o700, posix, uid);
}

/** Reads the token file if present, refusing anything that is not a private regular file of ours. */
async function readToken(file: string, posix: boolean, uid: number | undefined): Promise<Existing> {
  const linkStats = await lstatOrNull(file);
  if (linkStats === null) return { kind: 'missing' };
  if (linkStats.isSymbolicLink()) {
    return { kind: 'refused', reason: `The token file ${file} is a symbolic link; poshpool reads its token only from a real file. Remove the link and start poshpool again.` };
  }
  if (!linkStats.isFile()) {
    return { kind: 'refused', reason: `${file} should be the token file but is not a regular file; move it away and start poshpool again.` };
  }
  // O_NOFOLLOW closes the gap between the lstat above and the open (where the platform has it).
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
  let handle;
  try {
    handle = await open(file, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') {
      return { kind: 'refused', reason: `The token file ${file} is a symbolic link; poshpool reads its token only from a real file. Remove the link and start poshpool again.` };
    }
    return { kind: 'refused', reason: `Cannot read the token file ${file}: ${errorText(e)}` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      return { kind: 'refused', reason: `${file} should be the token file but is not a regular file; move it away and start poshpool again.` };
    }
    const check = checkOwnerAndMode(stats, file, 'token file', 0o600, posix, uid);
    if (!check.ok) return { kind: 'refused', reason: check.reason };
    const token = (await handle.readFile({ encoding: 'utf8' })).trim();
    if (!TOKEN_PATTERN.test(token)) {
      return { kind: 'refused', reason: `The token file ${file} does not hold a poshpool token; delete it so poshpool makes a new one, then start poshpool again.` };
    }
    return { kind: 'found', token };
  } catch (e) {
    return { kind: 'refused', reason: `Cannot read the token file ${file}: ${errorText(e)}` };
  } finally {
    await handle.close();
  }
}

/** Writes a fresh token to a 0600 temp file beside `file`, then renames it into place. */
async function writeTokenAtomically(dir: string, file: string): Promise<Check> {
  const temp = path.join(dir, `.${TOKEN_FILE_NAME}-${randomBytes(8).toString('hex')}.tmp`);
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  try {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
    const handle = await open(temp, flags, 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(token, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    return { ok: true };
  } catch (e) {
    // Best effort: a leftover temp file holds no token anyone reads, so a failed unlink is not fatal.
    await unlink(temp).catch(() => undefined);
    return { ok: false, reason: `Cannot write the token file ${file}: ${errorText(e)}` };
  }
}

/** Checks the owner and that no permission bits beyond `allowed` are set (POSIX only). */
function checkOwnerAndMode(stats: Stats, target: string, what: string, allowed: number, posix: boolean, uid: number | undefined): Check {
  if (!posix) return { ok: true };
  if (uid !== undefined && stats.uid !== uid) {
    return { ok: false, reason: `The ${what} ${target} is owned by uid ${stats.uid}, not by this user (uid ${uid}); poshpool trusts only its own files. Remove it and start poshpool again.` };
  }
  const mode = stats.mode & 0o777;
  if ((mode & ~allowed) !== 0) {
    return {
      ok: false,
      reason: `The ${what} ${target} has permissions ${octal(mode)}, open to other users; run "chmod ${octal(allowed)} ${target}" (or delete it) and start poshpool again.`,
    };
  }
  return { ok: true };
}

async function lstatOrNull(target: string): Promise<Stats | null> {
  try {
    return await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, copyFileSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** A client config file as found: where it really is (links followed), its text and mode. */
export type ConfigFile = { ok: true; target: string; text: string | undefined; mode: number | undefined } | { ok: false; reason: string };

/** Mode of a config file poshpool creates, before the umask (what editors give new files). */
const NEW_FILE_MODE = 0o666;

const message = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Reads a client config file. A symbolic link (a dotfiles manager's) is followed, so the file it
 * points at is the one edited and the link stays; a missing file is `text: undefined`.
 */
export function readConfigFile(file: string): ConfigFile {
  let target = file;
  try {
    if (lstatSync(file).isSymbolicLink()) target = realpathSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        lstatSync(file);
      } catch {
        return { ok: true, target, text: undefined, mode: undefined };
      }
      return { ok: false, reason: `${file} is a symbolic link to a file that does not exist. Remove the link or create its target, then run this again.` };
    }
    return { ok: false, reason: `cannot read ${file}: ${message(e)}` };
  }
  try {
    const stat = statSync(target);
    if (!stat.isFile()) return { ok: false, reason: `${target} is not a file. Move it away, then run this again.` };
    // A file made read-only (chmod a-w; Windows' read-only attribute reads as no write bits) is left
    // alone, as an editor would: a rename would replace it all the same, even for root.
    if ((stat.mode & 0o222) === 0) return { ok: false, reason: `${target} is read-only. Make it writable if poshpool may change it, then run this again.` };
    return { ok: true, target, text: readFileSync(target, 'utf8'), mode: stat.mode & 0o7777 };
  } catch (e) {
    return { ok: false, reason: `cannot read ${target}: ${message(e)}` };
  }
}

/** `2026-11-25T10:15:00.123Z` as `20261125-101500`, for backup names. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Copies `target` beside itself as `<name>.poshpool-backup-<UTC time>` (a counter added if that
 * exists), keeping its mode: a 0600 file's copy is 0600 too. Returns the backup's path.
 */
export function backUp(target: string, at: Date): { ok: true; backup: string } | { ok: false; reason: string } {
  const base = `${target}.poshpool-backup-${stamp(at)}`;
  for (let n = 1; n < 100; n++) {
    const backup = n === 1 ? base : `${base}-${n}`;
    try {
      copyFileSync(target, backup, constants.COPYFILE_EXCL);
      chmodSync(backup, statSync(target).mode & 0o7777);
      return { ok: true, backup };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: false, reason: `cannot back up ${target} to ${backup}: ${message(e)}. Nothing was changed.` };
    }
  }
  return { ok: false, reason: `cannot back up ${target}: too many backups from this second. Nothing was changed.` };
}

/**
 * Writes `text` to `target` atomically: a temp file beside it, flushed, given the old file's mode,
 * then renamed over it (rename replaces the file in one step on every OS, so a reader sees the old
 * file or the new one, never half of it). Creates missing folders for a new file.
 */
export function writeAtomically(target: string, text: string, mode: number | undefined): { ok: true } | { ok: false; reason: string } {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.poshpool-${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'wx', mode ?? NEW_FILE_MODE);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The umask narrowed the open's mode; the old file's own mode is what it keeps.
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, target);
    return { ok: true };
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Not made, or already renamed: nothing to clean up.
    }
    return { ok: false, reason: `cannot write ${target}: ${message(e)}. The old file is unchanged.` };
  }
}

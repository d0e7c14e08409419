import { chmodSync, lstatSync } from 'node:fs';
import type { FileSecurity } from './privateModes.js';

/**
 * A restore keeps each file's permissions. `git checkout-index -f` removes a file and writes it anew
 * with 0666 (0777 when executable) less the umask, since git records only the executable bit: a
 * 0600 `.env` restored would come back 0644, readable by every local user. So the modes of the files
 * about to be written are noted first and put back afterwards, the executable bit taken from the
 * backup. A file the restore creates (none was there) gets the umask's mode, as any new file does.
 * POSIX only: on Windows a file's access is its ACL, which the new file inherits from its folder.
 * Symbolic links are never followed: a link (before or after) is left as git wrote it.
 */

/** The permission bits of the regular files among `files` (absolute paths) that exist now. */
export function noteModes(files: readonly string[], platform: FileSecurity): Map<string, number> {
  const modes = new Map<string, number>();
  if (platform.fileSecurity !== 'mode') return modes;
  for (const file of files) {
    try {
      const st = lstatSync(file);
      if (st.isFile()) modes.set(file, st.mode & 0o7777);
    } catch {
      // Not there (deleted since the backup): it is created with the umask's mode.
    }
  }
  return modes;
}

/** Puts the noted permissions back on the files git wrote, with the executable bits the backup gave them. */
export function restoreModes(modes: ReadonlyMap<string, number>): void {
  for (const [file, before] of modes) {
    let written;
    try {
      written = lstatSync(file);
    } catch {
      // Not written after all (the restore stopped part-way): nothing to put back.
      continue;
    }
    if (!written.isFile()) continue;
    const exec = (written.mode & 0o100) !== 0 ? (before & 0o444) >> 2 | 0o100 : 0;
    const mode = (before & ~0o111 & 0o7777) | exec;
    if ((written.mode & 0o7777) !== mode) chmodSync(file, mode);
  }
}

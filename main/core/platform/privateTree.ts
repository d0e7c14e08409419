import { chmodSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';

/**
 * Tightens everything below a directory to the user alone (POSIX): the group and other bits of
 * every directory and file are cleared (0755 -> 0700, 0644 -> 0600, 0444 -> 0400), so a data dir
 * made by an earlier version (backups' git objects 0444 under 0755 directories, logs 0644) holds
 * nothing another local user could read even if the data dir itself were opened up again. Symbolic
 * links are neither followed nor changed (chmod would change their target); entries that are not
 * ours are reported, never changed.
 */

/** What a tightening pass found and did. */
export interface TightenReport {
  /** Entries whose mode was tightened. */
  tightened: number;
  /** The first few of them, relative to the root, with the mode they had ("0644 logs/audit.jsonl"). */
  examples: string[];
  /** Entries that let others in and could not be tightened (not ours, or chmod failed), with why. */
  failed: string[];
}

/** How many tightened entries a report names. */
const REPORT_EXAMPLES = 3;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** Clears the group and other bits of everything below `root` (not `root` itself: the caller checks it). */
export function tightenTree(root: string, uid: number | undefined): TightenReport {
  const report: TightenReport = { tightened: 0, examples: [], failed: [] };
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      // Gone meanwhile (a session dir removed as its session ended): nothing to tighten.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report.failed.push(`${path.relative(root, dir) || '.'} (cannot be listed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return;
    }
    for (const name of names) {
      const abs = path.join(dir, name);
      let seen: Stats;
      try {
        seen = lstatSync(abs);
      } catch {
        // Gone between the listing and the look.
        continue;
      }
      if (seen.isSymbolicLink()) continue;
      if ((seen.mode & 0o077) !== 0) tighten(abs, seen);
      if (seen.isDirectory()) walk(abs);
    }
  };
  const tighten = (abs: string, seen: Stats): void => {
    const rel = path.relative(root, abs);
    if (uid !== undefined && seen.uid !== uid) {
      report.failed.push(`${rel} (mode ${octal(seen.mode)}, owned by uid ${seen.uid}, not you)`);
      return;
    }
    try {
      chmodSync(abs, seen.mode & 0o700);
      report.tightened++;
      if (report.examples.length < REPORT_EXAMPLES) report.examples.push(`${octal(seen.mode)} ${rel}`);
    } catch (e) {
      report.failed.push(`${rel} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  walk(root);
  return report;
}

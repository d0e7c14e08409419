import { lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * pwsh opens an IPC endpoint at start-up for `Enter-PSHostProcess` (PowerShell's
 * RemoteSessionNamedPipeServer): on Linux and macOS a .NET named pipe, which is a Unix socket file
 * `CoreFxPipe_PSHost.<start time, hex>.<pid>.<app domain>.<process name>` in the temp dir. pwsh
 * removes it when it exits cleanly; a pwsh that is killed (every session poshpool ends) leaves it,
 * and hundreds accumulated. On Windows it is a real named pipe, gone with the process.
 */
const HOST_PIPE_NAME = /^CoreFxPipe_PSHost\.[0-9A-Fa-f]+\.(\d+)\./;

/** The pid a host pipe file was made by, or undefined for any other name. */
export function hostPipePid(name: string): number | undefined {
  const m = HOST_PIPE_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Removes the host pipe files in `tmpDir` of the processes `ended` says have ended, that belong to
 * this user (never another user's, never one of a live process). Returns the paths removed.
 */
export function removeHostPipes(tmpDir: string, ended: (pid: number) => boolean): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpDir);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = hostPipePid(name);
    if (pid === undefined || !ended(pid)) continue;
    const file = path.join(tmpDir, name);
    try {
      const st = lstatSync(file);
      if (!st.isSocket() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

import { mkdirSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/** Attempts and delay when removing a directory an antivirus scan may hold (EBUSY/EPERM on Windows). */
const REMOVE_RETRIES = 5;
const REMOVE_RETRY_DELAY_MS = 200;

/** Whether a process with this id runs (a process of someone else's counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The sessions' private directories of one poshpool process: `<root>/<pid>/session-*`. Each process
 * keeps its own, so it can remove what a process that ended left behind (a crash, or a directory an
 * antivirus scan held when its session ended) without touching a live one's.
 */
export class SessionDirs {
  readonly dir: string;

  constructor(
    private readonly root: string,
    pid = process.pid,
    private readonly isAlive: (pid: number) => boolean = alive,
  ) {
    this.dir = path.join(root, String(pid));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Removes the directories of poshpool processes that are gone. Returns the ones removed. */
  async sweep(): Promise<string[]> {
    const removed: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      // No sessions root yet: nothing to sweep.
      return removed;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name) || path.join(this.root, name) === this.dir || this.isAlive(Number(name))) continue;
      const dir = path.join(this.root, name);
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: REMOVE_RETRIES, retryDelay: REMOVE_RETRY_DELAY_MS });
        removed.push(dir);
      } catch {
        // Still locked: the next start tries again.
      }
    }
    return removed;
  }

  /** Removes this process's directory (at the end, once every session has ended). */
  async dispose(): Promise<void> {
    try {
      await rm(this.dir, { recursive: true, force: true, maxRetries: REMOVE_RETRIES, retryDelay: REMOVE_RETRY_DELAY_MS });
    } catch {
      // Left for the next start's sweep.
    }
  }
}

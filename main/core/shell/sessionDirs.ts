import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { currentPlatform, type Platform } from '../platform/Platform.js';
import { removeHostPipes } from './hostPipes.js';
import { killTagged, processEnded } from './processTree.js';

/** File in a session's directory holding its tag (processTree.ts SESSION_TAG_VARIABLE). */
export const SESSION_TAG_FILE = 'tag';

/** Attempts and delay when removing a directory an antivirus scan may hold (EBUSY/EPERM on Windows). */
const REMOVE_RETRIES = 5;
const REMOVE_RETRY_DELAY_MS = 200;

/**
 * Removes one session's private dir, retrying while an antivirus scan holds a file (EBUSY/EPERM);
 * what stopped it, when it stays (the sweep of stale session dirs removes it later).
 */
export async function removeSessionDir(dir: string, remove?: (dir: string) => Promise<void>): Promise<string | undefined> {
  try {
    await (remove ?? ((d: string) => rm(d, { recursive: true, force: true, maxRetries: REMOVE_RETRIES, retryDelay: REMOVE_RETRY_DELAY_MS })))(dir);
    return undefined;
  } catch (e) {
    return `${dir} could not be removed: ${(e as Error).message}`;
  }
}

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
    private readonly platform: Platform = currentPlatform(),
  ) {
    this.dir = path.join(root, String(pid));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Removes the directories of poshpool processes that are gone, after ending what their sessions
   * left running (pwsh normally ends with its terminal when poshpool dies, but a process that ignores
   * the hangup lives on: found by its session's tag), and the host pipe files of ended pwsh processes
   * (hostPipes.ts). Returns the directories removed.
   */
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
      await this.endLeftovers(dir);
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: REMOVE_RETRIES, retryDelay: REMOVE_RETRY_DELAY_MS });
        removed.push(dir);
      } catch {
        // Still locked: the next start tries again.
      }
    }
    return removed;
  }

  private async endLeftovers(hostDir: string): Promise<void> {
    let sessions: string[];
    try {
      sessions = readdirSync(hostDir);
    } catch {
      return;
    }
    for (const session of sessions) {
      let tag: string;
      try {
        tag = readFileSync(path.join(hostDir, session, SESSION_TAG_FILE), 'utf8').trim();
      } catch {
        continue;
      }
      if (/^[0-9a-f-]{36}$/.test(tag)) await killTagged(tag, this.platform).catch(() => undefined);
    }
    if (!this.platform.isWindows) removeHostPipes(tmpdir(), (pid) => processEnded(pid, this.platform));
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

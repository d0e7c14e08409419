import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultShellConfig, type ShellConfig } from '../main/core/config/shellConfig.js';
import { OutputStore } from '../main/core/jobs/OutputStore.js';
import { discoverShell, hostDiscoveryEnv, type ResolvedShell } from '../main/core/shell/discovery.js';
import { PwshSession } from '../main/core/shell/PwshSession.js';

/** The machine's pwsh. Tests that need it fail loudly when it is missing: they are never skipped. */
export function requirePwsh(): ResolvedShell {
  const found = discoverShell('', hostDiscoveryEnv());
  if (!found.ok) throw new Error(`These tests need real PowerShell. ${found.reason}`);
  return found.shell;
}

/** A temp dir, an output store and helpers to start sessions that are all disposed at the end. */
export class SessionFixture {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'poshpool-test-'));
  readonly store = new OutputStore({ dir: path.join(this.dir, 'outputs'), pageBytes: 64 * 1024, maxEntries: 20, maxTotalBytes: 512 * 1024 * 1024 });
  readonly shell = requirePwsh();
  private readonly sessions: PwshSession[] = [];

  async start(config: Partial<ShellConfig> = {}, cwd?: string): Promise<PwshSession> {
    const started = await PwshSession.start({
      shell: this.shell,
      config: defaultShellConfig(config),
      outputStore: this.store,
      tempRoot: this.dir,
      cwd: cwd ?? this.dir,
    });
    if (!started.ok) throw new Error(started.reason);
    this.sessions.push(started.session);
    return started.session;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.dispose()));
    this.store.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * True while a process with this pid is alive. A zombie counts as gone: it has ended and only waits
 * for its parent (or, once orphaned, init) to collect its exit status. Without /proc (macOS,
 * Windows) a signal-0 probe answers, which counts a zombie as alive.
 */
export function processExists(pid: number): boolean {
  if (process.platform !== 'linux') {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      // EPERM: it exists but belongs to someone else.
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of live (non-zombie) processes whose command line is exactly `argv`. Linux only. */
export function findProcesses(argv: string[]): number[] {
  const want = argv.join('\0');
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0$/, '');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmd === want && state !== 'Z') found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Pids of the live descendants of a process (children, their children, ...). Linux only. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number): void => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return; // it ended while we looked
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        if (!processExists(child)) continue;
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** Resolves after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() is true or the time is up; returns the last value of check(). */
export async function waitFor(check: () => boolean, ms: number, every = 25): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(every);
  }
  return check();
}

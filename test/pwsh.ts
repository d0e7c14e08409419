import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultShellConfig, type ShellConfig } from '../main/core/config/shellConfig.js';
import { OutputStore } from '../main/core/jobs/OutputStore.js';
import { discoverShell, hostDiscoveryEnv, type ResolvedShell } from '../main/core/shell/discovery.js';
import { PwshSession, type PwshSessionOptions } from '../main/core/shell/PwshSession.js';
import { currentPlatform } from '../main/core/platform/Platform.js';
import { commandLineIs, descendantsIn, processTable } from './processes.js';

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

  async start(config: Partial<ShellConfig> = {}, cwd?: string, extra: Partial<PwshSessionOptions> = {}): Promise<PwshSession> {
    const started = await PwshSession.start({
      shell: this.shell,
      config: defaultShellConfig(config),
      outputStore: this.store,
      tempRoot: this.dir,
      cwd: cwd ?? this.dir,
      ...extra,
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
 * Windows) a signal-0 probe answers: on macOS it counts a zombie as alive; on Windows libuv answers
 * from GetExitCodeProcess, so a process that has exited is gone even while a handle keeps its record
 * (libuv src/win/process.c, uv__kill, signal 0).
 */
export function processExists(pid: number): boolean {
  if (currentPlatform().os !== 'linux') {
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

/** Pids of live (non-zombie) processes whose command line is `argv` (see commandLineIs), on every OS. */
export function findProcesses(argv: string[]): number[] {
  return processTable()
    .filter((row) => commandLineIs(row, argv))
    .map((row) => row.pid);
}

/** Pids of the live descendants of a process (children, their children, ...), on every OS. */
export function descendantsOf(pid: number): number[] {
  return descendantsIn(processTable(), pid);
}

/**
 * PowerShell text that runs a native program exiting with `code`: this Node, so it works on every OS
 * (no bash on Windows; WSL's bash.exe may come first on PATH there) and in Windows PowerShell 5.1.
 */
export function nativeExit(code: number): string {
  return `& '${process.execPath.replaceAll("'", "''")}' -e 'process.exit(${code})'`;
}

/**
 * PowerShell text that runs `js` in this Node (a native program on every OS). The script must not
 * hold double quotes: Windows PowerShell 5.1 passes them to native programs mangled.
 */
export function nativeNode(js: string): string {
  if (js.includes('"')) throw new Error('nativeNode: no double quotes in the script (5.1 mangles them)');
  return `& '${process.execPath.replaceAll("'", "''")}' -e '${js.replaceAll("'", "''")}'`;
}

/** The argv of the process nativeNode(js) starts (for findProcesses). */
export function nativeNodeArgv(js: string): string[] {
  return [process.execPath, '-e', js];
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

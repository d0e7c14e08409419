import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { gitConfigArgs, gitEnv } from './gitEnv.js';

/** Longest one `git` call of the checker may take before it is killed and its paths count as not ignored. */
export const DEFAULT_GIT_IGNORE_TIMEOUT_MS = 10_000;
/** Most paths one cache miss asks git about (the missed path, its directory, then new directories below). */
export const GIT_IGNORE_PREFETCH_LIMIT = 20_000;

/** Settings of a git-ignore checker. */
export interface GitIgnoreCheckerOptions {
  /**
   * Variables added to git's environment (e.g. HOME, GIT_CONFIG_NOSYSTEM in tests). Otherwise git gets
   * the backup's clean environment (gitEnv.ts): none of this process's GIT_* variables,
   * GIT_OPTIONAL_LOCKS=0, LC_ALL=C.
   */
  env?: Record<string, string | undefined>;
  /** The git executable. */
  gitPath?: string;
  /** Longest one git call may take. */
  timeoutMs?: number;
}

/**
 * Answers "does git ignore this absolute path?" for the paths of one folder; a plain function, so it
 * can be passed as FolderWatcher's `isIgnored`. True when the path matches .gitignore,
 * .git/info/exclude or core.excludesFile and is not tracked (nor a directory holding tracked files).
 * False outside a repository, for the folder itself and paths outside it, and when git fails (failing
 * open: a needless backup beats a missed one).
 */
export interface GitIgnoreChecker {
  (absPath: string): boolean;
  /** The folder whose paths are checked (absolute). */
  readonly folder: string;
  /** Forgets every answer; call it when ignore rules change (a .gitignore was edited, files were added with --force). */
  clear(): void;
  /** The last git failure, if any (a message for a log or a status line). */
  readonly lastError: string | undefined;
}

/**
 * A checker for `folder` that asks `git check-ignore --stdin -z` and caches each answer per path.
 * Synchronous, because chokidar's `ignored` callback is: that lets a watcher skip ignored directories
 * (node_modules, build output) instead of watching them. To keep the number of git calls small, a miss
 * asks in one call about the missed path and every unknown entry of its directory, then, one call per
 * level, about the entries of the directories just found not ignored (up to GIT_IGNORE_PREFETCH_LIMIT
 * paths): a watcher's first question answers the whole tree in a few calls, and a new directory tree
 * costs one call per level.
 */
export function gitIgnoreChecker(folder: string, options: GitIgnoreCheckerOptions = {}): GitIgnoreChecker {
  const answers = new GitIgnoreAnswers(path.resolve(folder), options);
  return Object.defineProperties((absPath: string) => answers.isIgnored(absPath), {
    folder: { value: answers.root, enumerable: true },
    clear: { value: (): void => answers.clear() },
    lastError: { get: () => answers.lastError, enumerable: true },
  }) as GitIgnoreChecker;
}

type GitResult = { ok: true; stdout: string } | { ok: false; reason: string };

/** The cache and the git calls behind a checker. Paths are folder-relative and '/'-separated. */
class GitIgnoreAnswers {
  lastError: string | undefined;
  private readonly git: string;
  private readonly timeout: number;
  private readonly env: Record<string, string>;
  private readonly cache = new Map<string, boolean>();
  private inRepo: boolean | undefined;

  constructor(
    readonly root: string,
    options: GitIgnoreCheckerOptions,
  ) {
    this.git = options.gitPath ?? 'git';
    this.timeout = options.timeoutMs ?? DEFAULT_GIT_IGNORE_TIMEOUT_MS;
    this.env = gitEnv({ extra: options.env });
  }

  isIgnored(absPath: string): boolean {
    const rel = relativeTo(this.root, absPath);
    if (rel === undefined || rel === '') return false;
    const known = this.cache.get(rel);
    if (known !== undefined) return known;
    if (!this.isInRepo()) return false;
    this.prefetch(rel);
    return this.cache.get(rel) ?? false;
  }

  clear(): void {
    this.cache.clear();
    this.inRepo = undefined;
  }

  /** Answers `rel` and its unknown siblings, then the unknown entries of not-ignored new directories, level by level. */
  private prefetch(rel: string): void {
    const slash = rel.lastIndexOf('/');
    let level = this.unknownEntries(slash < 0 ? '' : rel.slice(0, slash), GIT_IGNORE_PREFETCH_LIMIT, rel);
    let budget = GIT_IGNORE_PREFETCH_LIMIT;
    while (level.length > 0) {
      const openDirs = this.answer(level);
      budget -= level.length;
      level = [];
      for (const dir of openDirs) {
        if (level.length >= budget) break;
        level.push(...this.unknownEntries(dir, budget - level.length));
      }
    }
  }

  /**
   * Asks git about `paths` and caches the answers; returns the directories among them that are not
   * ignored. When the call fails (a path inside a submodule fails the whole call), asks directory by
   * directory, and counts the entries of a directory that still fails as not ignored.
   */
  private answer(paths: string[]): string[] {
    let groups = [paths];
    const ignored = this.ask(paths);
    if (ignored === undefined && paths.length > 1) {
      const byDir = new Map<string, string[]>();
      for (const p of paths) {
        const dir = path.posix.dirname(stripDirSlash(p));
        const group = byDir.get(dir);
        if (group) group.push(p);
        else byDir.set(dir, [p]);
      }
      groups = [...byDir.values()];
    }
    const openDirs: string[] = [];
    for (const group of groups) {
      const groupIgnored = groups.length === 1 ? ignored : this.ask(group);
      for (const p of group) {
        const key = stripDirSlash(p);
        const isIgnored = groupIgnored?.has(key) ?? false;
        this.cache.set(key, isIgnored);
        if (p.endsWith('/') && groupIgnored !== undefined && !isIgnored) openDirs.push(key);
      }
    }
    return openDirs;
  }

  /** Asks git which of the paths (a trailing '/' for directories) are ignored; undefined when git fails. */
  private ask(paths: string[]): Set<string> | undefined {
    // A leading ':' would be read as pathspec magic; './' keeps the path literal.
    const sent = paths.map((p) => (p.startsWith(':') ? `./${p}` : p));
    const r = this.run(['check-ignore', '--stdin', '-z'], sent.join('\0') + '\0');
    if (!r.ok) {
      this.lastError = r.reason;
      return undefined;
    }
    const ignored = new Set<string>();
    for (const out of r.stdout.split('\0')) {
      if (out !== '') ignored.add(stripDirSlash(out.startsWith('./:') ? out.slice(2) : out));
    }
    return ignored;
  }

  /**
   * Entries of `dirRel` with no answer yet, directories with a trailing '/' so that directory-only
   * patterns (`build/`) match them; `first`, when given, leads the list even if it does not exist.
   */
  private unknownEntries(dirRel: string, limit: number, first?: string): string[] {
    const list: string[] = first === undefined ? [] : [first];
    let entries;
    try {
      entries = readdirSync(path.join(this.root, dirRel), { withFileTypes: true });
    } catch {
      // The directory is gone or unreadable: nothing to add beside `first`.
      return list;
    }
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (rel === first) {
        if (entry.isDirectory()) list[0] = `${rel}/`;
      } else if (list.length < limit && entry.name !== '.git' && !this.cache.has(rel)) {
        list.push(entry.isDirectory() ? `${rel}/` : rel);
      }
    }
    return list;
  }

  private isInRepo(): boolean {
    if (this.inRepo === undefined) {
      const r = this.run(['rev-parse', '--is-inside-work-tree']);
      // "not a git repository" is an expected answer: then only .git is ignored, by the watcher itself.
      this.inRepo = r.ok && r.stdout.trim() === 'true';
      if (!r.ok && !/not a git repository/i.test(r.reason)) this.lastError = r.reason;
    }
    return this.inRepo;
  }

  private run(args: string[], input?: string): GitResult {
    const r = spawnSync(this.git, [...gitConfigArgs(), ...args], {
      cwd: this.root,
      env: this.env,
      input,
      encoding: 'utf8',
      timeout: this.timeout,
      maxBuffer: 256 * 1024 * 1024,
      windowsHide: true,
    });
    if (r.error) return { ok: false, reason: `git ${args[0]} failed in ${this.root}: ${r.error.message}` };
    // check-ignore exits 1 when none of the paths is ignored; that is an answer, not a failure.
    if (r.status === 0 || (r.status === 1 && args[0] === 'check-ignore')) return { ok: true, stdout: r.stdout };
    const detail = r.stderr.trim() || (r.signal ? `killed by ${r.signal}` : `exit code ${String(r.status)}`);
    return { ok: false, reason: `git ${args[0]} failed in ${this.root}: ${detail}` };
  }
}

/** The '/'-separated path of `absPath` inside `root`; '' for the root; undefined outside it. */
function relativeTo(root: string, absPath: string): string | undefined {
  const rel = path.relative(root, path.resolve(absPath));
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function stripDirSlash(p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

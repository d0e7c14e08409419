import { spawn } from 'node:child_process';
import { simpleGit } from 'simple-git';
import { gitConfig, gitConfigArgs, gitEnv, type GitEnvOptions } from './gitEnv.js';

/** What one git call gave: its standard output, or why it failed. */
export type GitResult = { ok: true; stdout: string } | { ok: false; reason: string; stderr: string };

/** Per-call settings of a plumbing call. */
export interface GitRunOptions {
  /** GIT_INDEX_FILE for this call (a private index). */
  indexFile?: string;
  /** Standard input. */
  input?: string;
  /** Author/committer date of a commit this call makes (ms since the epoch). */
  commitTime?: number;
}

/** Where git runs and the environment every call shares (besides the per-call settings). */
export interface GitRunnerOptions {
  /** Working directory of every call: the work tree's top. */
  cwd: string;
  /** Extra variables (tests), the private bare repository and its work tree. */
  env: Pick<GitEnvOptions, 'extra' | 'gitDir' | 'workTree'>;
  /**
   * A directory without hooks, passed to every call as core.hooksPath: the user's hooks
   * (post-index-change fires on any index write, reference-transaction on any ref update) are about
   * their index and refs, and must not fire for poshpool's private ones.
   */
  hooksPath?: string;
  /** More `-c` settings for every call (core.sharedRepository=0600: what git writes is the user's alone, see privateModes). */
  config?: readonly string[];
}

/**
 * Runs git for one backed-up folder, always with a clean, explicit environment (see gitEnv) and the
 * backup's `-c` settings (gitConfigArgs: no line-ending conversion, long paths, no hooks) on every call.
 *
 * Read-only queries go through simple-git, with `allowEnvironment` naming the GIT_* variables we set
 * (simple-git 4 strips ambient GIT_* variables and throws on unlisted ones passed through `.env()`;
 * its `config` option puts the `-c` settings before the subcommand, and core.hooksPath needs its
 * allowUnsafeHooksPath, which is safe here: the path is an empty directory of ours).
 *
 * Plumbing that writes objects, a private index, the work tree or a ref goes through
 * child_process.spawn instead, because simple-git gets in the way there: commit-tree and
 * checkout-index need standard input (`-F -`, `--stdin -z`); every write runs with
 * `-c core.hooksPath=…` (see hooksPath), which simple-git refuses without switching off its guards; and
 * simple-git treats a non-zero exit with an empty stderr as success (`exitCode && stdErr.length`
 * in its dist), which a write must never be mistaken for.
 */
export class GitRunner {
  constructor(private readonly options: GitRunnerOptions) {}

  /** A read-only query (GIT_OPTIONAL_LOCKS=0) through simple-git. */
  async read(args: string[]): Promise<GitResult> {
    const env = gitEnv(this.options.env);
    const allowEnvironment = Object.keys(env).filter((k) => k.toUpperCase().startsWith('GIT_'));
    try {
      const git = simpleGit({ baseDir: this.options.cwd, allowEnvironment, config: gitConfig(this.options.hooksPath, this.options.config), unsafe: { allowUnsafeHooksPath: true } });
      const stdout = await git.env(env).raw(args);
      return { ok: true, stdout };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, reason: `git ${args[0] ?? ''} failed in ${this.options.cwd}: ${message.trim()}`, stderr: message };
    }
  }

  /** A plumbing call through spawn, with an explicit environment (see the class comment for why). */
  run(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    const env = gitEnv({ ...this.options.env, indexFile: options.indexFile, commitTime: options.commitTime });
    return new Promise((resolve) => {
      const child = spawn('git', [...gitConfigArgs(this.options.hooksPath, this.options.config), ...args], { cwd: this.options.cwd, env, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => resolve({ ok: false, reason: `git ${args[0] ?? ''} could not start: ${e.message}`, stderr: '' }));
      child.on('close', (code, signal) => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (code === 0) return resolve({ ok: true, stdout });
        const detail = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${String(code)}`);
        resolve({ ok: false, reason: `git ${args[0] ?? ''} failed in ${this.options.cwd}: ${detail}`, stderr });
      });
      // A git that exits before reading all its input closes the pipe: that shows in its exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }
}

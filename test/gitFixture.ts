import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { GitBackup } from '../main/core/backup/GitBackup.js';

// Test support for the backup tests (not used by the app): real git repositories in a temp dir, with
// the machine's git configuration kept out (HOME in the temp dir, GIT_CONFIG_NOSYSTEM=1).

/** A file's bytes (as a hash) and modification time, to prove it was not touched. */
export interface FileState {
  sha256: string;
  mtimeNs: bigint;
}

/** A temp dir holding test repositories, a private HOME, and backup data directories. */
export class GitFixture {
  readonly root = mkdtempSync(path.join(tmpdir(), 'poshpool-backup-'));
  readonly home = path.join(this.root, 'home');
  /** Environment overrides for every git process, the tests' and GitBackup's. */
  readonly env: Record<string, string> = { HOME: this.home, XDG_CONFIG_HOME: path.join(this.home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
  private dataDirs = 0;

  constructor() {
    mkdirSync(this.home, { recursive: true });
  }

  /** Runs git and returns its stdout; throws with stderr when it fails. */
  git(cwd: string, ...args: string[]): string {
    const r = this.tryGit(cwd, ...args);
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}`);
    return r.stdout;
  }

  /** Runs git and returns its exit status and output, whatever they are. */
  tryGit(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', LC_ALL: 'C', GIT_EDITOR: 'true', ...this.env };
    // Windows programs need SystemRoot in an environment given whole; it is absent elsewhere.
    if (process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
    const r = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** A new repository (branch main) with a local identity and files from `files` committed, if any. */
  repo(name: string, files: Record<string, string | Buffer> = {}): string {
    const dir = path.join(this.root, name);
    mkdirSync(dir, { recursive: true });
    this.git(dir, 'init', '-q', '-b', 'main');
    this.git(dir, 'config', 'user.name', 'Test User');
    this.git(dir, 'config', 'user.email', 'user@example.com');
    this.git(dir, 'config', 'commit.gpgsign', 'false');
    if (Object.keys(files).length > 0) {
      this.write(dir, files);
      this.git(dir, 'add', '-A');
      this.git(dir, 'commit', '-q', '-m', 'initial');
    }
    return dir;
  }

  /** A plain directory (no repository) with files. */
  dir(name: string, files: Record<string, string | Buffer> = {}): string {
    const dir = path.join(this.root, name);
    mkdirSync(dir, { recursive: true });
    this.write(dir, files);
    return dir;
  }

  /** Writes files ('/'-separated paths relative to `dir`), making directories as needed. */
  write(dir: string, files: Record<string, string | Buffer>): void {
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(dir, ...rel.split('/'));
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }

  /** A GitBackup for `folder` with its own data dir and the fixture's git environment. */
  backup(folder: string, now?: () => number): GitBackup {
    return new GitBackup({ folder, dataDir: this.dataDir(), now, env: this.env });
  }

  /** A fresh data directory path (not created). */
  dataDir(): string {
    return path.join(this.root, 'data', String(++this.dataDirs));
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every file under `dir` (relative '/'-paths) with its hash and mtime, leaving out paths `skip` says to. */
export function treeState(dir: string, skip: (rel: string) => boolean = () => false): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (skip(childRel)) continue;
      const childAbs = path.join(abs, entry.name);
      if (entry.isDirectory()) walk(childAbs, childRel);
      else out.set(childRel, fileState(childAbs));
    }
  };
  walk(dir, '');
  return out;
}

/** One file's hash and mtime. */
export function fileState(file: string): FileState {
  return { sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), mtimeNs: statSync(file, { bigint: true }).mtimeNs };
}

/** Gives each test of the file a fresh GitFixture (through `set`) and disposes it afterwards. */
export function useGitFixture(set: (fx: GitFixture) => void): void {
  let current: GitFixture | undefined;
  beforeEach(() => {
    current = new GitFixture();
    set(current);
  });
  afterEach(() => {
    current?.dispose();
    current = undefined;
  });
}

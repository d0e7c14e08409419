import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitIgnoreChecker } from './gitIgnore.js';

// Against real git in temp dirs. Spawned git sees a temp HOME and no system config, so the machine's
// settings (global excludes, safe.directory …) cannot change the answers.

let dir: string;
let repo: string;
let gitEnv: Record<string, string>;

function git(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('GIT_')) env[k] = v;
  const r = spawnSync('git', args, { cwd, env: { ...env, ...gitEnv }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function write(rel: string, text = 'x'): string {
  const abs = path.join(repo, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return abs;
}

const at = (rel: string): string => path.join(repo, rel);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-gitignore-'));
  const home = path.join(dir, 'home');
  mkdirSync(home);
  gitEnv = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
  repo = path.join(dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q');
  write('.gitignore', ['*.log', '!keep.log', 'build/', 'dist/', '/top-only.txt', ''].join('\n'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gitIgnoreChecker', () => {
  it('answers as .gitignore says: patterns, negation, directory patterns, anchoring', () => {
    write('app.log');
    write('keep.log');
    write('src/main.ts');
    write('src/deep/trace.log');
    write('build/out.js');
    write('build/sub/more.js');
    write('top-only.txt');
    write('src/top-only.txt');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });

    expect(ignored(at('app.log'))).toBe(true);
    expect(ignored(at('keep.log'))).toBe(false);
    expect(ignored(at('src/main.ts'))).toBe(false);
    expect(ignored(at('src'))).toBe(false);
    expect(ignored(at('src/deep/trace.log'))).toBe(true);
    expect(ignored(at('build'))).toBe(true);
    expect(ignored(at('build/out.js'))).toBe(true);
    expect(ignored(at('build/sub/more.js'))).toBe(true);
    expect(ignored(at('top-only.txt'))).toBe(true);
    expect(ignored(at('src/top-only.txt'))).toBe(false);
    expect(ignored(at('.gitignore'))).toBe(false);
    // A path that does not exist (yet, or any more) is answered by the patterns alone.
    expect(ignored(at('src/not-yet.log'))).toBe(true);
    expect(ignored(at('src/not-yet.ts'))).toBe(false);
    expect(ignored.lastError).toBeUndefined();
  });

  it('never ignores the folder itself or paths outside it', () => {
    write('app.log');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(repo)).toBe(false);
    expect(ignored(path.join(dir, 'elsewhere.log'))).toBe(false);
    expect(ignored.folder).toBe(path.resolve(repo));
  });

  it('does not ignore tracked files, nor a directory that holds one', () => {
    write('dist/bundle.js');
    write('dist/forced.txt');
    write('forced.log');
    git(repo, 'add', '-f', 'dist/forced.txt', 'forced.log');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(at('forced.log'))).toBe(false);
    expect(ignored(at('dist'))).toBe(false);
    expect(ignored(at('dist/forced.txt'))).toBe(false);
    expect(ignored(at('dist/bundle.js'))).toBe(true);
  });

  it('honours .git/info/exclude and nested .gitignore files', () => {
    writeFileSync(path.join(repo, '.git', 'info', 'exclude'), 'secret.txt\n');
    write('lib/.gitignore', 'generated.ts\n');
    write('secret.txt');
    write('lib/generated.ts');
    write('generated.ts');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(at('secret.txt'))).toBe(true);
    expect(ignored(at('lib/generated.ts'))).toBe(true);
    expect(ignored(at('generated.ts'))).toBe(false);
  });

  it('works for a folder below the top of the repository, with the rules of the folders above it', () => {
    write('pkg/a.log');
    write('pkg/a.ts');
    const ignored = gitIgnoreChecker(at('pkg'), { env: gitEnv });
    expect(ignored(at('pkg/a.log'))).toBe(true);
    expect(ignored(at('pkg/a.ts'))).toBe(false);
  });

  it('ignores nothing in a folder that is not in a repository, and that is not an error', () => {
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    writeFileSync(path.join(plain, '.gitignore'), '*.log\n');
    writeFileSync(path.join(plain, 'a.log'), 'x');
    const ignored = gitIgnoreChecker(plain, { env: gitEnv });
    expect(ignored(path.join(plain, 'a.log'))).toBe(false);
    expect(ignored(path.join(plain, 'b.txt'))).toBe(false);
    expect(ignored.lastError).toBeUndefined();
  });

  it('answers a whole tree in one git call per level, skips ignored directories, and caches', () => {
    const names = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `f${i}.log` : `f${i}.txt`));
    for (const n of names) write(`a/b/${n}`);
    write('a/top.txt');
    write('build/deep/er/x.js');
    const trace = path.join(dir, 'git-trace.txt');
    const ignored = gitIgnoreChecker(repo, { env: { ...gitEnv, GIT_TRACE: trace } });
    const calls = (): string[] => [...readFileSync(trace, 'utf8').matchAll(/built-in: git (\S+)/g)].map((m) => m[1]!);

    // The first question walks the tree: root entries, then a/, then a/b/. build/ is ignored, so it is
    // not entered (entering it would take a level more: build/deep/er/).
    expect(ignored(at('a'))).toBe(false);
    expect(calls()).toEqual(['rev-parse', 'check-ignore', 'check-ignore', 'check-ignore']);

    expect(names.map((n) => ignored(at(`a/b/${n}`)))).toEqual(names.map((n) => n.endsWith('.log')));
    expect(ignored(at('a/top.txt'))).toBe(false);
    expect(ignored(at('build'))).toBe(true);
    expect(calls()).toHaveLength(4);

    // A new directory tree costs one call per level; a new file one call.
    write('a/new/inner/n.log');
    expect(ignored(at('a/new'))).toBe(false);
    expect(ignored(at('a/new/inner/n.log'))).toBe(true);
    expect(calls()).toHaveLength(7);
    write('a/b/late.txt');
    expect(ignored(at('a/b/late.txt'))).toBe(false);
    expect(calls()).toHaveLength(8);
  });

  it('counts paths inside a submodule as not ignored, and still answers the rest', () => {
    write('sm/inner.log');
    write('sm/inner.txt');
    write('other/x.log');
    write('other/y.txt');
    // A gitlink in the index makes sm/ a submodule as far as check-ignore is concerned.
    git(repo, 'update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},sm`);
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(at('sm'))).toBe(false);
    expect(ignored(at('sm/inner.log'))).toBe(false);
    expect(ignored(at('sm/inner.txt'))).toBe(false);
    expect(ignored(at('other/x.log'))).toBe(true);
    expect(ignored(at('other/y.txt'))).toBe(false);
    expect(ignored.lastError).toMatch(/is in submodule 'sm'/);
  });

  it('clear() picks up changed rules', () => {
    write('notes.md');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(at('notes.md'))).toBe(false);
    write('.gitignore', '*.md\n');
    expect(ignored(at('notes.md'))).toBe(false); // cached
    ignored.clear();
    expect(ignored(at('notes.md'))).toBe(true);
  });

  it('takes odd file names literally (leading colon, glob characters, spaces, newlines)', () => {
    write(':(glob)odd.log');
    write(':plain.txt');
    write('*.log');
    write('with space.log');
    write('new\nline.txt');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv });
    expect(ignored(at(':(glob)odd.log'))).toBe(true);
    expect(ignored(at(':plain.txt'))).toBe(false);
    expect(ignored(at('*.log'))).toBe(true);
    expect(ignored(at('with space.log'))).toBe(true);
    expect(ignored(at('new\nline.txt'))).toBe(false);
    expect(ignored.lastError).toBeUndefined();
  });

  it("does not pass this process's GIT_* variables to git", () => {
    write('app.log');
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = path.join(dir, 'no-such-git-dir');
    try {
      const ignored = gitIgnoreChecker(repo, { env: gitEnv });
      expect(ignored(at('app.log'))).toBe(true);
      expect(ignored.lastError).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('fails open with a reason when git cannot run', () => {
    write('app.log');
    const ignored = gitIgnoreChecker(repo, { env: gitEnv, gitPath: path.join(dir, 'no-such-git') });
    expect(ignored(at('app.log'))).toBe(false);
    expect(ignored.lastError).toMatch(/git rev-parse failed in .*ENOENT/);
  });
});

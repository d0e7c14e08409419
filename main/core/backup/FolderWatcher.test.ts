import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FolderWatcher, type FolderBurst, type FolderWatchError, type FolderWatcherOptions, type FolderWatchMode } from './FolderWatcher.js';
import { gitIgnoreChecker } from './gitIgnore.js';
import { currentPlatform } from '../platform/Platform.js';

// Both watch backends on real files in temp dirs: one watch per directory (chokidar, Linux and macOS)
// and one recursive watch on the root (Windows; Node's recursive fs.watch runs here too), with the
// same bursts and the same filtering. Waits poll with generous limits; nothing asserts on time.

const QUIET_MS = 200;
const MAX_DELAY_MS = 800;
const WAIT = { timeout: 15_000, interval: 20 };

let dir: string;
let folder: string;
let watchers: FolderWatcher[];
/** The backend of the tests running now. */
let mode: FolderWatchMode;

interface Watched {
  watcher: FolderWatcher;
  bursts: FolderBurst[];
  errors: FolderWatchError[];
}

function start(options: Partial<FolderWatcherOptions> = {}): Watched {
  const watcher = new FolderWatcher({ folder, quietMs: QUIET_MS, maxDelayMs: MAX_DELAY_MS, platform: { ...currentPlatform(), folderWatch: mode }, ...options });
  watchers.push(watcher);
  const bursts: FolderBurst[] = [];
  const errors: FolderWatchError[] = [];
  watcher.onBurst((b) => bursts.push(b));
  watcher.onError((e) => errors.push(e));
  return { watcher, bursts, errors };
}

async function started(options: Partial<FolderWatcherOptions> = {}): Promise<Watched> {
  const w = start(options);
  await w.watcher.ready();
  expect(w.watcher.state).toBe('watching');
  return w;
}

function write(rel: string, text = 'x'): void {
  const abs = path.join(folder, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets any burst that is still due come out: several quiet periods with nothing written. */
const settle = (): Promise<void> => sleep(QUIET_MS * 4);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-watch-'));
  folder = path.join(dir, 'watched');
  mkdirSync(folder);
  watchers = [];
});
afterEach(async () => {
  for (const w of watchers.reverse()) await w.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe.each<FolderWatchMode>(['perDirectory', 'recursiveRoot'])('FolderWatcher (%s)', (backend) => {
  beforeEach(() => {
    mode = backend;
  });

  it('reports a burst of 100 writes once, after the quiet period, with all 100 paths; files there at start are not a change', async () => {
    write('before-1.txt');
    write('old/before-2.txt');
    const { bursts, errors } = await started();
    const names = Array.from({ length: 100 }, (_, i) => `file-${String(i).padStart(3, '0')}.txt`);
    for (const n of names) write(n, `content ${n}`);

    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    await settle();
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toEqual({ folder: path.resolve(folder), changedPaths: names, reason: 'quiet' });
    expect(errors).toEqual([]);
  });

  it('reports a folder that never goes quiet by the max delay, and again later', async () => {
    // A quiet period well above the 30 ms between writes, so a busy machine does not end a burst early.
    const { bursts } = await started({ quietMs: 400, maxDelayMs: 1_200 });
    let tick = 0;
    const writer = setInterval(() => write(`tick-${tick++}.txt`), 30);
    try {
      await vi.waitFor(() => expect(bursts.length).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 20 });
    } finally {
      clearInterval(writer);
    }
    expect(bursts[0]!.reason).toBe('maxDelay');
    const first = new Set(bursts[0]!.changedPaths);
    expect(first.size).toBeGreaterThan(1);
    expect(bursts[1]!.changedPaths.length).toBeGreaterThan(0);
    expect(bursts[1]!.changedPaths.filter((p) => first.has(p))).toEqual([]);
    for (const b of bursts.slice(0, 2)) for (const p of b.changedPaths) expect(p).toMatch(/^tick-\d+\.txt$/);
  });

  it('reports new nested paths relative to the folder with / separators, and new directories', async () => {
    const { bursts } = await started();
    write('a/b/c/deep.txt');
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.changedPaths).toContain('a/b/c/deep.txt');
    expect(bursts[0]!.changedPaths).toContain('a');
    for (const p of bursts[0]!.changedPaths) expect(p.startsWith('a')).toBe(true);
  });

  it('leaves out changes in .git directories anywhere', async () => {
    mkdirSync(path.join(folder, '.git', 'objects'), { recursive: true });
    write('.git/HEAD', 'ref: refs/heads/main\n');
    const { bursts } = await started();
    write('.git/HEAD', 'ref: refs/heads/other\n');
    write('.git/objects/ab/cdef');
    write('.git/index.lock');
    unlinkSync(path.join(folder, '.git/index.lock'));
    write('vendor/lib/.git/config');
    write('marker.txt');
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.changedPaths).toEqual(['marker.txt', 'vendor', 'vendor/lib']);
  });

  it('leaves out what isIgnored says, and does not look inside an ignored directory', async () => {
    write('build/old.js');
    const asked: string[] = [];
    const isIgnored = (abs: string): boolean => {
      const rel = path.relative(folder, abs).split(path.sep).join('/');
      asked.push(rel);
      return rel === 'build' || rel.endsWith('.tmp');
    };
    const { bursts } = await started({ isIgnored });
    // chokidar asks while it scans; a recursive watch asks when a change comes.
    if (mode === 'perDirectory') expect(asked).toContain('build');
    expect(asked).not.toContain('build/old.js');
    write('build/new.js');
    write('scratch.tmp');
    write('sub/also.tmp');
    write('kept.txt');
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.changedPaths).toEqual(['kept.txt', 'sub']);
    expect(asked.filter((p) => p.startsWith('build/'))).toEqual([]);
  });

  it('leaves out what the repository ignores, with gitIgnoreChecker', async () => {
    const home = path.join(dir, 'home');
    mkdirSync(home);
    const gitEnv = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('GIT_')) env[k] = v;
    const init = spawnSync('git', ['init', '-q'], { cwd: folder, env: { ...env, ...gitEnv }, encoding: 'utf8' });
    expect(init.status).toBe(0);
    write('.gitignore', 'node_modules/\n*.log\n');
    write('node_modules/pkg/index.js');
    const { bursts } = await started({ isIgnored: gitIgnoreChecker(folder, { env: gitEnv }) });
    write('node_modules/pkg/index.js', 'changed');
    write('node_modules/other/new.js');
    write('debug.log');
    write('src/app.ts');
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.changedPaths).toEqual(['src', 'src/app.ts']);
  });

  it('counts unlinks and renames of files and directories as changes', async () => {
    write('gone.txt');
    write('before.txt');
    write('dir/inner.txt');
    write('same.txt');
    const { bursts } = await started();
    unlinkSync(path.join(folder, 'gone.txt'));
    renameSync(path.join(folder, 'before.txt'), path.join(folder, 'after.txt'));
    renameSync(path.join(folder, 'dir'), path.join(folder, 'moved'));
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    const changed = bursts[0]!.changedPaths;
    // A recursive watch reports a renamed directory by its two names only (ReadDirectoryChangesW's
    // RENAMED_OLD_NAME / RENAMED_NEW_NAME), which stand for everything inside.
    const inside = mode === 'perDirectory' ? ['dir/inner.txt', 'moved/inner.txt'] : [];
    for (const p of ['gone.txt', 'before.txt', 'after.txt', 'dir', 'moved', ...inside]) expect(changed).toContain(p);
    expect(changed).not.toContain('same.txt');
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('flush fires the pending burst at once, with reason requested', async () => {
    const { watcher, bursts } = await started({ quietMs: 60_000, maxDelayMs: 120_000 });
    expect(watcher.flush()).toBe(false);
    write('now.txt');
    await vi.waitFor(() => expect(watcher.pendingChanges).toBe(1), WAIT);
    expect(bursts).toEqual([]);
    expect(watcher.flush()).toBe(true);
    expect(bursts).toEqual([{ folder: path.resolve(folder), changedPaths: ['now.txt'], reason: 'requested' }]);
    expect(watcher.flush()).toBe(false);
  });

  it('fires nothing after dispose, for pending or later changes', async () => {
    const { watcher, bursts, errors } = await started();
    write('pending.txt');
    await vi.waitFor(() => expect(watcher.pendingChanges).toBe(1), WAIT);
    await watcher.dispose();
    expect(watcher.state).toBe('disposed');
    write('later.txt');
    rmSync(folder, { recursive: true });
    await settle();
    expect(bursts).toEqual([]);
    expect(errors).toEqual([]);
    expect(watcher.flush()).toBe(false);
    await watcher.dispose(); // a second dispose is harmless
  });

  it('says it stopped when the folder is deleted, and reports nothing after', async () => {
    write('a.txt');
    write('sub/b.txt');
    const { watcher, bursts, errors } = await started();
    rmSync(folder, { recursive: true });
    await vi.waitFor(() => expect(errors.some((e) => e.stopped)).toBe(true), WAIT);
    expect(watcher.state).toBe('stopped');
    const stop = errors.find((e) => e.stopped)!;
    expect(stop.folder).toBe(path.resolve(folder));
    expect(stop.message).toContain('was deleted or moved away');
    const burstsAtStop = bursts.length;
    mkdirSync(folder);
    write('recreated.txt');
    await settle();
    expect(bursts).toHaveLength(burstsAtStop);
    expect(watcher.flush()).toBe(false);
  });

  it('says it stopped when the folder does not exist, and ready() still resolves', async () => {
    const w = start({ folder: path.join(dir, 'missing') });
    await w.watcher.ready();
    expect(w.watcher.state).toBe('stopped');
    expect(w.errors).toEqual([
      { folder: path.join(dir, 'missing'), message: `Cannot watch ${path.join(dir, 'missing')}: the folder does not exist.`, code: 'ENOENT', stopped: true },
    ]);
  });

  it('says it stopped when the path is a file, not a folder', async () => {
    write('plain.txt');
    const file = path.join(folder, 'plain.txt');
    const w = start({ folder: file });
    await w.watcher.ready();
    expect(w.watcher.state).toBe('stopped');
    expect(w.errors).toEqual([{ folder: file, message: `Cannot watch ${file}: it is not a folder.`, code: 'ENOTDIR', stopped: true }]);
  });

  it('reports a failing isIgnored once and keeps watching, counting such paths as changes', async () => {
    const { bursts, errors, watcher } = await started({
      isIgnored: (abs) => {
        if (abs.endsWith('.bad')) throw new Error('checker broke');
        return false;
      },
    });
    write('one.bad');
    write('two.bad');
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.changedPaths).toEqual(['one.bad', 'two.bad']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.stopped).toBe(false);
    expect(errors[0]!.message).toContain('checker broke');
    expect(watcher.state).toBe('watching');
  });

  it('rejects a quiet period that is not a positive number', () => {
    expect(() => new FolderWatcher({ folder, quietMs: 0, maxDelayMs: MAX_DELAY_MS, platform: currentPlatform() })).toThrow(RangeError);
  });
});

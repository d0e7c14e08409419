import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { platformFor } from '../platform/Platform.js';
import { FolderWatcher, UNKNOWN_CHANGE, type FolderBurst, type FolderWatchError } from './FolderWatcher.js';
import { watchBackendFor, type WatchSink } from './watchBackends.js';

// Windows watches a folder with ONE recursive fs.watch on its root (ReadDirectoryChangesW on the
// root's handle only), because chokidar's handle on every subdirectory makes Windows refuse to rename
// or delete them ("folder in use": paulmillr/chokidar#1281, #1380). Node 20.19+ runs recursive
// fs.watch on Linux too, so the backend Windows gets runs for real here.

const QUIET_MS = 200;
const WAIT = { timeout: 15_000, interval: 20 };

let dir: string;
let folder: string;
let watchers: FolderWatcher[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-rwatch-'));
  folder = path.join(dir, 'watched');
  mkdirSync(folder);
  watchers = [];
});
afterEach(async () => {
  for (const w of watchers.reverse()) await w.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A Windows-mode watcher on `folder` whose backend the test drives by hand (for what Linux cannot produce). */
function handDriven(): { watcher: FolderWatcher; sink: () => WatchSink } {
  let sink: WatchSink | undefined;
  const watcher = new FolderWatcher({
    folder,
    quietMs: QUIET_MS,
    maxDelayMs: 5_000,
    platform: platformFor('win32'),
    startBackend: (_folder, _isExcluded, s) => {
      sink = s;
      s.ready();
      return { close: () => Promise.resolve() };
    },
  });
  watchers.push(watcher);
  return {
    watcher,
    sink: () => {
      if (!sink) throw new Error('the backend has not started');
      return sink;
    },
  };
}

function write(rel: string, text = 'x'): void {
  const abs = path.join(folder, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

/** A watcher with the win32 platform's decisions (its paths are this system's, as on Windows). */
async function windowsWatcher(): Promise<{ watcher: FolderWatcher; bursts: FolderBurst[]; errors: FolderWatchError[] }> {
  const watcher = new FolderWatcher({ folder, quietMs: QUIET_MS, maxDelayMs: 5_000, platform: platformFor('win32') });
  watchers.push(watcher);
  const bursts: FolderBurst[] = [];
  const errors: FolderWatchError[] = [];
  watcher.onBurst((b) => bursts.push(b));
  watcher.onError((e) => errors.push(e));
  await watcher.ready();
  return { watcher, bursts, errors };
}

describe('watching a folder on Windows (recursive root watch)', () => {
  it('the platform seam picks one recursive watch on the root for win32 and one watch per directory elsewhere', () => {
    expect(platformFor('win32').folderWatch).toBe('recursiveRoot');
    expect(platformFor('linux').folderWatch).toBe('perDirectory');
    expect(platformFor('darwin').folderWatch).toBe('perDirectory');
    expect(watchBackendFor('recursiveRoot')).not.toBe(watchBackendFor('perDirectory'));
  });

  it('a watcher given the win32 platform watches with the recursive root backend, and sees nested changes once', async () => {
    write('keep/deep/old.txt');
    write('doomed/sub/file.txt');
    const { watcher, bursts, errors } = await windowsWatcher();
    expect(watcher.mode).toBe('recursiveRoot');
    expect(watcher.state).toBe('watching');
    write('keep/deep/old.txt', 'changed');
    write('keep/deep/deeper/new.txt');
    rmSync(path.join(folder, 'doomed', 'sub', 'file.txt'));
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    expect(bursts[0]!.reason).toBe('quiet');
    for (const p of ['keep/deep/old.txt', 'keep/deep/deeper', 'doomed/sub/file.txt']) expect(bursts[0]!.changedPaths).toContain(p);
    expect(errors).toEqual([]);
  });

  it('lets a subfolder of the watched folder be renamed and deleted, and reports both', async () => {
    write('project/src/a.ts');
    write('project/src/lib/b.ts');
    write('scratch/tmp/c.txt');
    const { bursts, errors } = await windowsWatcher();
    // On Windows with a handle on every directory (chokidar) these two calls fail with EPERM.
    renameSync(path.join(folder, 'project', 'src'), path.join(folder, 'project', 'source'));
    rmSync(path.join(folder, 'scratch'), { recursive: true });
    await vi.waitFor(() => expect(bursts).toHaveLength(1), WAIT);
    for (const p of ['project/src', 'project/source', 'scratch']) expect(bursts[0]!.changedPaths).toContain(p);
    expect(errors).toEqual([]);
  });

  it('reports the watched folder deleted as a stop with its reason, not a crash', async () => {
    write('a/b/c.txt');
    const { watcher, errors } = await windowsWatcher();
    rmSync(folder, { recursive: true });
    await vi.waitFor(() => expect(errors.some((e) => e.stopped)).toBe(true), WAIT);
    expect(watcher.state).toBe('stopped');
    expect(errors.filter((e) => e.stopped)).toEqual([{ folder, message: `The folder ${folder} was deleted or moved away: stopped watching it.`, code: 'ENOENT', stopped: true }]);
  });

  it('passes a change without a name (an overflowed event buffer) on as a change somewhere in the folder', async () => {
    // libuv reports an overflowed ReadDirectoryChangesW buffer as an event with no file name; a
    // backend driven by hand stands in for it.
    const { watcher, sink } = handDriven();
    const bursts: FolderBurst[] = [];
    watcher.onBurst((b) => bursts.push(b));
    await watcher.ready();
    sink().change(undefined);
    sink().change(path.join(folder, 'named.txt'));
    expect(watcher.flush()).toBe(true);
    expect(bursts).toEqual([{ folder, changedPaths: [UNKNOWN_CHANGE, 'named.txt'], reason: 'requested' }]);
  });

  it('counts a directory that vanished while the watch read it as a change, and other errors as errors that keep the watch', async () => {
    const { watcher, sink } = handDriven();
    const errors: FolderWatchError[] = [];
    watcher.onError((e) => errors.push(e));
    await watcher.ready();
    const fsError = (code: string, p: string): Error => Object.assign(new Error(`${code}: ${p}`), { code, path: p });
    sink().error(fsError('ENOENT', path.join(folder, 'gone', 'dir')));
    expect(watcher.pendingChanges).toBe(1);
    sink().error(fsError('EACCES', path.join(folder, 'locked')));
    await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
    expect(errors[0]).toMatchObject({ code: 'EACCES', stopped: false });
    expect(watcher.state).toBe('watching');
    // Windows reports the watched folder's deletion as EPERM (Node's fs.watch caveats): a stop, once.
    rmSync(folder, { recursive: true });
    sink().error(fsError('EPERM', folder));
    await vi.waitFor(() => expect(watcher.state).toBe('stopped'), WAIT);
    expect(errors.slice(1)).toEqual([{ folder, message: `The folder ${folder} was deleted or moved away: stopped watching it.`, code: 'ENOENT', stopped: true }]);
  });
});

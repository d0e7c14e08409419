import { watch as fsWatch, type FSWatcher as NodeFsWatcher } from 'node:fs';
import path from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import type { Platform } from '../platform/Platform.js';

/**
 * How a folder is watched (Platform.folderWatch): one recursive watch on the root, or one watch per
 * directory. The backend only says "something changed at this path" and "this went wrong"; bursts,
 * ignore rules and the folder's disappearance are FolderWatcher's, identical for both.
 */
export type FolderWatchMode = Platform['folderWatch'];

/** What a backend tells its FolderWatcher. */
export interface WatchSink {
  /**
   * Something changed at `absPath` (added, modified, deleted, renamed from or to), or, when
   * `absPath` is undefined, somewhere in the folder without saying where (the system's event
   * buffer overflowed).
   */
  change(absPath: string | undefined): void;
  /** The watch met a problem (a directory it could not read, the folder deleted on Windows …). */
  error(error: unknown): void;
  /** The initial scan is done: changes from now on are reported. */
  ready(): void;
}

/** A running watch. */
export interface WatchBackend {
  /** Stops watching; nothing reaches the sink afterwards. */
  close(): Promise<void>;
}

/** Starts a backend on `folder` (absolute, an existing directory). `isExcluded` is asked about paths the backend may skip watching. */
export type WatchBackendStart = (folder: string, isExcluded: (absPath: string) => boolean, sink: WatchSink) => WatchBackend;

/** The backend for a watch mode. */
export function watchBackendFor(mode: FolderWatchMode): WatchBackendStart {
  return mode === 'recursiveRoot' ? startRecursiveRoot : startPerDirectory;
}

/**
 * chokidar: one fs.watch per directory, so an ignored directory (node_modules) is never watched at
 * all. Not for Windows: each of those watches is a directory handle (libuv src/win/fs-event.c opens
 * every watched directory with CreateFileW), and Windows refuses to rename or delete a directory that
 * has an open handle anywhere below it ("The action can't be completed because the folder or a file
 * in it is open in another program"; paulmillr/chokidar#1281, #1380, #611, #643).
 */
function startPerDirectory(folder: string, isExcluded: (absPath: string) => boolean, sink: WatchSink): WatchBackend {
  const watcher = chokidarWatch(folder, {
    ignoreInitial: true,
    // Symlinks are reported as entries, never followed out of the folder.
    followSymlinks: false,
    // Report unlinks at once and never drop editor temp names; the quiet period does the batching.
    atomic: false,
    ignorePermissionErrors: false,
    ignored: (p: string) => isExcluded(p),
  });
  watcher.on('all', (_event, p) => sink.change(p));
  watcher.on('error', (e) => sink.error(e));
  watcher.once('ready', () => sink.ready());
  // A failing close leaves nothing we could still release; the watcher is unusable either way.
  return { close: () => watcher.close().catch(() => undefined) };
}

/**
 * One `fs.watch(folder, { recursive: true })`. On Windows that is a single ReadDirectoryChangesW
 * with bWatchSubtree = TRUE on one handle to the root, opened with FILE_SHARE_READ | FILE_SHARE_WRITE
 * | FILE_SHARE_DELETE (libuv src/win/fs-event.c, uv_fs_event_start with UV_FS_EVENT_RECURSIVE), so
 * every folder below stays free to be renamed or deleted. Node's fs.watch caveats (doc/api/fs.md):
 * on Windows an EPERM error is reported when the watched directory is deleted, and no event at all
 * when it is moved or renamed. libuv's 4 KiB change buffer can overflow in a large burst; then the
 * event has no file name, which is passed on as a change somewhere in the folder. On Linux (Node
 * 20.19+) the same call is Node's own walker over inotify watches (lib/internal/fs/recursive_watch.js),
 * which the tests use to exercise this backend for real.
 */
function startRecursiveRoot(folder: string, _isExcluded: (absPath: string) => boolean, sink: WatchSink): WatchBackend {
  // Throws when the folder cannot be watched at all; FolderWatcher turns that into a stop with its reason.
  const watcher: NodeFsWatcher = fsWatch(folder, { recursive: true, persistent: true });
  let closed = false;
  watcher.on('change', (_event, filename) => {
    if (closed) return;
    // A relative name (native separators) below the folder; '' or the folder's own path for the folder itself.
    if (filename === null || filename === undefined) sink.change(undefined);
    else sink.change(path.resolve(folder, filename.toString()));
  });
  watcher.on('error', (e) => {
    if (!closed) sink.error(e);
  });
  // Node sets the whole watch up before fs.watch returns: it is ready once this turn is over.
  setImmediate(() => {
    if (!closed) sink.ready();
  });
  return {
    close: () => {
      closed = true;
      try {
        watcher.close();
      } catch {
        // Already closed by a failure: nothing left to release.
      }
      return Promise.resolve();
    },
  };
}

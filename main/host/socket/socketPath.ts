import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { currentPlatform, type Platform } from '../../core/platform/Platform.js';

/** The environment variables the socket path is derived from (`process.env` fits). */
export type SocketPathEnv = Readonly<Record<string, string | undefined>>;

/** A check or fix of the socket's place on disk: done, or why not. */
export type SocketFsResult = { ok: true } | { ok: false; reason: string };

/** File name of the host's socket inside its per-user directory. */
export const SOCKET_FILE_NAME = 'host.sock';
/** Prefix of the per-user socket directory (`poshpool-<uid>`) and of the Windows pipe name. */
export const SOCKET_NAME_PREFIX = 'poshpool-';
/** Bytes of randomness in a Windows pipe name: unguessable by other local users. */
export const PIPE_ID_BYTES = 16;
/** How long probing an existing socket for a live host may take before it counts as stale. */
export const STALE_PROBE_TIMEOUT_MS = 1_000;

/** Longest Unix socket path the kernel accepts (sun_path less its NUL): 103 on macOS and the BSDs, 107 on Linux. */
export function maxSocketPathBytes(platform: Pick<Platform, 'maxHostChannelPathBytes'>): number {
  return platform.maxHostChannelPathBytes;
}

/** A new random pipe id (hex) for {@link socketPathFor} on Windows; the host publishes it in host.json. */
export function newPipeId(): string {
  return randomBytes(PIPE_ID_BYTES).toString('hex');
}

/** Whether `p` names a Windows named pipe rather than a file. */
export function isNamedPipePath(p: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(p);
}

/** Options of {@link socketPathFor} beyond the platform, data dir and uid. */
export interface SocketPathOptions {
  /** Environment to read XDG_RUNTIME_DIR from (POSIX); unset means the data dir is used. */
  env?: SocketPathEnv;
  /** The random hex part of the pipe name (Windows, required there): see {@link newPipeId}. */
  pipeId?: string;
}

/**
 * Where the host listens. POSIX: `<runtime dir>/poshpool-<uid>/host.sock`, the runtime dir being
 * $XDG_RUNTIME_DIR when set (and absolute) else the data dir; `uid` defaults to this process's uid.
 * Windows: the named pipe `\\.\pipe\poshpool-<pipeId>`.
 */
export function socketPathFor(platform: Pick<Platform, 'hostChannel'>, dataDir: string, uid?: number, options: SocketPathOptions = {}): string {
  if (platform.hostChannel === 'namedPipe') {
    const pipeId = options.pipeId;
    if (pipeId === undefined || !/^[0-9a-f]{16,}$/i.test(pipeId)) {
      throw new Error('socketPathFor: a Windows pipe name needs pipeId, at least 16 hex digits (see newPipeId()).');
    }
    return `\\\\.\\pipe\\${SOCKET_NAME_PREFIX}${pipeId}`;
  }
  const owner = uid ?? process.getuid?.();
  if (owner === undefined) throw new Error('socketPathFor: no uid given and this process has none.');
  const runtime = options.env?.XDG_RUNTIME_DIR;
  // The XDG spec says a relative value is invalid and must be ignored.
  const base = runtime !== undefined && runtime.trim() !== '' && path.posix.isAbsolute(runtime) ? runtime : dataDir;
  return path.posix.join(base, `${SOCKET_NAME_PREFIX}${owner}`, SOCKET_FILE_NAME);
}

/** Options of {@link prepareSocketDir}; the uid is injectable so "owned by someone else" is testable. */
export interface PrepareDirOptions {
  /** The uid the directory must belong to (default: this process's). */
  uid?: number;
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * Makes sure `dir` is a private directory of ours: creates it (and its parents) with mode 0700;
 * refuses a symlink, a non-directory, a directory owned by another uid, or one that group or
 * others can reach and that cannot be fixed (a reachable one of ours is chmod-ed to 0700).
 */
export async function prepareSocketDir(dir: string, options: PrepareDirOptions = {}): Promise<SocketFsResult> {
  const uid = options.uid ?? process.getuid?.();
  if (uid === undefined) return { ok: false, reason: 'socket directories are a POSIX thing; this platform uses named pipes.' };
  try {
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    await fs.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') return { ok: false, reason: `cannot create the socket directory ${dir}: ${(e as Error).message}` };
  }
  let handle: fs.FileHandle | undefined;
  try {
    const seen = await fs.lstat(dir);
    if (seen.isSymbolicLink()) return { ok: false, reason: `refusing the socket directory ${dir}: it is a symlink. Remove it; poshpool creates a real directory there.` };
    if (!seen.isDirectory()) return { ok: false, reason: `refusing the socket directory ${dir}: it exists and is not a directory. Move it away.` };
    // Opened without following links, so the checks and the chmod below hit the same inode as lstat saw.
    handle = await fs.open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
    const st = await handle.stat();
    if (st.ino !== seen.ino || st.dev !== seen.dev) return { ok: false, reason: `refusing the socket directory ${dir}: it changed while being checked.` };
    if (st.uid !== uid) return { ok: false, reason: `refusing the socket directory ${dir}: it belongs to uid ${st.uid}, not to you (uid ${uid}). Remove it or point XDG_RUNTIME_DIR / POSHPOOL_DATA_DIR elsewhere.` };
    if ((st.mode & 0o077) !== 0) {
      await handle.chmod(0o700);
      const fixed = await handle.stat();
      if ((fixed.mode & 0o077) !== 0) {
        return { ok: false, reason: `refusing the socket directory ${dir}: its mode is ${octal(fixed.mode)} (group or others can reach it) and chmod 0700 did not help.` };
      }
    }
    return { ok: true };
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ELOOP') return { ok: false, reason: `refusing the socket directory ${dir}: it is a symlink. Remove it; poshpool creates a real directory there.` };
    return { ok: false, reason: `cannot check the socket directory ${dir}: ${(e as Error).message}` };
  } finally {
    await handle?.close();
  }
}

/** Resolves true when something accepts connections at `socketPath`. */
function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    // A socket file nobody answers on within the limit counts as stale.
    const timer = setTimeout(() => done(false), STALE_PROBE_TIMEOUT_MS);
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/**
 * Clears the way for listening at `socketPath`: nothing there is fine; a socket of ours that no one
 * listens on is removed; a live socket, a socket of another uid, a symlink or any other file is
 * refused and left alone.
 */
export async function removeStaleSocket(socketPath: string, options: PrepareDirOptions = {}): Promise<SocketFsResult> {
  const uid = options.uid ?? process.getuid?.();
  let st;
  try {
    st = await fs.lstat(socketPath);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return { ok: true };
    return { ok: false, reason: `cannot check ${socketPath}: ${(e as Error).message}` };
  }
  if (st.isSymbolicLink()) return { ok: false, reason: `refusing ${socketPath}: it is a symlink, not a socket. Remove it yourself if it is not needed.` };
  if (!st.isSocket()) return { ok: false, reason: `refusing ${socketPath}: a file that is not a socket is in the way. Move it away; poshpool does not delete it.` };
  if (st.uid !== uid) return { ok: false, reason: `refusing ${socketPath}: the socket belongs to uid ${st.uid}, not to you (uid ${uid}).` };
  if (await isListening(socketPath)) {
    return { ok: false, reason: `another poshpool host is already listening at ${socketPath}: use it (poshpool bridge) or stop it first.` };
  }
  try {
    await fs.unlink(socketPath);
    return { ok: true };
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return { ok: true };
    return { ok: false, reason: `cannot remove the stale socket ${socketPath}: ${(e as Error).message}` };
  }
}

/**
 * Everything before listening at a Unix socket path: the path fits the kernel's limit, its directory
 * is private ({@link prepareSocketDir}), and a stale socket is cleared ({@link removeStaleSocket}).
 */
export async function prepareSocketPath(socketPath: string, options: PrepareDirOptions & { platform?: Platform } = {}): Promise<SocketFsResult> {
  const limit = maxSocketPathBytes(options.platform ?? currentPlatform());
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > limit) {
    return { ok: false, reason: `the socket path ${socketPath} is ${bytes} bytes, over this platform's limit of ${limit}: set XDG_RUNTIME_DIR or POSHPOOL_DATA_DIR to a shorter directory.` };
  }
  const dir = await prepareSocketDir(path.dirname(socketPath), options);
  if (!dir.ok) return dir;
  return removeStaleSocket(socketPath, options);
}

/** After listening: the socket file is read/write for its owner only (0600). */
export async function restrictSocketFile(socketPath: string): Promise<SocketFsResult> {
  try {
    await fs.chmod(socketPath, 0o600);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `cannot chmod 0600 the socket ${socketPath}: ${(e as Error).message}` };
  }
}

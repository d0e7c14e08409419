import path from 'node:path';

/**
 * The platform seam (DESIGN.md §3.11): every difference between Windows, macOS and Linux is decided
 * here, once, as data and small pure functions. Code asks a Platform; tests make one for any OS with
 * platformFor('win32') and run the Windows branches on Linux. Only currentPlatform() reads
 * process.platform (a lint rule keeps it so).
 */
export interface Platform {
  /** The OS this object describes. */
  readonly os: NodeJS.Platform;
  readonly isWindows: boolean;
  /** Path rules of the OS: path.win32 on Windows, path.posix elsewhere. */
  readonly path: path.PlatformPath;
  /** File names compare case-insensitively (Windows; macOS's default volumes). */
  readonly caseInsensitivePaths: boolean;
  /** Separator of PATH-like variables. */
  readonly pathListSeparator: ';' | ':';
  /** Longest command line a process can be started with (CreateProcess: 32,767 UTF-16 units). */
  readonly maxCommandLineChars: number;
  /** The signals that ask a long-running command to stop (Windows adds SIGBREAK, Ctrl+Break). */
  readonly stopSignals: readonly NodeJS.Signals[];
  /** Whether a stop signal can be forwarded to a child (on Windows, child.kill is TerminateProcess). */
  readonly forwardsSignals: boolean;
  /** Which pseudo-terminal library runs pwsh, and how. */
  readonly pty: PtyChoice;
  /** How files and directories are made user-only: POSIX modes, or an ACL for the user alone. */
  readonly fileSecurity: 'mode' | 'acl';
  /** How the bridge reaches the host: a named pipe, or a Unix socket in a 0700 directory. */
  readonly hostChannel: 'namedPipe' | 'unixSocket';
  /**
   * How watched folders are watched: one recursive watch on the root (Windows: a handle on every
   * subdirectory would stop the user from renaming or deleting it), or one watch per directory.
   */
  readonly folderWatch: 'recursiveRoot' | 'perDirectory';
  /** The comparison key of a path: normalized, and lower-cased where names ignore case. */
  pathKey(p: string): string;
}

/** The pseudo-terminal library and the options it needs on this OS. */
export interface PtyChoice {
  /**
   * Windows: upstream node-pty with `useConptyDll`, its bundled conpty.dll + OpenConsole.exe (1.23),
   * which paints and passes OSC sequences like Windows Terminal does, on every Windows 10/11 build
   * (microsoft/node-pty#752). Elsewhere: @lydell/node-pty, the same API with prebuilt binaries, so no
   * compiler is needed.
   */
  readonly module: 'node-pty' | '@lydell/node-pty';
  /** Extra spawn options for the module. */
  readonly spawnOptions: Readonly<Record<string, unknown>>;
  /** Whether the terminal is ConPTY (its output needs xterm's ConPTY workarounds). */
  readonly conpty: boolean;
}

const WINDOWS_MAX_COMMAND_LINE = 32_767;
/** A conservative bound for POSIX (ARG_MAX is far larger; one argument is capped at 128 KiB on Linux). */
const POSIX_MAX_COMMAND_LINE = 131_072;

/** The decisions for one OS. */
export function platformFor(os: NodeJS.Platform): Platform {
  const isWindows = os === 'win32';
  const p = isWindows ? path.win32 : path.posix;
  const caseInsensitivePaths = isWindows || os === 'darwin';
  return {
    os,
    isWindows,
    path: p,
    caseInsensitivePaths,
    pathListSeparator: isWindows ? ';' : ':',
    maxCommandLineChars: isWindows ? WINDOWS_MAX_COMMAND_LINE : POSIX_MAX_COMMAND_LINE,
    stopSignals: isWindows ? ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'],
    forwardsSignals: !isWindows,
    pty: isWindows
      ? { module: 'node-pty', spawnOptions: { useConpty: true, useConptyDll: true }, conpty: true }
      : { module: '@lydell/node-pty', spawnOptions: {}, conpty: false },
    fileSecurity: isWindows ? 'acl' : 'mode',
    hostChannel: isWindows ? 'namedPipe' : 'unixSocket',
    folderWatch: isWindows ? 'recursiveRoot' : 'perDirectory',
    pathKey(value) {
      const normalized = p.normalize(value);
      const trimmed = normalized.length > p.parse(normalized).root.length ? normalized.replace(/[\\/]+$/, '') : normalized;
      return caseInsensitivePaths ? trimmed.toLowerCase() : trimmed;
    },
  };
}

/** The platform this process runs on: the one place that reads process.platform. */
export function currentPlatform(): Platform {
  return platformFor(process.platform);
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  /**
   * How files and directories are made user-only: POSIX modes, or an ACL for the user alone. Backups
   * follow it: git runs with core.sharedRepository=0600 and restores keep file modes under `mode`;
   * under `acl` nothing is passed (chmod only toggles read-only on Windows), the data dir's inherited
   * ACL restricts (backup/privateModes.ts).
   */
  readonly fileSecurity: 'mode' | 'acl';
  /** How the bridge reaches the host: a named pipe, or a Unix socket in a 0700 directory. */
  readonly hostChannel: 'namedPipe' | 'unixSocket';
  /**
   * What the tray app's client configs run as the stdio bridge: the PowerShell relay script
   * (Windows: Electron gives a GUI app an stdin that is always at EOF, electron/electron#4218 and
   * #21705, and Node.js may be missing), or the app's own `bridge` verb.
   */
  readonly appStdioBridge: 'powershellRelay' | 'appBridgeVerb';
  /**
   * How watched folders are watched: one recursive watch on the root (Windows: a handle on every
   * subdirectory would stop the user from renaming or deleting it), or one watch per directory.
   */
  readonly folderWatch: 'recursiveRoot' | 'perDirectory';
  /**
   * Where the process table comes from: /proc (Linux), Win32_Process through Windows PowerShell's
   * CIM cmdlets (Windows), or `ps` (macOS and other Unixes).
   */
  readonly processTable: 'proc' | 'cim' | 'ps';
  /** How a process is force-killed: `taskkill /T /F` (its tree too), or SIGKILL. */
  readonly forceKill: 'taskkill' | 'sigkill';
  /**
   * Where the OpenSSH client (remote hosts) is: Windows' own, %SystemRoot%\System32\OpenSSH\ssh.exe
   * (a Windows 10 1809+ optional feature, on by default in 11), then ssh.exe on PATH; or ssh on PATH.
   */
  readonly sshClient: 'windowsOpenSsh' | 'path';
  /** The comparison key of a path: normalized, and lower-cased where names ignore case. */
  pathKey(p: string): string;
  /**
   * The local path of a `file:` URI (an MCP client's root), or undefined when it names none: another
   * scheme, or a host other than localhost off Windows. Windows drive letters come with the colon
   * percent-encoded from VS Code (`file:///c%3A/proj`: its URI.toString encodes it, microsoft/vscode#2990,
   * #75027; the same roots shape in modelcontextprotocol/servers#4277) or plain (`file:///C:/proj`;
   * both are valid, microsoft/language-server-protocol#1786); `file://server/share` is a UNC path
   * there. Node's url.fileURLToPath with `windows` decides it (tested with platformFor('win32')).
   */
  fileUriToPath(uri: string): string | undefined;
  /** Environment variable names ignore case (Windows: `AppData` is `APPDATA`). */
  readonly envNamesIgnoreCase: boolean;
  /**
   * Where per-user config and data live: %APPDATA% / %LOCALAPPDATA% (Windows), ~/Library/Application
   * Support (macOS), the XDG base dirs (elsewhere).
   */
  readonly userDirs: 'windowsAppData' | 'macLibrary' | 'xdg';
  /**
   * Longest host channel path in bytes: a Unix socket's sun_path less its NUL (107 on Linux, 103 on
   * macOS and the BSDs), or a pipe name (CreateNamedPipe: up to 256 characters).
   */
  readonly maxHostChannelPathBytes: number;
  /**
   * How a reader of host.json tells that the host that wrote it still runs, whatever a reused pid
   * says: its random pipe is listed in \\.\pipe\ (Windows), or the pid's start time is the one
   * recorded, read from /proc (Linux) or from `ps` (macOS, the BSDs).
   */
  readonly hostLiveness: 'pipeListed' | 'procStartTime' | 'psStartTime';
  /** The command that opens a URL in the person's default browser. */
  browserCommand(url: string): { file: string; args: string[] };
  /** A GUI (the tray) needs a display server named by DISPLAY or WAYLAND_DISPLAY (X11/Wayland desktops). */
  readonly needsDisplayServer: boolean;
  /** The tray image: a monochrome template PNG (macOS), an .ico (Windows), a 32 px PNG (elsewhere). */
  readonly trayIcon: 'templatePng' | 'ico' | 'png32';
  /** A click on the tray icon opens the app's window (the Windows convention) rather than only the menu. */
  readonly trayClickOpensWindow: boolean;
  /** Notifications are shown only under the app's AppUserModelID, which the app must set (Windows). */
  readonly needsAppUserModelId: boolean;
  /**
   * How the app starts at login: Electron's login item settings writing the Run key with an explicit
   * path (Windows) or the macOS login items, an XDG autostart entry (Linux), or not at all.
   */
  readonly loginItem: 'runKey' | 'macLoginItems' | 'xdgAutostart' | 'none';
  /**
   * The folder of the dotnet global tool pwsh that holds this OS's pwsh.dll: the tool's shim picks
   * `win` on Windows and `unix` elsewhere (PowerShell's GlobalToolShim.cs), and so does discovery
   * when it runs pwsh.dll without the shim.
   */
  readonly dotnetToolPwshDir: 'win' | 'unix';
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

/** Longest pipe name, `\\.\pipe\` included (CreateNamedPipeW: "up to 256 characters long"). */
const WINDOWS_MAX_PIPE_NAME = 256;
/** sizeof(sun_path) less the NUL on Linux (unix(7): 108). */
const LINUX_MAX_SOCKET_PATH = 107;
/** sizeof(sun_path) less the NUL on macOS and the BSDs (104). */
const BSD_MAX_SOCKET_PATH = 103;

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
    appStdioBridge: isWindows ? 'powershellRelay' : 'appBridgeVerb',
    folderWatch: isWindows ? 'recursiveRoot' : 'perDirectory',
    processTable: os === 'linux' || os === 'android' ? 'proc' : isWindows ? 'cim' : 'ps',
    forceKill: isWindows ? 'taskkill' : 'sigkill',
    sshClient: isWindows ? 'windowsOpenSsh' : 'path',
    envNamesIgnoreCase: isWindows,
    userDirs: isWindows ? 'windowsAppData' : os === 'darwin' ? 'macLibrary' : 'xdg',
    maxHostChannelPathBytes: isWindows ? WINDOWS_MAX_PIPE_NAME : os === 'linux' || os === 'android' ? LINUX_MAX_SOCKET_PATH : BSD_MAX_SOCKET_PATH,
    hostLiveness: isWindows ? 'pipeListed' : os === 'linux' || os === 'android' ? 'procStartTime' : 'psStartTime',
    browserCommand: (url) => (isWindows ? { file: 'cmd', args: ['/c', 'start', '""', url] } : os === 'darwin' ? { file: 'open', args: [url] } : { file: 'xdg-open', args: [url] }),
    needsDisplayServer: !isWindows && os !== 'darwin',
    trayIcon: isWindows ? 'ico' : os === 'darwin' ? 'templatePng' : 'png32',
    trayClickOpensWindow: isWindows,
    needsAppUserModelId: isWindows,
    loginItem: isWindows ? 'runKey' : os === 'darwin' ? 'macLoginItems' : os === 'linux' ? 'xdgAutostart' : 'none',
    dotnetToolPwshDir: isWindows ? 'win' : 'unix',
    fileUriToPath(uri) {
      if (!/^file:/i.test(uri)) return undefined;
      try {
        return fileURLToPath(uri, { windows: isWindows });
      } catch {
        // Not a path on this OS (a remote host, an encoded slash, a drive-less Windows path): no root here.
        return undefined;
      }
    },
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

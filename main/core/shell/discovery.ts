import { accessSync, closeSync, constants, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { currentPlatform, type Platform } from '../platform/Platform.js';
import { dotnetToolEntry, scoopShimEntry, type EntryFiles } from './realEntry.js';

/** Which PowerShell was found. */
export interface ResolvedShell {
  path: string;
  /** pwsh (PowerShell 7+) or Windows PowerShell 5.1. */
  kind: 'pwsh' | 'powershell';
  /**
   * What is started when `path` is a launcher that discovery saw through (the dotnet tool's shim, a
   * Scoop shim): this file with these arguments ahead of pwsh's own. Absent: `path` itself.
   */
  run?: { file: string; args: string[] };
  /** What runs, in words (e.g. "dotnet tool pwsh 7.6.9, run without its shim: ..."). */
  description?: string;
}

/** Where discovery looks; injected so every platform's rules are unit-testable anywhere. */
export interface DiscoveryEnv {
  platform: Platform;
  env: Record<string, string | undefined>;
  homedir: string;
  /** True when the path names an executable regular file. */
  isExecutable(file: string): boolean;
  /** Reads launchers and their manifests, to run pwsh without them; absent: what is found runs as it is. */
  files?: EntryFiles;
}

export type DiscoveryResult =
  /** `warning`: said in the status and the tray (Windows PowerShell 5.1 chosen because no pwsh was found). */
  | { ok: true; shell: ResolvedShell; tried: string[]; warning?: string }
  | { ok: false; reason: string; tried: string[] };

const CONFIG_HINT =
  'Install PowerShell 7 (https://aka.ms/powershell) or set "shell.path" in the poshpool config ' +
  '(or the POSHPOOL_PWSH environment variable) to the full path of pwsh';

/**
 * Whether a file can be run, on Windows: a regular file, or an App Execution Alias (the Microsoft
 * Store's pwsh.exe in %LOCALAPPDATA%\Microsoft\WindowsApps), a reparse point that stat cannot open
 * (EACCES, nodejs/node#36790) but lstat sees and CreateProcess runs.
 */
export function windowsRunnable(file: string, stat: (f: string) => { isFile(): boolean }, lstat: (f: string) => unknown): boolean {
  try {
    return stat(file).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'UNKNOWN') return false;
    try {
      lstat(file);
      return true;
    } catch {
      // Not there at all.
      return false;
    }
  }
}

/** Real file-system checks for the current machine. */
export function hostDiscoveryEnv(platform: Platform = currentPlatform()): DiscoveryEnv {
  return {
    platform,
    env: process.env,
    homedir: process.env.HOME ?? process.env.USERPROFILE ?? '',
    isExecutable(file) {
      if (platform.isWindows) return windowsRunnable(file, statSync, lstatSync);
      try {
        if (!statSync(file).isFile()) return false;
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        // Missing or not executable: discovery moves on to the next candidate.
        return false;
      }
    },
    files: {
      read: readHead,
      isFile(file) {
        try {
          return statSync(file).isFile();
        } catch {
          // Missing or unreadable: not a file we can use.
          return false;
        }
      },
    },
  };
}

/** The first `maxBytes` of a file (undefined when it cannot be read). */
function readHead(file: string, maxBytes: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(Math.min(maxBytes, statSync(file).size));
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n);
  } catch {
    // Unreadable: discovery runs what it found as it is.
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function kindOf(file: string, platform: Platform): ResolvedShell['kind'] {
  const base = platform.path.basename(file).toLowerCase();
  return base.startsWith('powershell') ? 'powershell' : 'pwsh';
}

/** A Windows environment variable, whatever the case of its name. */
function winEnv(env: DiscoveryEnv['env'], name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  const value = key === undefined ? undefined : env[key];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Looks a bare command name up on PATH (with PATHEXT on Windows); a path is checked as it is. */
function lookup(name: string, d: DiscoveryEnv, tried: string[]): string | undefined {
  const p = d.platform.path;
  const win = d.platform.isWindows;
  const hasDir = name.includes('/') || (win && name.includes('\\'));
  const exts = win && !p.extname(name) ? (winEnv(d.env, 'PATHEXT') ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean).map((e) => e.toLowerCase()) : [''];
  const candidates: string[] = [];
  if (hasDir || p.isAbsolute(name)) {
    for (const ext of exts) candidates.push(name + ext);
  } else {
    const dirs = ((win ? winEnv(d.env, 'PATH') : d.env.PATH) ?? '').split(d.platform.pathListSeparator).filter(Boolean);
    for (const dir of dirs) for (const ext of exts) candidates.push(p.join(dir, name + ext));
  }
  for (const c of candidates) {
    tried.push(c);
    if (d.isExecutable(c)) return c;
  }
  return undefined;
}

/** Well-known install locations that are often missing from PATH (e.g. a GUI app's environment). */
function knownLocations(d: DiscoveryEnv): string[] {
  const p = d.platform.path;
  // Without a home directory the dotnet-tools location would be a relative path (resolved against
  // whatever the cwd happens to be): leave it out.
  const home = p.isAbsolute(d.homedir) ? d.homedir : undefined;
  const dotnetTool = home ? [p.join(home, '.dotnet', 'tools', 'pwsh')] : [];
  if (d.platform.isWindows) {
    const pf = winEnv(d.env, 'PROGRAMFILES') ?? 'C:\\Program Files';
    const local = winEnv(d.env, 'LOCALAPPDATA') ?? (home ? p.join(home, 'AppData', 'Local') : undefined);
    return [
      p.join(pf, 'PowerShell', '7', 'pwsh.exe'),
      p.join(pf, 'PowerShell', '7-preview', 'pwsh.exe'),
      // The Microsoft Store and winget's msix install: an App Execution Alias.
      ...(local ? [p.join(local, 'Microsoft', 'WindowsApps', 'pwsh.exe')] : []),
      // Scoop's shim and the dotnet tool run pwsh as their child (the pty's pid is theirs).
      ...(home ? [p.join(home, 'scoop', 'shims', 'pwsh.exe'), p.join(home, '.dotnet', 'tools', 'pwsh.exe')] : []),
    ];
  }
  switch (d.platform.os) {
    case 'darwin':
      return ['/usr/local/bin/pwsh', '/opt/homebrew/bin/pwsh', ...dotnetTool];
    default:
      return ['/usr/bin/pwsh', '/opt/microsoft/powershell/7/pwsh', '/snap/bin/pwsh', ...dotnetTool];
  }
}

/**
 * The shell found at `path`, seen through a launcher where that is safe: the dotnet tool's shim
 * (every OS), a Scoop shim (Windows). A launcher whose target is not as expected keeps running, and
 * the description says why.
 */
export function resolveShell(path: string, kind: ResolvedShell['kind'], d: DiscoveryEnv): ResolvedShell {
  const plain = `${kind === 'powershell' ? 'Windows PowerShell' : 'pwsh'} ${path}`;
  if (kind !== 'pwsh' || !d.files) return { path, kind, description: plain };
  const files = d.files;
  const candidates = [() => dotnetToolEntry(path, d.platform, files, (name) => lookup(name, d, []))];
  if (d.platform.isWindows) candidates.push(() => scoopShimEntry(path, d.platform, files));
  for (const candidate of candidates) {
    const entry = candidate();
    if (entry.ok) return { path, kind, run: { file: entry.file, args: entry.args }, description: entry.description };
    if (entry.launcher) return { path, kind, description: `${plain}, run through ${entry.launcher} because ${entry.why ?? 'its target is not as expected'}` };
  }
  return { path, kind, description: plain };
}

/**
 * Finds PowerShell: the configured path (or POSHPOOL_PWSH) when given, and nothing else then;
 * otherwise pwsh on PATH, then its usual install locations, then (Windows) powershell.exe.
 */
export function discoverShell(configuredPath: string, d: DiscoveryEnv): DiscoveryResult {
  const tried: string[] = [];
  const configured = configuredPath.trim() || (d.env.POSHPOOL_PWSH ?? '').trim();
  if (configured) {
    const found = lookup(configured, d, tried);
    if (found) return { ok: true, shell: resolveShell(found, kindOf(found, d.platform), d), tried };
    const source = configuredPath.trim() ? '"shell.path" in the config' : 'POSHPOOL_PWSH';
    return {
      ok: false,
      tried,
      reason: `PowerShell was not found at "${configured}" (from ${source}); tried: ${tried.join(', ')}. ${CONFIG_HINT}.`,
    };
  }
  const pwsh = lookup('pwsh', d, tried);
  if (pwsh) return { ok: true, shell: resolveShell(pwsh, 'pwsh', d), tried };
  for (const c of knownLocations(d)) {
    tried.push(c);
    if (d.isExecutable(c)) return { ok: true, shell: resolveShell(c, 'pwsh', d), tried };
  }
  if (d.platform.isWindows) {
    const root = winEnv(d.env, 'SYSTEMROOT') ?? winEnv(d.env, 'WINDIR') ?? 'C:\\Windows';
    const warning =
      'PowerShell 7 (pwsh) was not found, so sessions run Windows PowerShell 5.1: slower to start, older ' +
      'language and modules. Install PowerShell 7 (winget install Microsoft.PowerShell) or set "shell.path" in the config.';
    const legacy = d.platform.path.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    const pwshTried = [...tried];
    tried.push(legacy);
    if (d.isExecutable(legacy)) return { ok: true, shell: resolveShell(legacy, 'powershell', d), tried, warning: `${warning} (Looked in: ${pwshTried.join(', ')}.)` };
    const onPath = lookup('powershell', d, tried);
    if (onPath) return { ok: true, shell: resolveShell(onPath, 'powershell', d), tried, warning: `${warning} (Looked in: ${pwshTried.join(', ')}.)` };
  }
  return { ok: false, tried, reason: `No PowerShell found (looked for pwsh on PATH and in ${knownLocations(d).join(', ')}). ${CONFIG_HINT}.` };
}

import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Which PowerShell was found. */
export interface ResolvedShell {
  path: string;
  /** pwsh (PowerShell 7+) or Windows PowerShell 5.1. */
  kind: 'pwsh' | 'powershell';
}

/** Where discovery looks; injected so every platform's rules are unit-testable anywhere. */
export interface DiscoveryEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
  /** True when the path names an executable regular file. */
  isExecutable(file: string): boolean;
}

export type DiscoveryResult =
  | { ok: true; shell: ResolvedShell; tried: string[] }
  | { ok: false; reason: string; tried: string[] };

const CONFIG_HINT =
  'Install PowerShell 7 (https://aka.ms/powershell) or set "shell.path" in the poshpool config ' +
  '(or the POSHPOOL_PWSH environment variable) to the full path of pwsh';

/** Real file-system checks for the current machine. */
export function hostDiscoveryEnv(): DiscoveryEnv {
  return {
    platform: process.platform,
    env: process.env,
    homedir: process.env.HOME ?? process.env.USERPROFILE ?? '',
    isExecutable(file) {
      try {
        if (!statSync(file).isFile()) return false;
        if (process.platform !== 'win32') accessSync(file, constants.X_OK);
        return true;
      } catch {
        // Missing or not executable: discovery moves on to the next candidate.
        return false;
      }
    },
  };
}

function pathModule(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function kindOf(file: string, platform: NodeJS.Platform): ResolvedShell['kind'] {
  const base = pathModule(platform).basename(file).toLowerCase();
  return base.startsWith('powershell') ? 'powershell' : 'pwsh';
}

/** Looks a bare command name up on PATH (with PATHEXT on Windows); a path is checked as it is. */
function lookup(name: string, d: DiscoveryEnv, tried: string[]): string | undefined {
  const p = pathModule(d.platform);
  const hasDir = name.includes('/') || (d.platform === 'win32' && name.includes('\\'));
  const exts =
    d.platform === 'win32' && !p.extname(name)
      ? (d.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean).map((e) => e.toLowerCase())
      : [''];
  const candidates: string[] = [];
  if (hasDir || p.isAbsolute(name)) {
    for (const ext of exts) candidates.push(name + ext);
  } else {
    const dirs = (d.env.PATH ?? d.env.Path ?? '').split(d.platform === 'win32' ? ';' : ':').filter(Boolean);
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
  const p = pathModule(d.platform);
  // Without a home directory the dotnet-tools location would be a relative path (resolved against
  // whatever the cwd happens to be): leave it out.
  const dotnetTool = p.isAbsolute(d.homedir) ? [p.join(d.homedir, '.dotnet', 'tools', 'pwsh')] : [];
  switch (d.platform) {
    case 'win32': {
      const pf = d.env.ProgramFiles ?? 'C:\\Program Files';
      return [p.join(pf, 'PowerShell', '7', 'pwsh.exe'), p.join(pf, 'PowerShell', '7-preview', 'pwsh.exe')];
    }
    case 'darwin':
      return ['/usr/local/bin/pwsh', '/opt/homebrew/bin/pwsh', ...dotnetTool];
    default:
      return ['/usr/bin/pwsh', '/opt/microsoft/powershell/7/pwsh', '/snap/bin/pwsh', ...dotnetTool];
  }
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
    if (found) return { ok: true, shell: { path: found, kind: kindOf(found, d.platform) }, tried };
    const source = configuredPath.trim() ? '"shell.path" in the config' : 'POSHPOOL_PWSH';
    return {
      ok: false,
      tried,
      reason: `PowerShell was not found at "${configured}" (from ${source}); tried: ${tried.join(', ')}. ${CONFIG_HINT}.`,
    };
  }
  const pwsh = lookup('pwsh', d, tried);
  if (pwsh) return { ok: true, shell: { path: pwsh, kind: 'pwsh' }, tried };
  for (const c of knownLocations(d)) {
    tried.push(c);
    if (d.isExecutable(c)) return { ok: true, shell: { path: c, kind: 'pwsh' }, tried };
  }
  if (d.platform === 'win32') {
    const root = d.env.SystemRoot ?? d.env.windir ?? 'C:\\Windows';
    const legacy = path.win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    tried.push(legacy);
    if (d.isExecutable(legacy)) return { ok: true, shell: { path: legacy, kind: 'powershell' }, tried };
    const onPath = lookup('powershell', d, tried);
    if (onPath) return { ok: true, shell: { path: onPath, kind: 'powershell' }, tried };
  }
  return { ok: false, tried, reason: `No PowerShell found (looked for pwsh on PATH and in ${knownLocations(d).join(', ')}). ${CONFIG_HINT}.` };
}

import type { Platform } from '../platform/Platform.js';

/** The small file reads discovery needs to see through a launcher (injected so tests need no files). */
export interface EntryFiles {
  /** The file's bytes, at most `maxBytes` of them; undefined when it cannot be read. */
  read(file: string, maxBytes: number): Buffer | undefined;
  /** True when the path names a regular file. */
  isFile(file: string): boolean;
}

/** What runs instead of the launcher that was found. */
export type RealEntry =
  | { ok: true; file: string; args: string[]; description: string }
  /** `launcher` names what was found when it is one; `why` says why it is run as it is. */
  | { ok: false; launcher?: string; why?: string };

/** Name of the dotnet global tool's entry assembly for pwsh (PowerShell's src/Microsoft.PowerShell.GlobalTool.Shim). */
const DOTNET_TOOL_SHIM_DLL = 'Microsoft.PowerShell.GlobalTool.Shim.dll';
/** The dotnet tool's apphost (~80 KB on Linux) is read whole to find the path it embeds; a bigger file is no apphost of ours. */
const MAX_APPHOST_BYTES = 4 * 1024 * 1024;
/** Largest tool manifest, runtimeconfig or Scoop .shim file read. */
const MAX_SMALL_FILE_BYTES = 64 * 1024;

/**
 * The real entry of a dotnet global tool pwsh (`dotnet tool install -g PowerShell`): the tool's
 * apphost (~/.dotnet/tools/pwsh) starts the shim assembly, whose only job is
 * `Process.Start("dotnet", "<tooldir>/<win|unix>/pwsh.dll " + args)` and to wait for it
 * (PowerShell's src/Microsoft.PowerShell.GlobalTool.Shim/GlobalToolShim.cs). That is two .NET
 * runtimes per session, ~30 MB and a start of its own for the shim. Here pwsh.dll is run by the same
 * `dotnet` the shim would use (the first on PATH) with the arguments kept apart (the shim joins them
 * with spaces). Anything not as expected keeps the shim.
 */
export function dotnetToolEntry(found: string, platform: Platform, files: EntryFiles, findOnPath: (name: string) => string | undefined): RealEntry {
  const p = platform.path;
  const bytes = files.read(found, MAX_APPHOST_BYTES);
  if (!bytes) return { ok: false };
  const at = bytes.indexOf(DOTNET_TOOL_SHIM_DLL, 0, 'latin1');
  if (at < 0) return { ok: false };
  // The apphost holds the app's path (relative to the apphost's folder) as a NUL-terminated string.
  const start = bytes.lastIndexOf(0, at) + 1;
  const embedded = bytes.subarray(start, at + DOTNET_TOOL_SHIM_DLL.length).toString('utf8');
  const launcher = 'the dotnet tool pwsh';
  const keep = (why: string): RealEntry => ({ ok: false, launcher, why });
  const shimDll = p.isAbsolute(embedded) ? embedded : p.join(p.dirname(found), embedded);
  const toolDir = p.dirname(shimDll);
  const settings = files.read(p.join(toolDir, 'DotnetToolSettings.xml'), MAX_SMALL_FILE_BYTES)?.toString('utf8') ?? '';
  if (!settings.includes(`EntryPoint="${DOTNET_TOOL_SHIM_DLL}"`)) return keep(`its tool manifest next to ${shimDll} does not name ${DOTNET_TOOL_SHIM_DLL}`);
  const pwshDll = p.join(toolDir, platform.dotnetToolPwshDir, 'pwsh.dll');
  if (!files.isFile(pwshDll)) return keep(`${pwshDll} is missing`);
  const configFile = p.join(toolDir, platform.dotnetToolPwshDir, 'pwsh.runtimeconfig.json');
  if (!frameworkDependent(files.read(configFile, MAX_SMALL_FILE_BYTES))) return keep(`${configFile} does not name the Microsoft.NETCore.App framework`);
  const dotnet = findOnPath('dotnet');
  if (!dotnet) return keep('no dotnet host is on PATH');
  // <home>/.dotnet/tools/.store/powershell/<version>/powershell/<version>/tools/<tfm>/any
  const version = p.basename(p.dirname(p.dirname(p.dirname(toolDir))));
  const named = /^\d+\.\d+/.test(version) ? `dotnet tool pwsh ${version}` : 'dotnet tool pwsh';
  return { ok: true, file: dotnet, args: [pwshDll], description: `${named}, run without its shim: ${dotnet} ${pwshDll}` };
}

/** Whether a runtimeconfig.json runs on the shared Microsoft.NETCore.App framework (as `dotnet x.dll` needs). */
function frameworkDependent(bytes: Buffer | undefined): boolean {
  if (!bytes) return false;
  try {
    const options = (JSON.parse(bytes.toString('utf8')) as { runtimeOptions?: { framework?: { name?: unknown }; frameworks?: { name?: unknown }[] } }).runtimeOptions;
    const names = [options?.framework?.name, ...(options?.frameworks ?? []).map((f) => f.name)];
    return names.includes('Microsoft.NETCore.App');
  } catch {
    // Not JSON: not a runtimeconfig we understand, so the shim stays.
    return false;
  }
}

/**
 * The target of a Scoop shim (Windows): `<scoop>\shims\pwsh.exe` starts the program its `pwsh.shim`
 * names on a `path = ...` line and waits for it (ScoopInstaller/Shim, README "Shim File Format":
 * path, args, env lines). Only a shim with nothing but a path is seen through; one with arguments or
 * environment of its own keeps running as it is.
 */
export function scoopShimEntry(found: string, platform: Platform, files: EntryFiles): RealEntry {
  const p = platform.path;
  const shimFile = p.join(p.dirname(found), `${p.basename(found, p.extname(found))}.shim`);
  const text = files.read(shimFile, MAX_SMALL_FILE_BYTES)?.toString('utf8');
  if (text === undefined) return { ok: false };
  const launcher = 'the Scoop shim';
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const target = lines.length === 1 ? /^path\s*=\s*"?([^"]+?)"?$/i.exec(lines[0] ?? '')?.[1] : undefined;
  if (!target) return { ok: false, launcher, why: `${shimFile} holds more than a path (arguments or environment of its own)` };
  if (!p.isAbsolute(target) || !files.isFile(target)) return { ok: false, launcher, why: `${target} (named in ${shimFile}) is not there` };
  return { ok: true, file: target, args: [], description: `pwsh ${target}, run without the Scoop shim ${found}` };
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { ShellConfig } from '../config/shellConfig.js';
import type { Platform } from '../platform/Platform.js';
import type { ResolvedShell } from './discovery.js';
import { SESSION_TAG_VARIABLE } from './processTree.js';

/** File name of the session's start-up script inside its private directory (removed once pwsh is up). */
export const SESSION_SCRIPT_NAME = 'session.ps1';
/** Exit code of a bootstrap that found PowerShell in a restricted language mode. */
export const EXIT_LANGUAGE_MODE = 86;
/** Exit code of a bootstrap whose console does not process VT sequences (before Windows 10). */
export const EXIT_NO_VT = 88;
/** Exit code of a bootstrap whose integration script failed to load. */
export const EXIT_LOAD_FAILED = 87;
/** Start of the line a bootstrap prints when it cannot start; the rest of the line says why. */
export const CANNOT_START = 'poshpool cannot start:';

/** Everything needed to start one session's pwsh. */
export interface Launch {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The script the bootstrap loads (holds the nonce: remove it once pwsh is up). */
  scriptFile: string;
  /** The command line as the OS sees it (Windows: what CreateProcess gets). */
  commandLine: string;
}

/** What a launch is built from. */
export interface LaunchInput {
  shell: ResolvedShell;
  config: ShellConfig;
  platform: Platform;
  /** The session's private directory (user-only). */
  tempDir: string;
  nonce: string;
  /** Per-session random text of the fence lines. */
  fence: string;
  /** Base environment; variables named POSHPOOL_* never reach pwsh. */
  baseEnv: Record<string, string | undefined>;
  /** Per-session random tag, set as SESSION_TAG_VARIABLE so every process the session starts can be found (processTree.ts). */
  sessionTag?: string;
  /** pwsh runs on another host (over ssh): no shared directory; `windows`: that host draws through ConPTY. */
  remote?: { windows: boolean };
}

/**
 * The integration script's text, followed by the reset a session runs between leases (reset.ps1)
 * and, for a session on another host, the ending of what its commands left running there (leftovers.ps1).
 */
export function loadIntegrationScript(remote = false): string {
  const files = ['./integration.ps1', './reset.ps1', ...(remote ? ['./leftovers.ps1'] : [])];
  return files.map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
}

/** A PowerShell single-quoted string literal. */
export function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The -Command text: refuse a restricted language mode with a clear line, else load the session
 * script from the private dir and dot-source it in the global scope. A script block made from text is
 * not subject to execution policy (a .ps1 file run with `.` would be, and Group Policy overrides
 * -ExecutionPolicy), and the command line stays short on every OS: CreateProcess takes at most 32,767
 * characters, and the integration script alone is longer as -EncodedCommand.
 * Windows PowerShell 5.1 syntax only.
 */
export function bootstrapCommand(scriptFile: string): string {
  const mode = '$ExecutionContext.SessionState.LanguageMode';
  return (
    `if (${mode} -ne 'FullLanguage') { '${CANNOT_START} PowerShell runs in ' + ${mode} + ' mode (an application control policy such as WDAC, AppLocker or __PSLockdownPolicy sets it); poshpool needs FullLanguage.'; exit ${EXIT_LANGUAGE_MODE} }; ` +
    // The console host turns on VT processing at start-up where the console has it (PowerShell's
    // ConsoleHostUserInterface constructor, Windows PowerShell 5.1 too); without it the markers would
    // print as text. Only consoles older than Windows 10 lack it.
    `if (-not $Host.UI.SupportsVirtualTerminal) { '${CANNOT_START} this console does not process virtual terminal sequences (Windows 10 or later is needed).'; exit ${EXIT_NO_VT} }; ` +
    `try { . ([ScriptBlock]::Create([IO.File]::ReadAllText(${psQuote(scriptFile)}))) } ` +
    `catch { '${CANNOT_START} the integration script failed to load: ' + $_; exit ${EXIT_LOAD_FAILED} }`
  );
}

/** The line that hands the session its settings, ahead of the integration script. */
export function bootLine(input: LaunchInput): string {
  const c = input.config;
  const fields: Record<string, string | number> = {
    Nonce: input.nonce,
    Fence: input.fence,
    Osc: c.oscNumber,
    // On another host there is no directory shared with poshpool: records and command files go in-band or there.
    TempDir: input.remote ? '' : input.tempDir,
    InBand: input.remote ? 1 : 0,
    MaxErrors: c.maxErrors,
    MaxErrorChars: c.maxErrorChars,
    MaxMarkerChars: c.maxMarkerChars,
    // Each command draws on a screen of its own (see integration.ps1): where the pty passes bytes
    // through (POSIX). ConPTY re-renders the console instead: it passes an erase on and then repaints
    // rows (microsoft/terminal#5683, #919), which the terminal screen cannot tell from new output
    // (TerminalScreen passThrough).
    // A Windows host's sshd draws through ConPTY too: Win32-OpenSSH runs a pty session's command in a
    // pseudo console where the OS has one (PowerShell/openssh-portable#358, win32_pty.c CreateConPty;
    // its log in PowerShell/Win32-OpenSSH#1290: "pty commandline: conhost.exe --headless ...").
    FreshScreen: input.platform.pty.conpty || input.remote?.windows ? 0 : 1,
  };
  // ssh carries no environment: on another host pwsh puts the tag in its own (not a secret; the nonce stays in the script).
  if (input.remote && input.sessionTag) fields.Tag = input.sessionTag;
  const body = Object.entries(fields)
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : psQuote(v)}`)
    .join('; ');
  return `$__poshpoolBoot = @{ ${body} }\n`;
}

/**
 * PSModulePath for Windows PowerShell 5.1: without the module folders of PowerShell 7, which 5.1
 * would otherwise inherit when poshpool itself runs under pwsh 7 and then load 7-only modules
 * (PowerShell/PowerShell#18530). 5.1 adds its own folders at start-up.
 */
export function modulePathFor51(value: string | undefined, platform: Platform): string | undefined {
  if (value === undefined) return undefined;
  const sep = platform.pathListSeparator;
  const kept = value.split(sep).filter((entry) => {
    const e = entry.replace(/\//g, '\\').toLowerCase().replace(/\\+$/, '');
    if (e === '') return false;
    // <ProgramFiles>\PowerShell\7\Modules, <Documents>\PowerShell\Modules, <ProgramFiles>\PowerShell\Modules
    return !/\\powershell\\(\d[^\\]*\\)?modules$/.test(e);
  });
  return kept.length > 0 ? kept.join(sep) : undefined;
}

/** The environment pwsh starts with. */
export function launchEnv(input: LaunchInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.baseEnv)) {
    if (v !== undefined && !k.toUpperCase().startsWith('POSHPOOL_')) env[k] = v;
  }
  if (input.shell.kind === 'powershell') {
    const key = Object.keys(env).find((k) => k.toUpperCase() === 'PSMODULEPATH');
    if (key !== undefined) {
      const cleaned = modulePathFor51(env[key], input.platform);
      if (cleaned === undefined) delete env[key];
      else env[key] = cleaned;
    }
  }
  Object.assign(env, {
    TERM: 'xterm-256color',
    NO_COLOR: '1',
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    POWERSHELL_UPDATECHECK: 'Off',
    // The .NET runtime's debugger and diagnostics IPC (clr-debug-pipe-*, dotnet-diagnostic-* in the
    // temp dir) is removed only on a clean exit, and poshpool kills pwsh: one set piled up per session
    // (found by npm run soak). Off, per learn.microsoft.com/dotnet/core/runtime-config/debugging-profiling;
    // a debugger or dotnet-trace cannot attach to a session's pwsh then.
    DOTNET_EnableDiagnostics: '0',
  });
  if (input.sessionTag) env[SESSION_TAG_VARIABLE] = input.sessionTag;
  return env;
}

/**
 * Quotes one argument the way the Microsoft C runtime parses it (what node-pty's argsToCommandLine
 * and libuv produce): quoted when empty or holding blanks or quotes; backslashes before a quote or
 * the closing quote doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(slashes * 2 + 1) + '"';
    else out += '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The command line the OS gets for file + args. */
export function commandLineOf(file: string, args: readonly string[], platform: Platform): string {
  if (platform.isWindows) return [file, ...args].map(quoteWindowsArg).join(' ');
  return [file, ...args].join(' ');
}

/** The launch for `input`, with the text of the session script (nothing is written). */
export function planLaunch(input: LaunchInput): Launch & { scriptText: string } {
  const scriptFile = input.platform.path.join(input.tempDir, SESSION_SCRIPT_NAME);
  // A launcher discovery saw through (the dotnet tool's shim) is skipped: its target runs directly.
  const file = input.shell.run?.file ?? input.shell.path;
  const args = [...(input.shell.run?.args ?? []), '-NoLogo', '-NoExit'];
  if (!input.config.loadProfile) args.push('-NoProfile');
  // Process scope only; lets a command with `exit` run from its temporary .ps1 where no Group Policy
  // forbids scripts (where one does, the integration runs it as a script block and says so).
  args.push('-ExecutionPolicy', 'Bypass');
  args.push('-Command', bootstrapCommand(scriptFile));
  const commandLine = commandLineOf(file, args, input.platform);
  if (commandLine.length > input.platform.maxCommandLineChars) {
    throw new RangeError(`the command line that starts PowerShell has ${commandLine.length} characters, over this OS's limit of ${input.platform.maxCommandLineChars}; choose a shorter data directory`);
  }
  return { file, args, env: launchEnv(input), scriptFile, commandLine, scriptText: bootLine(input) + loadIntegrationScript() };
}

/** Writes the session script into the private dir (user-only) and returns the short command line that loads it. */
export function prepareLaunch(input: LaunchInput): Launch {
  const { scriptText, ...launch } = planLaunch(input);
  writeFileSync(launch.scriptFile, scriptText, { encoding: 'utf8', mode: 0o600 });
  return launch;
}

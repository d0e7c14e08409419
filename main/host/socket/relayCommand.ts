/**
 * The command line an MCP client runs to start relay.ps1, poshpool's stdio bridge for Windows (the
 * installed app cannot be one: Electron gives a Windows GUI app an stdin that is always at EOF,
 * electron/electron#4218 and #21705, and the machine may have no Node.js).
 *
 * The script is loaded with `-Command` and `[ScriptBlock]::Create`, not run with `-File`: execution
 * policy is checked only for script files (PowerShell's SecurityManager.ShouldRun checks
 * CommandTypes.ExternalScript alone, src/System.Management.Automation/security/SecurityManager.cs),
 * and a Group Policy MachinePolicy/UserPolicy takes precedence over `-ExecutionPolicy Bypass`
 * (about_Execution_Policies, "Execution policy precedence"), so a machine with "Allow only signed
 * scripts" would refuse `-File relay.ps1` but runs this. Constrained Language Mode (AppLocker/WDAC)
 * blocks both forms; the relay then fails with PowerShell's own error on stderr.
 */

/** The program: Windows PowerShell 5.1, present on every Windows 10/11 machine (found on PATH by the client). */
export const RELAY_SHELL = 'powershell.exe';
/** File name of the relay script: shipped beside the app (electron-builder extraResources). */
export const RELAY_SCRIPT_NAME = 'relay.ps1';
/** Switches before -Command: no banner, no profile (its output would corrupt stdout), never prompt. */
export const RELAY_SHELL_SWITCHES: readonly string[] = ['-NoLogo', '-NoProfile', '-NonInteractive'];

/** What the relay needs to know. */
export interface RelaySpec {
  /** Absolute path of relay.ps1. */
  script: string;
  /** poshpool's data dir (where the host writes host.json). */
  dataDir: string;
  /** The program (and its arguments) that starts the app when no host runs; omitted: the relay never starts one. */
  app?: readonly [string, ...string[]];
}

/** A PowerShell single-quoted string literal: nothing inside is expanded; a quote is doubled. */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/**
 * The -Command text: loads relay.ps1 as a script block and calls it with its parameters. It adds no
 * double quote (a client quotes the whole argument with them; Windows paths cannot hold one) and no
 * `$` (PowerShell would expand it in a double-quoted `claude mcp add` line).
 */
export function relayCommandText(spec: RelaySpec): string {
  const parts = [`& ([ScriptBlock]::Create([IO.File]::ReadAllText(${psQuote(spec.script)})))`, '-DataDir', psQuote(spec.dataDir)];
  if (spec.app) {
    const [appPath, ...appArgs] = spec.app;
    parts.push('-AppPath', psQuote(appPath));
    if (appArgs.length > 0) parts.push('-AppArguments', appArgs.map(psQuote).join(','));
  }
  return parts.join(' ');
}

/** The program and arguments of the relay, for a client config's `command` and `args`. */
export function relayCommand(spec: RelaySpec, shell: string = RELAY_SHELL): { command: string; args: string[] } {
  return { command: shell, args: [...RELAY_SHELL_SWITCHES, '-Command', relayCommandText(spec)] };
}

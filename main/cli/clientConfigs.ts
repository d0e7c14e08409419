import type { Platform } from '../core/platform/Platform.js';
import { RELAY_SCRIPT_NAME, relayCommand, type RelaySpec } from '../host/socket/relayCommand.js';

/** Ready-to-paste MCP client configurations for a running host. */
export interface ClientConfigs {
  vscode: string;
  vscodeHttp: string;
  claudeDesktop: string;
  claudeCode: string;
}

/**
 * How a client config starts the stdio bridge: a command line that gets `bridge` appended (Node and
 * bin/poshpool.js, or the app's own executable where it can read stdin) and then `bridgeArgs` (say
 * `--data-dir <dir>`), or Windows PowerShell running relay.ps1.
 */
export type BridgeLauncher =
  | { kind: 'bridgeVerb'; command: readonly [string, ...string[]]; bridgeArgs?: readonly string[] }
  | ({ kind: 'powershellRelay' } & RelaySpec);

/** Where the tray app runs from, for {@link appBridgeLauncher}. */
export interface AppLocation {
  /** Installed (electron-builder) rather than a development checkout run with electron. */
  packaged: boolean;
  /** The app's executable (process.execPath): poshpool.exe installed, electron in a checkout. */
  execPath: string;
  /** The checkout's app folder that electron is given (app.getAppPath()); unused when packaged. */
  appPath: string;
  /** The installed app's resources folder (process.resourcesPath), where relay.ps1 is shipped. */
  resourcesPath: string;
  /** The checkout's root (package.json), where main/host/socket/relay.ps1 is. */
  sourceRoot: string;
  /** poshpool's data dir (host.json): the relay finds the host there. */
  dataDir: string;
  /**
   * A Windows portable build: it runs from a temp copy deleted on exit (installedApp.ts), resources
   * included, so the relay runs from a copy in the data dir ({@link relayScriptCopy}).
   */
  portable?: boolean;
}

/**
 * The bridge the tray app's configs start. On Windows (platform.appStdioBridge) the relay script,
 * installed or in a checkout alike: electron.exe cannot read stdin either. Elsewhere the app's own
 * `bridge` verb. `poshpool serve` runs under Node, so its configs keep `node bin/poshpool.js bridge`.
 */
export function appBridgeLauncher(platform: Platform, app: AppLocation): BridgeLauncher {
  const command: readonly [string, ...string[]] = app.packaged ? [app.execPath] : [app.execPath, app.appPath];
  if (platform.appStdioBridge === 'appBridgeVerb') return { kind: 'bridgeVerb', command };
  const copy = relayScriptCopy(platform, app);
  const script = copy?.to ?? relayScriptShipped(platform, app);
  return { kind: 'powershellRelay', script, dataDir: app.dataDir, app: command };
}

/** Where the app's own relay.ps1 is: its resources folder installed, main/host/socket in a checkout. */
function relayScriptShipped(platform: Platform, app: AppLocation): string {
  return app.packaged ? platform.path.join(app.resourcesPath, RELAY_SCRIPT_NAME) : platform.path.join(app.sourceRoot, 'main', 'host', 'socket', RELAY_SCRIPT_NAME);
}

/**
 * The copy of relay.ps1 the app makes when it starts, for a portable build only (its resources
 * vanish when it exits, and a client runs the relay exactly when no app runs): into the data dir.
 */
export function relayScriptCopy(platform: Platform, app: AppLocation): { from: string; to: string } | undefined {
  if (platform.appStdioBridge !== 'powershellRelay' || !app.packaged || app.portable !== true) return undefined;
  return { from: relayScriptShipped(platform, app), to: platform.path.join(app.dataDir, RELAY_SCRIPT_NAME) };
}

/** The command and arguments a client runs for `launcher`. */
export function bridgeCommand(launcher: BridgeLauncher): { command: string; args: string[] } {
  if (launcher.kind === 'powershellRelay') return relayCommand(launcher);
  const [command, ...lead] = launcher.command;
  return { command, args: [...lead, 'bridge', ...(launcher.bridgeArgs ?? [])] };
}

/**
 * Configs that start the stdio bridge: it reads the token from its file itself, so no secret is
 * pasted anywhere. The HTTP variant for VS Code asks for the token in a password prompt. A bare
 * command line stands for `{ kind: 'bridgeVerb', command }`. `platform` picks the quoting of the
 * `claude mcp add` line (cmd and PowerShell on Windows, a POSIX shell elsewhere).
 */
export function clientConfigs(
  launcher: BridgeLauncher | readonly [string, ...string[]],
  mcpUrl: string,
  tokenFile: string,
  platform: NodeJS.Platform,
): ClientConfigs {
  const stdio = bridgeCommand(Array.isArray(launcher) ? { kind: 'bridgeVerb', command: launcher as readonly [string, ...string[]] } : (launcher as BridgeLauncher));
  // POSIX shells need \, ", $ and ` escaped inside double quotes. cmd and PowerShell both take a
  // double-quoted Windows path as it is; the relay's -Command text holds no " or $ (relayCommand.ts).
  const quote = (s: string): string => {
    if ((platform === 'win32' ? /^[\w./:@\\-]+$/ : /^[\w./:@-]+$/).test(s)) return s;
    return platform === 'win32' ? `"${s}"` : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
  };
  return {
    vscode: JSON.stringify({ servers: { poshpool: { type: 'stdio', ...stdio } } }, null, 2),
    vscodeHttp: JSON.stringify(
      {
        inputs: [{ id: 'poshpool-token', type: 'promptString', description: `poshpool token (the contents of ${tokenFile})`, password: true }],
        servers: { poshpool: { type: 'http', url: mcpUrl, headers: { Authorization: 'Bearer ${input:poshpool-token}' } } },
      },
      null,
      2,
    ),
    claudeDesktop: JSON.stringify({ mcpServers: { poshpool: stdio } }, null, 2),
    claudeCode: `claude mcp add poshpool -- ${[stdio.command, ...stdio.args].map(quote).join(' ')}`,
  };
}

/**
 * The Electron entry. Thin: it adapts Electron's APIs (electronPorts.ts) and hands them to
 * PoshpoolApp; the host (core, MCP, transports) runs in a utilityProcess (utilityHostChild.ts says
 * why). With a command-line verb (`poshpool bridge`, `status`, …) the app is the poshpool CLI and
 * shows no UI: an MCP client configured with the installed app's own executable gets the stdio bridge.
 */

import { app, powerMonitor, protocol } from 'electron';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appBridgeLauncher, relayScriptCopy, type AppLocation } from '../cli/clientConfigs.js';
import { main as cliMain } from '../cli/poshpool.js';
import { listenForStop } from '../cli/stopSignals.js';
import { configFilePath, dataDir as defaultDataDir } from '../core/config/paths.js';
import { installedExecutable } from '../core/platform/installedApp.js';
import { currentPlatform } from '../core/platform/Platform.js';
import { HostSupervisor } from '../host/process/HostSupervisor.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './appProtocol.js';
import { AppLog } from './AppLog.js';
import { electronPorts } from './electronPorts.js';
import { PoshpoolApp } from './PoshpoolApp.js';
import { trayIconFile } from './trayIcons.js';
import { forkUtilityHostChild } from './utilityHostChild.js';

// `start` is left out: inside the app it would start the app again.
/** electron-builder.yml's appId (the Windows AppUserModelID of the installed app). */
const APP_ID = 'dev.poshpool.app';

const CLI_VERBS = new Set(['bridge', 'status', 'open', 'exec', 'serve', 'help', '--help', '-h']);

/** The app's root (package.json beside dist/ and assets/): the first folder upward that has a package.json. */
function appRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../..');
  }
}

const root = appRoot(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(app.isPackaged ? 1 : 2);

if (args[0] !== undefined && CLI_VERBS.has(args[0])) {
  app.dock?.hide();
  void cliMain(args).then(
    (code) => app.exit(code),
    (e: Error) => {
      process.stderr.write(`poshpool: ${e.stack ?? e.message}\n`);
      app.exit(1);
    },
  );
} else if (args.some((a) => /conpty_console_list_agent/.test(a))) {
  // node-pty on Windows forks a helper with process.execPath; with the RunAsNode fuse off that starts
  // this app instead of Node. Leave at once: node-pty falls back to ending the shell by its pid.
  app.exit(0);
} else if (!app.requestSingleInstanceLock()) {
  // A second launch: the first instance opens its dashboard (second-instance below).
  app.exit(0);
} else {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  const platform = currentPlatform();
  const env = process.env;
  const dataDir = defaultDataDir(platform, env, homedir());
  const configFile = configFilePath(platform, env, homedir());
  const logDir = path.join(dataDir, 'logs');
  const log = new AppLog(path.join(logDir, 'poshpool.log'));
  // The tray stays up: a bug in a handler is logged (Electron would otherwise show a modal error box
  // for it and leave the app in that state); the host runs in its own process and restarts on its own.
  process.on('uncaughtException', (e) => log.write(`uncaught exception in the app: ${e.stack ?? String(e)}`));
  process.on('unhandledRejection', (e) => log.write(`unhandled rejection in the app: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const assetsDir = path.join(root, 'assets');

  // Windows shows an app's notifications only under its AppUserModelID, the installer's appId.
  if (platform.needsAppUserModelId) app.setAppUserModelId(APP_ID);
  void app.whenReady().then(() => {
    app.dock?.hide();
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, path.join(root, 'dist', 'renderer')));
    const host = new HostSupervisor({
      spawn: () => forkUtilityHostChild(path.join(root, 'dist', 'main', 'host', 'process', 'hostProcess.js'), (text) => log.write(`[host] ${text}`)),
      start: { configFile, dataDir },
      log: (line) => log.write(line),
    });
    // The installed executable: a portable build's running copy is deleted when it exits (installedApp.ts).
    const executable = installedExecutable(platform, { execPath: process.execPath, env, tempDir: tmpdir() });
    const location: AppLocation = {
      packaged: app.isPackaged,
      execPath: executable,
      appPath: app.getAppPath(),
      resourcesPath: process.resourcesPath,
      sourceRoot: root,
      dataDir,
      portable: executable !== process.execPath,
    };
    const relayCopy = relayScriptCopy(platform, location);
    if (relayCopy) {
      try {
        mkdirSync(path.dirname(relayCopy.to), { recursive: true });
        copyFileSync(relayCopy.from, relayCopy.to);
      } catch (e) {
        log.write(`could not copy the relay script to ${relayCopy.to} (copied client configs will not start): ${(e as Error).message}`);
      }
    }
    const poshpool = new PoshpoolApp(electronPorts({ platform, host, initialTrayIcon: trayIconFile('idle', platform, assetsDir), log: (line) => log.write(line) }), {
      assetsDir,
      preloadPath: path.join(root, 'dist', 'preload', 'index.cjs'),
      configFile,
      logDir,
      bridgeLauncher: appBridgeLauncher(platform, location),
    });
    app.on('second-instance', () => poshpool.showDashboard());
    // The system is shutting down (macOS, Linux): stop the host without asking; Electron delays the
    // shutdown while we exit. (Windows reports it only to windows, and the dashboard may be closed.)
    powerMonitor.on('shutdown', () => void poshpool.quitNow());
    // A stop signal (Ctrl+C, \`poshpool start\` passing one on, a service manager, the terminal closing)
    // quits without asking too: nobody is there to answer. Electron also turns these signals into
    // app.quit(); before-quit then finds this quit under way and asks nothing.
    void listenForStop(platform).received.then(() => poshpool.quitNow());
    // A tray app: closing the window does not quit.
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', (event) => {
      // Quit only through requestQuit, which stops the host first (and asks when commands run).
      event.preventDefault();
      void poshpool.requestQuit();
    });
    poshpool.start();
    // The tray is the app; the window opens from it (or at once, for the launch test).
    if (env.POSHPOOL_OPEN_DASHBOARD === '1') poshpool.showDashboard();
  });
}

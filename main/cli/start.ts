import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostFlags } from '../host/hostSettings.js';
import { CONFIG_FILE_ENV, DATA_DIR_ENV } from '../core/config/paths.js';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { findElectronBinary } from './electronBinary.js';
import type { CliIo } from './cliIo.js';
import { listenForStop, type SignalSource } from './stopSignals.js';

/** How `poshpool start` runs poshpool. */
export type StartMode = { mode: 'app'; electron: string } | { mode: 'headless'; why: string };

/**
 * The tray app where it can run (an Electron binary, and on Linux a display), else the headless
 * host. POSHPOOL_HEADLESS=1 asks for the headless host.
 */
export function chooseStartMode(
  platform: Pick<Platform, 'needsDisplayServer'>,
  env: Readonly<Record<string, string | undefined>>,
  electron: { ok: true; path: string } | { ok: false; reason: string },
): StartMode {
  const before = headlessBeforeElectron(platform, env);
  if (before) return before;
  if (!electron.ok) return { mode: 'headless', why: electron.reason };
  return { mode: 'app', electron: electron.path };
}

/** The reasons to run headless that do not depend on Electron (asked for, or no display): no download is tried then. */
export function headlessBeforeElectron(platform: Pick<Platform, 'needsDisplayServer'>, env: Readonly<Record<string, string | undefined>>): StartMode | undefined {
  if (env.POSHPOOL_HEADLESS === '1') return { mode: 'headless', why: 'POSHPOOL_HEADLESS=1 is set' };
  if (platform.needsDisplayServer && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'headless', why: 'there is no display for a tray (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  return undefined;
}

/** Longest the one-time Electron download may take. */
const ELECTRON_DOWNLOAD_TIMEOUT_MS = 300_000;

/**
 * The Electron binary, downloaded once when it is missing: the electron package (45+) fetches it on
 * first use, through its own install script. A failed download (no network) is a reason, not an error.
 */
export async function ensureElectron(
  env: NodeJS.ProcessEnv,
  io: Pick<CliIo, 'stderr'>,
  installerPath?: string,
): Promise<{ ok: true; path: string } | { ok: false; reason: string }> {
  const found = findElectronBinary(env);
  if (found.ok || env.ELECTRON_OVERRIDE_DIST_PATH) return found;
  let installer: string;
  try {
    installer = installerPath ?? createRequire(import.meta.url).resolve('electron/install.js');
  } catch {
    // Not installed with the dev dependencies (an npm install --omit=dev): nothing to download with.
    return found;
  }
  io.stderr.write('poshpool start: downloading Electron for the tray app (once; POSHPOOL_HEADLESS=1 skips this)…\n');
  const child = spawn(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], env, timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (c) => resolve(c));
  });
  if (code === 0) return findElectronBinary(env);
  const first = err.split('\n').find((l) => l.trim() !== '')?.trim() ?? `exit code ${code}`;
  return { ok: false, reason: `the Electron download failed (${first})` };
}

/** The part of the app's process a stop is passed on to (a ChildProcess fits). */
export interface StoppableChild {
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal: NodeJS.Signals): boolean;
}

/** Passes stop signals on to the app once it is attached; dispose when the app has ended. */
export interface StopForwarder {
  attach(child: StoppableChild): void;
  dispose(): void;
}

/**
 * Where the platform can forward a signal (platform.forwardsSignals: Linux and macOS), listens for its
 * stop signals from now on and passes the first on to the attached app; elsewhere (Windows, where
 * child.kill is TerminateProcess and would cut the sessions off) listens to nothing and returns null.
 */
export function stopForwarder(platform: Pick<Platform, 'forwardsSignals' | 'stopSignals'>, source?: SignalSource): StopForwarder | null {
  if (!platform.forwardsSignals) return null;
  const stop = listenForStop(platform, source);
  return {
    attach(child) {
      void stop.received.then((signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      });
    },
    dispose: () => stop.dispose(),
  };
}

/** The folder holding package.json (Electron starts the app from it). */
function appRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/**
 * `poshpool start`: the tray app when it can run here, else the headless host (`poshpool serve`),
 * saying why in one line. The app runs in the foreground; its exit code is this command's.
 */
export async function start(flags: HostFlags, io: CliIo): Promise<number> {
  const platform = currentPlatform();
  const mode = headlessBeforeElectron(platform, process.env) ?? chooseStartMode(platform, process.env, await ensureElectron(process.env, io));
  if (mode.mode === 'headless') {
    io.stderr.write(`poshpool start: ${mode.why}; starting the headless host instead (open its dashboard with \`poshpool open\`).\n`);
    return (await import('./serve.js')).serve(flags, io);
  }
  if (flags.port !== undefined) {
    io.stderr.write('poshpool start: --port is for the headless host; the tray app takes "port" from config.json. Leave --port out, or use `poshpool serve`.\n');
    return 2;
  }
  io.stderr.write(`poshpool start: starting the tray app (${mode.electron}).\n`);
  const env = { ...process.env };
  if (flags.dataDir) env[DATA_DIR_ENV] = path.resolve(flags.dataDir);
  if (flags.configFile) env[CONFIG_FILE_ENV] = path.resolve(flags.configFile);
  // On Linux and macOS a stop sent to this command (Ctrl+C, a service manager's SIGTERM) goes on to
  // the app, which quits the way it does from the tray (ending every session), and this command ends
  // when the app has, so neither is left behind. The app runs in its own process group so that a
  // terminal's Ctrl+C reaches it once, through us: Electron takes one signal gracefully and is killed
  // outright by a second. On Windows there is nothing to forward (child.kill is TerminateProcess,
  // which would cut the sessions off): the app stays in the tray, and Quit there ends it.
  const forwarder = stopForwarder(platform);
  try {
    const child = spawn(mode.electron, [appRoot()], { stdio: 'inherit', env, detached: forwarder !== null });
    forwarder?.attach(child);
    return await new Promise<number>((resolve) => {
      child.once('error', (e) => {
        io.stderr.write(`poshpool start: the tray app did not start (${e.message}); \`poshpool serve\` runs the headless host.\n`);
        resolve(1);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    forwarder?.dispose();
  }
}

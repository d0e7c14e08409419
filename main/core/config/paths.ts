import path from 'node:path';
import { platformFor, type Platform } from '../platform/Platform.js';

/** The environment variables paths are derived from (`process.env` fits). */
export type PathEnv = Readonly<Record<string, string | undefined>>;

/** Name of the folder poshpool keeps its files in, under the platform's config and data dirs. */
export const APP_DIR_NAME = 'poshpool';
/** Name of the config file inside the config dir. */
export const CONFIG_FILE_NAME = 'config.json';
/** Environment variable that names the config file itself (overrides the config dir). */
export const CONFIG_FILE_ENV = 'POSHPOOL_CONFIG';
/** Environment variable that names the data dir (audit log, spilled outputs, tokens). */
export const DATA_DIR_ENV = 'POSHPOOL_DATA_DIR';

/** What the paths depend on: the OS's path rules, its user dirs and how it reads environment names. */
export type PathPlatform = Pick<Platform, 'path' | 'userDirs' | 'envNamesIgnoreCase'>;

/**
 * Reads an environment variable; empty counts as unset. Windows names are case-insensitive
 * (`AppData` is `APPDATA`), which a plain object passed in for tests does not do by itself.
 */
function readEnv(platform: Pick<Platform, 'envNamesIgnoreCase'>, env: PathEnv, name: string): string | undefined {
  let value = env[name];
  if (value === undefined && platform.envNamesIgnoreCase) {
    const upper = name.toUpperCase();
    const key = Object.keys(env).find((k) => k.toUpperCase() === upper);
    value = key === undefined ? undefined : env[key];
  }
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** XDG names are read as written (the XDG base dirs are a POSIX convention). */
const XDG_PLATFORM = platformFor('linux');

/** An XDG base dir variable: the spec says a relative value is invalid and must be ignored. */
function readXdg(env: PathEnv, name: string): string | undefined {
  const value = readEnv(XDG_PLATFORM, env, name);
  return value !== undefined && path.posix.isAbsolute(value) ? value : undefined;
}

/**
 * The directory of poshpool's config: %APPDATA%\poshpool on Windows,
 * ~/Library/Application Support/poshpool on macOS, $XDG_CONFIG_HOME/poshpool (or ~/.config/poshpool)
 * elsewhere.
 */
export function configDir(platform: PathPlatform, env: PathEnv, homedir: string): string {
  const p = platform.path;
  switch (platform.userDirs) {
    case 'windowsAppData':
      return p.join(readEnv(platform, env, 'APPDATA') ?? p.join(homedir, 'AppData', 'Roaming'), APP_DIR_NAME);
    case 'macLibrary':
      return p.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
    case 'xdg':
      return p.join(readXdg(env, 'XDG_CONFIG_HOME') ?? p.join(homedir, '.config'), APP_DIR_NAME);
  }
}

/**
 * The directory of poshpool's data (audit log, spilled outputs): $POSHPOOL_DATA_DIR when set, else
 * %LOCALAPPDATA%\poshpool on Windows, ~/Library/Application Support/poshpool on macOS,
 * $XDG_DATA_HOME/poshpool (or ~/.local/share/poshpool) elsewhere.
 */
export function dataDir(platform: PathPlatform, env: PathEnv, homedir: string): string {
  const p = platform.path;
  const override = readEnv(platform, env, DATA_DIR_ENV);
  if (override !== undefined) return p.normalize(override);
  switch (platform.userDirs) {
    case 'windowsAppData':
      return p.join(readEnv(platform, env, 'LOCALAPPDATA') ?? p.join(homedir, 'AppData', 'Local'), APP_DIR_NAME);
    case 'macLibrary':
      return p.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
    case 'xdg':
      return p.join(readXdg(env, 'XDG_DATA_HOME') ?? p.join(homedir, '.local', 'share'), APP_DIR_NAME);
  }
}

/**
 * The config file: $POSHPOOL_CONFIG when set (a relative value is relative to the working directory),
 * else config.json in {@link configDir}.
 */
export function configFilePath(platform: PathPlatform, env: PathEnv, homedir: string): string {
  const p = platform.path;
  const override = readEnv(platform, env, CONFIG_FILE_ENV);
  if (override !== undefined) return p.normalize(override);
  return p.join(configDir(platform, env, homedir), CONFIG_FILE_NAME);
}

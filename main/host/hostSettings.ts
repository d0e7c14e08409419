import { homedir } from 'node:os';
import { loadConfig } from '../core/config/load.js';
import { configFilePath, dataDir as defaultDataDir } from '../core/config/paths.js';
import type { PoshpoolConfig } from '../core/config/schema.js';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';

/** Flags of `poshpool serve` (and of the bridge's embedded host). */
export interface HostFlags {
  port?: number;
  configFile?: string;
  dataDir?: string;
}

/** The config and data dir the flags and environment select, by the platform's rules (default: this OS's). */
export function resolveHostSettings(
  flags: HostFlags,
  platform: Platform = currentPlatform(),
): { ok: true; config: PoshpoolConfig; dataDir: string; configFile: string } | { ok: false; reason: string } {
  const configFile = flags.configFile ?? configFilePath(platform, process.env, homedir());
  const loaded = loadConfig(configFile);
  if (!loaded.ok) return loaded;
  const config = flags.port === undefined ? loaded.config : { ...loaded.config, port: flags.port };
  return { ok: true, config, dataDir: flags.dataDir ?? defaultDataDir(platform, process.env, homedir()), configFile };
}

import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config/load.js';
import { configFilePath, dataDir as defaultDataDir } from '../core/config/paths.js';
import type { PoshpoolConfig } from '../core/config/schema.js';
import { Host } from '../host/Host.js';
import type { CliIo } from './poshpool.js';
import { clientConfigs } from './clientConfigs.js';

/** Flags of `poshpool serve` (and of the bridge's embedded host). */
export interface HostFlags {
  port?: number;
  configFile?: string;
  dataDir?: string;
}

/** The config and data dir the flags and environment select. */
export function resolveHostSettings(flags: HostFlags): { ok: true; config: PoshpoolConfig; dataDir: string } | { ok: false; reason: string } {
  const loaded = loadConfig(flags.configFile ?? configFilePath(process.platform, process.env, homedir()));
  if (!loaded.ok) return loaded;
  const config = flags.port === undefined ? loaded.config : { ...loaded.config, port: flags.port };
  return { ok: true, config, dataDir: flags.dataDir ?? defaultDataDir(process.platform, process.env, homedir()) };
}

/** Path of bin/poshpool.js, for the client configs. */
export function binPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/poshpool.js');
}

/** `poshpool serve`: runs the headless host until SIGINT or SIGTERM. */
export async function serve(flags: HostFlags, io: CliIo): Promise<number> {
  const settings = resolveHostSettings(flags);
  if (!settings.ok) {
    io.stderr.write(`poshpool serve: ${settings.reason}\n`);
    return 1;
  }
  const started = await Host.start({ config: settings.config, dataDir: settings.dataDir, port: settings.config.port });
  if (!started.ok) {
    io.stderr.write(`poshpool serve: ${started.reason}\n`);
    return 1;
  }
  const host = started.host;
  const info = host.info;
  const configs = clientConfigs(process.execPath, binPath(), info.mcpUrl, info.tokenFile);
  io.stdout.write(
    [
      `poshpool is ready (pid ${info.pid}, PowerShell: ${host.core.shell.path})`,
      `  MCP (Streamable HTTP): ${info.mcpUrl}   (bearer token in ${info.tokenFile})`,
      `  events: ${info.eventsUrl}   metrics: ${info.metricsUrl}`,
      `  local socket for \`poshpool bridge\`: ${info.socketPath}`,
      `  host file: ${path.join(settings.dataDir, 'host.json')}`,
      '',
      'VS Code (.vscode/mcp.json):',
      configs.vscode,
      '',
      'Claude Desktop (claude_desktop_config.json):',
      configs.claudeDesktop,
      '',
      'Claude Code:',
      `  ${configs.claudeCode}`,
      '',
      'VS Code over HTTP instead (asks for the token):',
      configs.vscodeHttp,
      '',
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.stderr.write('poshpool: stopping (ending every session)…\n');
  await host.dispose();
  return 0;
}

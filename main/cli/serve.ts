import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Host } from '../host/Host.js';
import { resolveHostSettings, type HostFlags } from '../host/hostSettings.js';
import type { CliIo } from './cliIo.js';
import { currentPlatform } from '../core/platform/Platform.js';
import { CLIENT_IDS } from './installClients.js';
import { clientConfigs } from './clientConfigs.js';
import { listenForStop } from './stopSignals.js';

/** Path of bin/poshpool.js, for the client configs. */
export function binPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/poshpool.js');
}

/** `poshpool serve`: runs the headless host until SIGINT, SIGTERM or SIGHUP (its terminal closed). */
export async function serve(flags: HostFlags, io: CliIo): Promise<number> {
  const settings = resolveHostSettings(flags);
  if (!settings.ok) {
    io.stderr.write(`poshpool serve: ${settings.reason}\n`);
    return 1;
  }
  // Listening before anything starts: a stop asked for while the host starts (or just after it says
  // it is ready) ends it cleanly rather than killing the process.
  const stop = listenForStop();
  try {
    const started = await Host.start({ config: settings.config, dataDir: settings.dataDir, port: settings.config.port, configFile: settings.configFile });
    if (!started.ok) {
      io.stderr.write(`poshpool serve: ${started.reason}\n`);
      return 1;
    }
    const host = started.host;
    if (stop.signal === null) announce(host, settings.dataDir, io);
    await stop.received;
    io.stderr.write('poshpool: stopping (ending every session)…\n');
    await host.dispose();
    return 0;
  } finally {
    stop.dispose();
  }
}

/** Says where everything is and how to connect each client. */
function announce(host: Host, dataDir: string, io: CliIo): void {
  const info = host.info;
  // Node runs this, so Node can run the bridge too, on every platform (its stdin works, unlike Electron's on Windows).
  const configs = clientConfigs([process.execPath, binPath()], info.mcpUrl, info.tokenFile, currentPlatform().os);
  io.stdout.write(
    [
      `poshpool is ready (pid ${info.pid}, PowerShell: ${host.core.shell.path})`,
      `  MCP (Streamable HTTP): ${info.mcpUrl}   (bearer token in ${info.tokenFile})`,
      `  events: ${info.eventsUrl}   metrics: ${info.metricsUrl}`,
      `  local socket for \`poshpool bridge\`: ${info.socketPath}`,
      `  host file: ${path.join(dataDir, 'host.json')}`,
      '',
      `Connect an agent: poshpool install --client <${CLIENT_IDS.join('|')}>   (--print shows the entry without writing it)`,
      '',
      'Or by hand, VS Code over HTTP (asks for the token):',
      configs.vscodeHttp,
      '',
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
}

import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { readHostInfo } from '../host/hostInfo.js';
import { runBridge } from './bridge.js';
import { DEFAULT_REPLY_GRACE_MS } from './bridgeReplies.js';
import type { CliIo } from './cliIo.js';
import { resolveHostSettings, type HostFlags } from '../host/hostSettings.js';
import { listenForStop } from './stopSignals.js';

/** Where `poshpool bridge` runs: the platform, and whether inside the Electron app rather than Node. */
export interface BridgeRuntime {
  platform: Pick<Platform, 'appStdioBridge'>;
  inElectron: boolean;
}

/**
 * What `poshpool.exe bridge` says on Windows, where Electron gives the app (a GUI program) an stdin
 * that is always at EOF (electron/electron#4218, #21705): it would end at once, saying nothing.
 */
export const APP_BRIDGE_UNAVAILABLE =
  'poshpool bridge: the poshpool app cannot be the stdio bridge on Windows: Windows gives it no readable stdin (Electron runs as a GUI program). ' +
  'Copy the client config again from the poshpool tray menu (Copy client config): it runs the relay script with Windows PowerShell instead ' +
  '(powershell.exe ... relay.ps1, in the app\'s resources folder; see "Connecting an agent" in the README).\n';

/**
 * `poshpool bridge`: MCP over stdio. Relays to the running host through its local socket; when no
 * host runs, starts one in this process (it lives as long as this client) so that a client configured
 * with just `poshpool bridge` works. stdout carries MCP messages only; everything else goes to stderr.
 */
export async function bridge(
  flags: HostFlags,
  io: Pick<CliIo, 'stderr'>,
  runtime: BridgeRuntime = { platform: currentPlatform(), inElectron: process.versions.electron !== undefined },
): Promise<number> {
  if (runtime.inElectron && runtime.platform.appStdioBridge === 'powershellRelay') {
    io.stderr.write(APP_BRIDGE_UNAVAILABLE);
    return 2;
  }
  const settings = resolveHostSettings(flags);
  if (!settings.ok) {
    io.stderr.write(`poshpool bridge: ${settings.reason}\n`);
    return 1;
  }
  const running = readHostInfo(settings.dataDir);
  if (running.ok) {
    return runBridge({ socketPath: running.info.socketPath, tokenFile: running.info.tokenFile, stdin: process.stdin, stdout: process.stdout, stderr: io.stderr, cwd: process.cwd() });
  }
  io.stderr.write('poshpool bridge: no poshpool host is running; starting one in this process.\n');
  // Listening before the host starts, so that a client that gives up while it starts stops it cleanly.
  const stop = listenForStop();
  try {
    // Loaded only here: a bridge that relays to a running host needs neither the host nor the MCP SDK.
    const { Host } = await import('../host/Host.js');
    const started = await Host.start({
      config: settings.config,
      dataDir: settings.dataDir,
      port: settings.config.port,
      log: (line) => void io.stderr.write(`${line}\n`),
    });
    if (!started.ok) {
      io.stderr.write(`poshpool bridge: ${started.reason}\n`);
      return 1;
    }
    const host = started.host;
    const inputEnded = new Promise<'input'>((resolve) => {
      process.stdin.once('end', () => resolve('input'));
      process.stdin.once('close', () => resolve('input'));
    });
    let transport: import('../host/socket/JsonLineTransport.js').JsonLineTransport | undefined;
    if (stop.signal === null) {
      // After the host has started its first PowerShell. Our line transport, not the SDK's stdio one:
      // it answers every line (a bad one with a JSON-RPC error) and counts the answers still owed.
      const { JsonLineTransport } = await import('../host/socket/JsonLineTransport.js');
      // Its working directory is the client's project when the client launched it: sessions begin there without roots.
      transport = new JsonLineTransport({ input: process.stdin, output: process.stdout, end: () => undefined }, { clientCwd: process.cwd() });
      await host.serve(transport);
    }
    const why = await Promise.race([stop.received, inputEnded]);
    let code = 0;
    if (why === 'input' && transport) {
      // A one-shot pipe ends its input right after its requests: answer them before the host stops.
      const left = await Promise.race([transport.whenAnswered(DEFAULT_REPLY_GRACE_MS), stop.received.then(() => [])]);
      if (left.length > 0) {
        io.stderr.write(`poshpool bridge: the client's input ended; gave up after ${DEFAULT_REPLY_GRACE_MS / 1000} s waiting for the answers to requests ${left.map((id) => JSON.stringify(id)).join(', ')}.\n`);
        code = 1;
      }
    }
    await host.dispose();
    return code;
  } finally {
    stop.dispose();
  }
}

import { parseArgs } from 'node:util';
import type { CliIo } from './cliIo.js';

// Each verb's module is imported when that verb runs: `poshpool bridge` is started by an agent's
// client on every connect, and should load neither the host nor the engine when a host already runs.

const USAGE = `poshpool — warm PowerShell sessions for AI agents

Usage:
  poshpool start [--config <file>] [--data-dir <dir>]
                                         The tray app where it can run (an Electron binary and a
                                         display), else the headless host, saying why
  poshpool serve [--port <n>] [--config <file>] [--data-dir <dir>]
                                         Run the headless host (MCP over HTTP on 127.0.0.1, the local
                                         socket for bridges, /events, /metrics); prints client configs
  poshpool bridge [--config <file>] [--data-dir <dir>]
                                         MCP over stdio: relays to the running host, or starts one
                                         in this process when none runs
  poshpool status [--json] [--data-dir <dir>]
                                         Pool and queue state of the running host
  poshpool open [--print] [--data-dir <dir>]
                                         Open the dashboard with a one-time sign-in link (or print it)
  poshpool install --client <name> [--scope user|workspace] [--workspace <dir>] [--print]
                                         Connect an agent: add poshpool (the stdio bridge, no token)
                                         to the client's own config file, keeping what is there and
                                         a backup beside it; --print shows it and writes nothing.
                                         Clients: vscode, claude-desktop, claude-code, cursor,
                                         copilot-cli, codex, windsurf
  poshpool uninstall --client <name> [--scope user|workspace] [--workspace <dir>]
                                         Remove poshpool's entry from that client's config
  poshpool exec [options] "<command>"   Run one PowerShell command and print its result as JSON
      --timeout <seconds>   stop the command after this long (Ctrl+C, then kill)
      --cwd <dir>           working directory of the session
      --pwsh <path>         PowerShell to use (default: "shell.path" in the config, else pwsh on PATH,
                            then powershell.exe on Windows)
      --config <file>       config file (default: config.json in the user's config dir, or POSHPOOL_CONFIG)
  poshpool help                          Show this text

The process exits with the command's exit code (1 when it could not run).
`;


/** Entry point of the poshpool command line. Returns the process exit code. */
export async function main(argv: string[], io: CliIo = process): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    io.stdout.write(USAGE);
    return verb ? 0 : 2;
  }
  if (verb === 'start' || verb === 'serve' || verb === 'bridge' || verb === 'status' || verb === 'open') {
    let flags;
    try {
      flags = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, print: { type: 'boolean' } },
      }).values;
    } catch (e) {
      io.stderr.write(`poshpool ${verb}: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    let port: number | undefined;
    if (flags.port !== undefined) {
      port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        io.stderr.write(`poshpool ${verb}: --port wants a whole number from 0 to 65535 (0 = any free port), got "${flags.port}"\n`);
        return 2;
      }
    }
    const hostFlags = { port, configFile: flags.config, dataDir: flags['data-dir'] };
    if (verb === 'start') return (await import('./start.js')).start(hostFlags, io);
    if (verb === 'serve') return (await import('./serve.js')).serve(hostFlags, io);
    if (verb === 'bridge') return (await import('./bridgeCommand.js')).bridge(hostFlags, io);
    if (verb === 'open') return (await import('./open.js')).open({ ...hostFlags, print: flags.print }, io);
    return (await import('./status.js')).status({ ...hostFlags, json: flags.json }, io);
  }
  if (verb === 'install' || verb === 'uninstall') return (await import('./installCommand.js')).installCommand(verb, rest, io);
  if (verb !== 'exec') {
    io.stderr.write(`poshpool: unknown command "${verb}".\n\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { timeout: { type: 'string' }, cwd: { type: 'string' }, pwsh: { type: 'string' }, config: { type: 'string' } },
    });
  } catch (e) {
    io.stderr.write(`poshpool exec: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const command = parsed.positionals.join(' ');
  if (!command.trim()) {
    io.stderr.write(`poshpool exec: give the command to run, e.g. poshpool exec "Get-Date"\n`);
    return 2;
  }
  let timeoutSeconds: number | undefined;
  if (parsed.values.timeout !== undefined) {
    timeoutSeconds = Number(parsed.values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      io.stderr.write(`poshpool exec: --timeout wants a positive number of seconds, got "${parsed.values.timeout}"\n`);
      return 2;
    }
  }
  const { execOnce } = await import('./exec.js');
  const outcome = await execOnce({ command, timeoutSeconds, cwd: parsed.values.cwd, pwshPath: parsed.values.pwsh, configFile: parsed.values.config });
  if (!outcome.ok) {
    io.stderr.write(`poshpool exec: ${outcome.reason}\n`);
    return 1;
  }
  io.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
  const code = outcome.result.exitCode;
  return code === null ? 1 : code & 0xff;
}

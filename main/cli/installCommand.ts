import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { currentPlatform } from '../core/platform/Platform.js';
import type { CliIo } from './cliIo.js';
import { runInstall } from './install.js';
import { CLIENT_IDS, CLIENTS, clientById, type InstallScope } from './installClients.js';

/** The clients and their scopes, one a line, for usage and errors. */
export function clientList(): string {
  return CLIENT_IDS.map((id) => `  ${id.padEnd(15)} ${CLIENTS[id].label} (${CLIENTS[id].scopes.join(', ')})`).join('\n');
}

/** Path of bin/poshpool.js (this file runs as dist/main/cli/installCommand.js). */
function binPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/poshpool.js');
}

/**
 * `poshpool install|uninstall --client <name> [--scope user|workspace] [--workspace <dir>] [--print]
 * [--data-dir <dir>] [--config <file>]`: writes (or removes) the client's entry that starts
 * `poshpool bridge` with this Node and this poshpool. Exit 0 done or nothing to do, 1 refused, 2 bad usage.
 */
export async function installCommand(verb: 'install' | 'uninstall', argv: string[], io: CliIo): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        client: { type: 'string' },
        scope: { type: 'string' },
        workspace: { type: 'string' },
        print: { type: 'boolean' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
      },
    }).values;
  } catch (e) {
    io.stderr.write(`poshpool ${verb}: ${(e as Error).message}\n`);
    return 2;
  }
  const spec = flags.client === undefined ? undefined : clientById(flags.client);
  if (spec === undefined) {
    const said = flags.client === undefined ? 'say which client with --client <name>' : `unknown client "${flags.client}"`;
    io.stderr.write(`poshpool ${verb}: ${said}. Clients (and their scopes):\n${clientList()}\n`);
    return 2;
  }
  const scope = flags.scope ?? (flags.workspace !== undefined ? 'workspace' : 'user');
  if (scope !== 'user' && scope !== 'workspace') {
    io.stderr.write(`poshpool ${verb}: --scope is user or workspace, got "${scope}"\n`);
    return 2;
  }
  // The client starts the bridge from its own folder: hand it absolute paths.
  const bridgeArgs = [
    ...(flags['data-dir'] === undefined ? [] : ['--data-dir', path.resolve(flags['data-dir'])]),
    ...(flags.config === undefined ? [] : ['--config', path.resolve(flags.config)]),
  ];
  const outcome = runInstall(
    { client: spec.id, action: verb, scope: scope as InstallScope, workspace: path.resolve(flags.workspace ?? process.cwd()), dryRun: flags.print },
    {
      platform: currentPlatform(),
      env: process.env,
      home: homedir(),
      // Node runs this, so Node can run the bridge too, on every OS (its stdin works, unlike Electron's on Windows).
      launcher: { kind: 'bridgeVerb', command: [process.execPath, binPath()], bridgeArgs },
    },
  );
  if (!outcome.ok) {
    io.stderr.write(`poshpool ${verb}: ${spec.label}: ${outcome.reason}\n`);
    return 1;
  }
  io.stdout.write(`${outcome.message}\n`);
  if (flags.print && verb === 'install') io.stdout.write(`${outcome.entry}\n`);
  return 0;
}

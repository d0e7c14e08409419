/**
 * Entry of the host process: the core (pty sessions, backups), MCP and its transports, started by
 * the tray app as an Electron utilityProcess (or by child_process.fork in tests). It speaks the
 * protocol in ./protocol.ts over its parent port and nothing else; logs go to the app as messages.
 */

import { Host } from '../Host.js';
import { HostProcessServer } from './HostProcessServer.js';
import { connectParentPort } from './parentPort.js';

const port = connectParentPort(process);
if (!port) {
  process.stderr.write('poshpool host process: start it from the poshpool app (it needs a parent port); for a headless host run `poshpool serve`.\n');
  process.exit(2);
} else {
  // Give the app's last message (the `stopped` notice) time to leave before exiting.
  new HostProcessServer(port, { startHost: (options) => Host.start(options), exit: (code) => void setTimeout(() => process.exit(code), 50) });
}

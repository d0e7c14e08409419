import { utilityProcess } from 'electron';
import type { HostChild } from '../host/process/HostSupervisor.js';

/**
 * Starts the host process as an Electron utilityProcess. Why a separate process and not the main
 * process: the host owns native code (node-pty) and every pwsh pty; a crash there (a native fault,
 * an out-of-memory, a runaway parse of terminal output) must never take the tray down, and a busy
 * host must never freeze the tray menu or the window. Why utilityProcess and not child_process.fork:
 * the packaged app's RunAsNode fuse is off, so the app's executable cannot be forked as Node; a
 * utilityProcess is Electron's own Node child, with a message port to the main process.
 */
export function forkUtilityHostChild(entry: string, onOutput: (text: string) => void): HostChild {
  const child = utilityProcess.fork(entry, [], { serviceName: 'poshpool host', stdio: 'pipe' });
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  let exitCode: number | undefined;
  child.once('exit', (code) => (exitCode = code));
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (m) => {
      if (exitCode === undefined) child.postMessage(m);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => {
      if (exitCode !== undefined) l(exitCode);
      else child.once('exit', (code) => l(code));
    },
    kill: () => void child.kill(),
  };
}

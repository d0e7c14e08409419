import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostChild } from './HostSupervisor.js';

/** The compiled host process entry (dist/main/host/process/hostProcess.js). */
export function hostProcessEntry(): string {
  return fileURLToPath(new URL('./hostProcess.js', import.meta.url));
}

/**
 * Starts the host process with Node's child_process.fork (what the tests and a Node embedder use;
 * the Electron app uses utilityProcess, see main/app/utilityHostChild.ts). stdout and stderr are
 * passed to `onOutput`.
 */
export function forkNodeHostChild(options: { entry?: string; env?: NodeJS.ProcessEnv; onOutput?: (text: string) => void } = {}): HostChild {
  const child = fork(options.entry ?? hostProcessEntry(), [], {
    env: options.env ?? process.env,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const out = (chunk: Buffer): void => options.onOutput?.(chunk.toString('utf8'));
  child.stdout?.on('data', out);
  child.stderr?.on('data', out);
  // A send to a process that just died fails; its exit is reported through onExit.
  child.on('error', () => undefined);
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (m) => {
      if (child.connected) child.send(m, undefined, undefined, () => undefined);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => {
      if (child.exitCode !== null || child.signalCode !== null) l(child.exitCode);
      else child.once('exit', (code) => l(code));
    },
    kill: () => void child.kill('SIGKILL'),
  };
}

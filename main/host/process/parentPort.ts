import type { HostToApp } from './protocol.js';

/** The host process's end of its channel to the app. */
export interface ParentPort {
  postMessage(message: HostToApp): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The app's end went away. */
  onClose(listener: () => void): void;
}

/** Electron's `process.parentPort` in a utility process (messages arrive as `{ data }`). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}

/**
 * The channel this process was started with: Electron's utilityProcess port, or Node's IPC channel
 * (child_process.fork, as the tests start it). Undefined when started any other way.
 */
export function connectParentPort(proc: NodeJS.Process): ParentPort | undefined {
  const electronPort = (proc as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      postMessage: (m) => electronPort.postMessage(m),
      onMessage: (l) => electronPort.on('message', (e) => l(e.data)),
      onClose: (l) => electronPort.on('close', l),
    };
  }
  const send = proc.send?.bind(proc);
  if (send && proc.connected) {
    return {
      // A send after the app went away fails; the 'disconnect' handler ends this process anyway.
      postMessage: (m) => void send(m, undefined, undefined, () => undefined),
      onMessage: (l) => void proc.on('message', l),
      onClose: (l) => void proc.on('disconnect', l),
    };
  }
  return undefined;
}

/**
 * A real Host in a process of its own, for bench/startup.ts's idle footprint: a headless host is one
 * Node process (`poshpool serve`), so its memory is measured apart from the bench's. Forked with one
 * argument, the JSON of {@link IdleHostArgs}; sends {@link IdleHostMessage}s over the IPC channel and
 * answers 'pool' with the pool's counts. Ends (disposing the host) on 'stop' or when the parent goes.
 */
import { readFileSync } from 'node:fs';
import { defaultConfig } from '../main/core/config/schema.js';
import { Host } from '../main/host/Host.js';

/** What the child starts. */
export interface IdleHostArgs {
  dataDir: string;
  cwd: string;
  warmSessions: number;
  maxSessions: number;
  warmDemandWindowSeconds: number;
}

/** The pool's counts at one moment. */
export interface PoolCounts {
  warm: number;
  lent: number;
  starting: number;
}

export type IdleHostMessage =
  | { type: 'ready'; pid: number; mcpUrl: string; token: string }
  | { type: 'failed'; reason: string }
  | ({ type: 'pool' } & PoolCounts);

/** How often the child looks whether its warm sessions are up. */
const POLL_MS = 50;

function send(message: IdleHostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as IdleHostArgs;
  const config = defaultConfig({ warmSessions: args.warmSessions, maxSessions: args.maxSessions, warmDemandWindowSeconds: args.warmDemandWindowSeconds });
  const started = await Host.start({ config, dataDir: args.dataDir, port: 0, cwd: args.cwd, publish: false, log: () => undefined });
  if (!started.ok) {
    send({ type: 'failed', reason: started.reason });
    process.exit(1);
  }
  const host = started.host;
  const counts = (): PoolCounts => ({ warm: host.core.pool.warmCount, lent: host.core.pool.lentCount, starting: host.core.pool.startingCount });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await host.dispose();
    process.exit(0);
  };
  process.on('message', (m: unknown) => {
    if (m === 'pool') send({ type: 'pool', ...counts() });
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  while (counts().warm < args.warmSessions) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  send({ type: 'ready', pid: process.pid, mcpUrl: host.info.mcpUrl, token: readFileSync(host.info.tokenFile, 'utf8').trim() });
}

void main();

import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ShellConfig } from '../main/core/config/shellConfig.js';
import { remoteHostSchema } from '../main/core/hosts/hostConfig.js';
import { findSsh, remoteTarget } from '../main/core/hosts/sshCommand.js';
import type { OutputStore } from '../main/core/jobs/OutputStore.js';
import { currentPlatform } from '../main/core/platform/Platform.js';
import type { ResolvedShell } from '../main/core/shell/discovery.js';
import { PwshSession, type PwshSessionOptions } from '../main/core/shell/PwshSession.js';
import { SshdFixture } from './sshd.js';

/** A session on another host beside a local one, measured in the same run. */
export interface RemoteBench {
  /** Why the step did not run (no sshd or ssh here), else null. */
  skipped: string | null;
  /** Start to ready of a session over ssh to 127.0.0.1 and of a local one, alternating. */
  remoteStartMs: number[];
  localStartMs: number[];
  /** Round trips of `1`, remote and local alternating call by call. */
  remoteRoundTripMs: number[];
  localRoundTripMs: number[];
}

interface Context {
  shell: ResolvedShell;
  config: ShellConfig;
  store: OutputStore;
  work: string;
}

async function start(ctx: Context, extra: Partial<PwshSessionOptions>): Promise<{ session: PwshSession; ms: number }> {
  const t0 = performance.now();
  const started = await PwshSession.start({ shell: ctx.shell, config: ctx.config, outputStore: ctx.store, tempRoot: ctx.work, cwd: ctx.work, ...extra });
  if (!started.ok) throw new Error(`a session did not start: ${started.reason}`);
  return { session: started.session, ms: performance.now() - t0 };
}

async function roundTrip(session: PwshSession): Promise<number> {
  const t0 = performance.now();
  const r = await session.run('1', { timeoutMs: 10_000 });
  const ms = performance.now() - t0;
  if (r.status !== 'completed' || r.output.trim() !== '1') throw new Error(`\`1\` on ${session.host ?? 'local'} gave ${r.status}: ${JSON.stringify(r.output)}`);
  return ms;
}

/**
 * Issue 17: a session on another host over a throwaway OpenSSH server on 127.0.0.1 (the network is
 * loopback, so what is measured is ssh's and the pty's own cost), beside a local session: start to
 * ready, then round trips of `1` alternating remote and local call by call, so both see the same machine load.
 */
export async function measureRemote(ctx: Context, starts: number, warmup: number, runs: number): Promise<RemoteBench> {
  const empty: RemoteBench = { skipped: null, remoteStartMs: [], localStartMs: [], remoteRoundTripMs: [], localRoundTripMs: [] };
  const ssh = findSsh(currentPlatform(), process.env);
  if (!existsSync('/usr/sbin/sshd') || ssh === undefined) return { ...empty, skipped: 'no OpenSSH server (/usr/sbin/sshd) or client (ssh) on this machine' };
  const sshd = await SshdFixture.start();
  const target = remoteTarget(remoteHostSchema.parse(sshd.host()), ssh);
  const result = empty;
  try {
    for (let i = 0; i < starts; i++) {
      const remote = await start(ctx, { remote: target });
      result.remoteStartMs.push(remote.ms);
      await remote.session.dispose();
      const local = await start(ctx, {});
      result.localStartMs.push(local.ms);
      await local.session.dispose();
    }
    const remote = (await start(ctx, { remote: target })).session;
    const local = (await start(ctx, {})).session;
    try {
      for (let i = 0; i < warmup; i++) {
        await roundTrip(remote);
        await roundTrip(local);
      }
      for (let i = 0; i < runs; i++) {
        result.remoteRoundTripMs.push(await roundTrip(remote));
        result.localRoundTripMs.push(await roundTrip(local));
      }
    } finally {
      await Promise.all([remote.dispose(), local.dispose()]);
    }
  } finally {
    await sshd.dispose();
  }
  return result;
}

import { performance } from 'node:perf_hooks';
import type * as Pty from '@lydell/node-pty';
import type { ShellConfig } from '../main/core/config/shellConfig.js';
import type { OutputStore } from '../main/core/jobs/OutputStore.js';
import type { ResolvedShell } from '../main/core/shell/discovery.js';
import { PwshSession, type PtyModule } from '../main/core/shell/PwshSession.js';

/**
 * One warm round trip of a command, split into phases as seen at the pty (ms, from performance.now()):
 * - `write`: from the call to the command line written to the pty (poshpool's own work)
 * - `toStart`: from that write to the start marker arriving (pwsh reads the line, Enter-PoshpoolCommand)
 * - `toEnd`: from the start marker to the end marker arriving (the command, Out-Default, Exit-PoshpoolCommand)
 * - `toResolve`: from the end marker's data to the result (rendering, fence, settle, result)
 * - `handling`: the time spent in the session's handling of pty data during the run
 * and `wall` (the whole call), `durationMs` (what the result reports) and `overhead` (wall − durationMs).
 */
export interface OverheadSample {
  wall: number;
  durationMs: number;
  overhead: number;
  write: number;
  toStart: number;
  toEnd: number;
  toResolve: number;
  /** Time spent in the session's handling of pty data (rendering, markers, capture). */
  handling: number;
}

/** What the measurement needs (the bench's context). */
export interface OverheadContext {
  shell: ResolvedShell;
  config: ShellConfig;
  store: OutputStore;
  /** Directory for the session's private dir and its working directory. */
  work: string;
}

/** Stamps of one run, filled by the pty wrapper. */
interface Stamps {
  write?: number;
  start?: number;
  end?: number;
  /** When the latest chunk arrived, and the time spent handling chunks. */
  dataAt?: number;
  node?: number;
}

/**
 * The pty module, wrapped to note when the command line is written and when the start and end
 * markers arrive. Nothing else changes: the data reaches the session as it came.
 */
function stampingPty(real: PtyModule, osc: number, stamps: () => Stamps | undefined): PtyModule {
  const startTag = `;start;`;
  const endTag = `;end;`;
  const oscTag = `\x1b]${osc};`;
  return {
    spawn(file: string, args: string[] | string, options: Pty.IPtyForkOptions | Pty.IWindowsPtyForkOptions): Pty.IPty {
      const p = real.spawn(file, args, options);
      const write = p.write.bind(p);
      const onData = p.onData.bind(p);
      return new Proxy(p, {
        get(target, prop, receiver) {
          if (prop === 'write') {
            return (data: string) => {
              const s = stamps();
              if (s && s.write === undefined && data.startsWith('#poshpool-run ')) s.write = performance.now();
              write(data);
            };
          }
          if (prop === 'onData') {
            return (listener: (data: string) => void) =>
              onData((data: string) => {
                const s = stamps();
                if (s) s.dataAt = performance.now();
                if (s && data.includes(oscTag)) {
                  const now = performance.now();
                  if (s.start === undefined && data.includes(startTag)) s.start = now;
                  if (s.end === undefined && data.includes(endTag)) s.end = now;
                }
                listener(data);
                if (s) s.node = (s.node ?? 0) + performance.now() - (s.dataAt ?? performance.now());
              });
          }
          return Reflect.get(target, prop, receiver) as unknown;
        },
      });
    },
  };
}

/**
 * Warm round trips of `command` on one session, each split into phases (see OverheadSample). The
 * command must complete successfully; `warmup` runs are made first and not returned. With `pauseMs`,
 * each call waits that long after the previous result, as a caller that does something between
 * calls: pwsh has then drawn its prompt (the host's own work after a command, a cursor position
 * query included) before the next command comes; back to back (0), the next command waits for it.
 */
export async function measureEngineOverhead(ctx: OverheadContext, command: string, warmup: number, runs: number, pauseMs = 0): Promise<OverheadSample[]> {
  let current: Stamps | undefined;
  const real = (await import('@lydell/node-pty')) as PtyModule;
  const started = await PwshSession.start({
    shell: ctx.shell,
    config: ctx.config,
    outputStore: ctx.store,
    tempRoot: ctx.work,
    cwd: ctx.work,
    ptyModule: stampingPty(real, ctx.config.oscNumber, () => current),
  });
  if (!started.ok) throw new Error(`PwshSession.start failed: ${started.reason}`);
  const session = started.session;
  try {
    const samples: OverheadSample[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const stamps: Stamps = {};
      current = stamps;
      const t0 = performance.now();
      const result = await session.run(command);
      const t1 = performance.now();
      current = undefined;
      if (result.status !== 'completed' || !result.success) throw new Error(`"${command}" did not complete: ${result.status} ${result.message ?? ''}`);
      if (stamps.write === undefined || stamps.start === undefined || stamps.end === undefined) throw new Error('a phase of the run was not seen at the pty');
      if (i < warmup) continue;
      samples.push({
        wall: t1 - t0,
        durationMs: result.durationMs,
        overhead: t1 - t0 - result.durationMs,
        write: stamps.write - t0,
        toStart: stamps.start - stamps.write,
        toEnd: stamps.end - stamps.start,
        toResolve: t1 - stamps.end,
        handling: stamps.node ?? 0,
      });
    }
    return samples;
  } finally {
    await session.dispose();
  }
}

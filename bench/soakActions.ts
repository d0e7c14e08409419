/**
 * What a soak client does: one action per loop turn, picked by weight with the run's seeded RNG.
 * Each action uses the tools as an agent would and notes a surprise when an answer is not what the
 * tool documents for that case (reported, not a failure: only lost calls and growth fail the run).
 */
import { pickWeighted, randomInt } from './soakOptions.js';
import { structured, textOf, type SoakClient } from './soakClient.js';

/** Every action a client may take. */
export type ActionName =
  | 'quick'
  | 'error'
  | 'exitCode'
  | 'heavyOutput'
  | 'fresh'
  | 'backgroundChildren'
  | 'timeout'
  | 'abortCancel'
  | 'cancelCommand'
  | 'sendInput'
  | 'jobToEnd'
  | 'jobCancel'
  | 'queue'
  | 'observe'
  | 'forgetSession'
  | 'vanish';

/** How often each action is picked, relative to the others. */
export const ACTION_WEIGHTS: Readonly<Record<ActionName, number>> = {
  quick: 14,
  error: 5,
  exitCode: 5,
  heavyOutput: 3,
  fresh: 3,
  backgroundChildren: 3,
  timeout: 4,
  abortCancel: 4,
  cancelCommand: 3,
  sendInput: 3,
  jobToEnd: 3,
  jobCancel: 3,
  queue: 3,
  observe: 4,
  forgetSession: 1,
  vanish: 2,
};

/** Longest a start_session waits for a slot before the action gives up its request (s). */
const ACQUIRE_WAIT_SECONDS = 15;
/** Polls of get_job, queue_position or list_sessions: interval (ms) and how long at most (ms). */
const POLL_MS = 300;
const POLL_LIMIT_MS = 20_000;
/** A bash that reads no rc file and writes no history (TOOLCHAIN gotcha 9). */
const BASH = "bash --norc --noprofile -c";

/** What an action gets. */
export interface ActionContext {
  client: SoakClient;
  random: () => number;
  /** Notes an answer that is not what the tool documents for this case. */
  surprise: (what: string, detail: string) => void;
}

/** What the loop must do after the action. */
export type ActionEnd = 'continue' | 'vanished';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type RunResult = { status?: string; output?: string; success?: boolean; exitCode?: number | null; errorCount?: number; sessionId?: string };

/** Picks and runs one action. */
export async function runAction(name: ActionName, ctx: ActionContext): Promise<ActionEnd> {
  const { client: c, random, surprise } = ctx;
  const run = async (args: Record<string, unknown>, signal?: AbortSignal): Promise<{ r: RunResult | undefined; text: string }> => {
    const res = await c.call('run_command', args, signal);
    return { r: structured<RunResult>(res), text: res ? textOf(res) : '' };
  };
  const expectStatus = (what: string, got: { r: RunResult | undefined; text: string }, status: string): void => {
    if (got.r?.status !== status) surprise(`${what}: status ${status} expected`, got.r ? `status ${got.r.status}` : got.text.slice(0, 160));
  };
  switch (name) {
    case 'quick': {
      const got = await run({ command: "'soak-' + (6*7)" });
      if (got.r && got.r.output !== 'soak-42') surprise('quick: output soak-42 expected', JSON.stringify(got.r.output).slice(0, 160));
      return 'continue';
    }
    case 'error': {
      const got = await run({ command: 'Get-Item /nonexistent/soak-missing' });
      if (got.r && (got.r.success !== false || !got.r.errorCount)) surprise('error: success false with an error record expected', JSON.stringify(got.r).slice(0, 160));
      return 'continue';
    }
    case 'exitCode': {
      const native = random() < 0.5;
      const got = await run({ command: native ? `${BASH} 'exit 3'` : 'exit 4' });
      const want = native ? 3 : 4;
      if (got.r && got.r.exitCode !== want) surprise(`exitCode: ${want} expected`, `exitCode ${got.r.exitCode}`);
      return 'continue';
    }
    case 'heavyOutput':
      await run({ command: `1..${randomInt(random, 2000, 6000)} | ForEach-Object { "soak line $_ " + ('x' * 80) }` });
      return 'continue';
    case 'fresh':
      await run({ command: '$PID', fresh: true });
      return 'continue';
    case 'backgroundChildren': {
      // Children left running when the command ends: they must end with the session at the latest.
      const variants = [
        `${BASH} 'sleep 301 & nohup sleep 302 >/dev/null 2>&1 & echo started'`,
        "Start-Process -FilePath sleep -ArgumentList 303; 'started'",
        `${BASH} 'setsid sleep 304 >/dev/null 2>&1 < /dev/null & echo started'`,
      ];
      await run({ command: variants[randomInt(random, 0, variants.length - 1)]! });
      return 'continue';
    }
    case 'timeout': {
      const withChildren = random() < 0.5;
      const got = await run({
        command: withChildren ? `${BASH} 'sleep 305 & nohup sleep 305 >/dev/null 2>&1 & sleep 307'` : 'Start-Sleep 30',
        timeoutSeconds: withChildren ? 1.5 : 1,
      });
      expectStatus('timeout', got, 'timedOut');
      return 'continue';
    }
    case 'abortCancel':
      await withSession(ctx, async (sessionId) => {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), randomInt(random, 200, 1200));
        await run({ sessionId, command: 'Start-Sleep 30' }, abort.signal);
        clearTimeout(timer);
        // An agent retries at once after a cancel: the call must wait for the cancel to finish, not be refused.
        const again = await run({ sessionId, command: "'after-cancel'" });
        if (again.r?.output !== 'after-cancel') surprise('run right after a protocol cancel: completed expected', again.r ? `status ${again.r.status}` : again.text.slice(0, 160));
      });
      return 'continue';
    case 'cancelCommand':
      await withSession(ctx, async (sessionId) => {
        const running = run({ sessionId, command: 'Start-Sleep 30' });
        await sleep(randomInt(random, 200, 1000));
        for (let i = 0; i < 10; i++) {
          const res = structured<{ wasRunning?: boolean }>(await c.call('cancel_command', { sessionId }));
          if (!res || res.wasRunning) break;
          await sleep(POLL_MS);
        }
        expectStatus('cancel_command', await running, 'cancelled');
      });
      return 'continue';
    case 'sendInput':
      await withSession(ctx, async (sessionId) => {
        const running = run({ sessionId, command: "$n = Read-Host 'soak name'; \"hello $n\"", timeoutSeconds: 20 });
        const waiting = await pollUntil(async () => {
          const list = structured<{ sessions?: { sessionId: string; state: string }[] }>(await c.call('list_sessions', {}));
          return list?.sessions?.some((s) => s.sessionId === sessionId && s.state === 'waitingForInput') === true;
        });
        if (!waiting) surprise('send_input: list_sessions state waitingForInput expected', 'not seen within the poll limit');
        await c.call('send_input', { sessionId, text: 'soak' });
        const got = await running;
        if (!got.r?.output?.includes('hello soak')) surprise('send_input: output "hello soak" expected', got.r ? JSON.stringify(got.r.output).slice(0, 160) : got.text.slice(0, 160));
      });
      return 'continue';
    case 'jobToEnd':
      await withSession(ctx, async (sessionId) => {
        const job = structured<{ jobId: string }>(await c.call('run_background', { sessionId, command: "1..3 | ForEach-Object { \"job $_\"; Start-Sleep -Milliseconds 300 }" }));
        if (!job) return;
        let status = 'running';
        await pollUntil(async () => {
          status = structured<{ status: string }>(await c.call('get_job', { jobId: job.jobId }))?.status ?? 'unknown';
          return status !== 'running';
        });
        if (status !== 'succeeded') surprise('get_job: succeeded expected', `status ${status}`);
      });
      return 'continue';
    case 'jobCancel':
      await withSession(ctx, async (sessionId) => {
        const job = structured<{ jobId: string }>(await c.call('run_background', { sessionId, command: `${BASH} 'sleep 306 & sleep 60'` }));
        if (!job) return;
        await sleep(randomInt(random, 200, 1000));
        await c.call('cancel_job', { jobId: job.jobId });
        let status = 'running';
        await pollUntil(async () => {
          status = structured<{ status: string }>(await c.call('get_job', { jobId: job.jobId }))?.status ?? 'unknown';
          return status !== 'running';
        });
        if (status !== 'cancelled') surprise('cancel_job: get_job status cancelled expected', `status ${status}`);
      });
      return 'continue';
    case 'queue': {
      const start = structured<{ status: string; sessionId?: string; requestId: string }>(await c.call('start_session', { priority: 'async', waitSeconds: 0 }));
      if (!start) return 'continue';
      let sessionId = start.sessionId;
      if (start.status === 'queued') {
        await c.call('queue_position', { requestId: start.requestId });
        await c.call('change_priority', { requestId: start.requestId, priority: 'sync' });
        if (random() < 0.5) {
          await pollUntil(async () => {
            const pos = structured<{ status: string; sessionId?: string }>(await c.call('queue_position', { requestId: start.requestId }));
            sessionId = pos?.sessionId;
            return pos === undefined || pos.status === 'allocated';
          }, 10_000);
        }
        if (!sessionId) await c.call('cancel_request', { requestId: start.requestId });
      }
      if (sessionId) await c.call('end_session', { sessionId });
      return 'continue';
    }
    case 'observe':
      await c.call('list_sessions', {});
      await c.call('get_metrics', {});
      return 'continue';
    case 'forgetSession': {
      // Never ended by the client: idleLimitSeconds + reclaimAfterSeconds must free it.
      const sessionId = await acquire(ctx);
      if (sessionId) await run({ sessionId, command: "'forgotten'" });
      return 'continue';
    }
    case 'vanish': {
      // Gone with a command running in its default session: the host must stop it and free the slot.
      const running = run({ command: 'Start-Sleep 20' });
      await sleep(randomInt(random, 300, 1000));
      await c.vanish();
      await running;
      return 'vanished';
    }
  }
}

/** Picks the next action by weight. */
export function pickAction(random: () => number): ActionName {
  return pickWeighted(ACTION_WEIGHTS, random);
}

/** A session from start_session (sync, bounded wait), or undefined after giving its request up. */
async function acquire(ctx: ActionContext): Promise<string | undefined> {
  const start = structured<{ status: string; sessionId?: string; requestId: string }>(await ctx.client.call('start_session', { waitSeconds: ACQUIRE_WAIT_SECONDS }));
  if (!start) return undefined;
  if (start.status === 'allocated' && start.sessionId) return start.sessionId;
  await ctx.client.call('cancel_request', { requestId: start.requestId });
  return undefined;
}

/** Runs fn on a session of its own and ends the session after. */
async function withSession(ctx: ActionContext, fn: (sessionId: string) => Promise<void>): Promise<void> {
  const sessionId = await acquire(ctx);
  if (!sessionId) return;
  try {
    await fn(sessionId);
  } finally {
    await ctx.client.call('end_session', { sessionId });
  }
}

/** Polls until check says yes or the limit passes; whether it said yes. */
async function pollUntil(check: () => Promise<boolean>, limitMs = POLL_LIMIT_MS): Promise<boolean> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await sleep(POLL_MS);
  }
}

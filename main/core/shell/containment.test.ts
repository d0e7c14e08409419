import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onLinux } from '../../../test/platformGates.js';
import { findProcesses, processExists, SessionFixture, waitFor } from '../../../test/pwsh.js';
import { environHasTag, SESSION_TAG_VARIABLE } from './processTree.js';

// Nothing a stopped command started outlives it: Ctrl+C ends the foreground process, not what it
// put in the background (`cmd &`), nohup'd or moved to a session of its own (setsid) after its parent
// died. Real pwsh, real bash, real processes; each sleep has a length no other test uses, so it can
// be found by its command line.

let fx: SessionFixture;
beforeEach(() => {
  fx = new SessionFixture();
});
afterEach(async () => {
  await fx.dispose();
});

function alive(seconds: number): number[] {
  return findProcesses(['sleep', String(seconds)]);
}

describe.runIf(onLinux)('process containment (Linux-only: bash, setsid and /proc)', () => {
  it('a timed-out command ends its background, nohup and setsid children before its result, and says so', async () => {
    const s = await fx.start();
    const r = await s.run("bash -c 'sleep 50101 & nohup sleep 50102 >/dev/null 2>&1 & setsid sleep 50104 & sleep 50103'", { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 'timedOut', sessionAlive: true });
    // Before the fix 50101, 50102 and 50104 lived on until end_session (50104 even after it).
    for (const n of [50101, 50102, 50103, 50104]) expect(alive(n), `sleep ${n}`).toEqual([]);
    expect(r.message).toMatch(/poshpool ended \d+ process(es)? the command had started/);
    // The session goes on.
    expect((await s.run("'next'")).output).toBe('next');
  }, 60_000);

  it('a cancelled command ends a daemon that forked twice and left the session (setsid -f)', async () => {
    const s = await fx.start();
    const running = s.run("setsid -f sleep 50105; bash -c 'sleep 50106'");
    expect(await waitFor(() => alive(50106).length === 1 && alive(50105).length === 1, 15_000)).toBe(true);
    // The daemon's parent has exited: it is init's now, in a session of its own.
    expect(s.cancel()).toBe(true);
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(alive(50105)).toEqual([]);
    expect(alive(50106)).toEqual([]);
  }, 60_000);

  it("a stopped command spares what earlier commands left running on purpose; ending the session ends that too, setsid'd or not", async () => {
    const s = await fx.start();
    const first = await s.run("bash -c 'sleep 50107 >/dev/null 2>&1 &'; setsid -f sleep 50108");
    expect(first.status).toBe('completed');
    expect(await waitFor(() => alive(50107).length === 1 && alive(50108).length === 1, 10_000)).toBe(true);
    const timedOut = await s.run("bash -c 'sleep 50109 & sleep 50110'", { timeoutMs: 1500 });
    expect(timedOut.status).toBe('timedOut');
    expect(alive(50109)).toEqual([]);
    // Started by the earlier command: still running.
    expect(alive(50107)).toHaveLength(1);
    expect(alive(50108)).toHaveLength(1);
    const pids = [...alive(50107), ...alive(50108)];
    await s.dispose();
    expect(await waitFor(() => pids.every((pid) => !processExists(pid)), 10_000)).toBe(true);
  }, 60_000);

  it('the next command waits until the stopped one is cleaned up (the session reports it as stopping meanwhile)', async () => {
    const s = await fx.start();
    const running = s.run("bash -c 'sleep 50111 & sleep 50112'");
    expect(await waitFor(() => alive(50112).length === 1, 15_000)).toBe(true);
    s.cancel();
    expect(s.stopping).toBe(true);
    await running;
    expect(s.stopping).toBe(false);
    expect(s.state).toBe('idle');
    expect(alive(50111)).toEqual([]);
  }, 60_000);
});

describe('the session tag', () => {
  it('is found only as a whole NAME=value entry of an environment block', () => {
    const tag = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    const block = (...entries: string[]): Buffer => Buffer.from(`${entries.join('\0')}\0`);
    expect(environHasTag(block('PATH=/bin', `${SESSION_TAG_VARIABLE}=${tag}`), tag)).toBe(true);
    expect(environHasTag(block(`${SESSION_TAG_VARIABLE}=${tag}`, 'HOME=/root'), tag)).toBe(true);
    expect(environHasTag(block(`X_${SESSION_TAG_VARIABLE}=${tag}`), tag)).toBe(false);
    expect(environHasTag(block(`${SESSION_TAG_VARIABLE}=${tag}-other`), tag)).toBe(false);
    expect(environHasTag(block(`${SESSION_TAG_VARIABLE}=other`), tag)).toBe(false);
  });

  it('is in the environment of pwsh and of what it starts', async () => {
    const s = await fx.start();
    const r = await s.run(`$env:${SESSION_TAG_VARIABLE}; bash -c 'echo "child:$${SESSION_TAG_VARIABLE}"'`);
    const [own, child] = r.output.split('\n');
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    expect(child).toBe(`child:${own}`);
  }, 30_000);
});

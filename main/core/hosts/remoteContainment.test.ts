import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentPlatform } from '../platform/Platform.js';
import { findProcesses, processExists, SessionFixture, waitFor } from '../../../test/pwsh.js';
import { onLinux } from '../../../test/platformGates.js';
import { SshdFixture } from '../../../test/sshd.js';
import { SESSION_TAG_VARIABLE } from '../shell/processTree.js';
import { remoteHostSchema } from './hostConfig.js';
import { findSsh, remoteTarget } from './sshCommand.js';

// What a stopped command started on another host does not outlive it there (leftovers.ps1, run by
// pwsh on that host): over a real OpenSSH server on 127.0.0.1 (test/sshd.ts). The "host" is this
// machine, so its processes are checked in /proc here; each sleep has a length no other test uses.

let sshd: SshdFixture;
const sessions = new SessionFixture();
/** Sleeps a test started, ended after it whatever happened (the end of a connection spares nohup's and setsid's). */
const started = new Set<number>();

function target() {
  const ssh = findSsh(currentPlatform(), process.env);
  if (!ssh) throw new Error('These tests need the OpenSSH client (ssh) on PATH.');
  return remoteTarget(remoteHostSchema.parse(sshd.host()), ssh);
}

function sleeping(seconds: number): number[] {
  const pids = findProcesses(['sleep', String(seconds)]);
  for (const pid of pids) started.add(pid);
  return pids;
}

beforeAll(async () => {
  if (!onLinux) return;
  sshd = await SshdFixture.start();
}, 30_000);

afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  started.clear();
});

afterAll(async () => {
  await sessions.dispose();
  await sshd?.dispose();
});

describe.runIf(onLinux)('containment on another host over ssh (Linux-only: bash, setsid and /proc, read here for the host)', () => {
  it("gives pwsh there the session's tag, the one this side uses (ssh's), so every process a command starts carries it", async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const r = await s.run(`$env:${SESSION_TAG_VARIABLE}; bash -c 'echo "child:$${SESSION_TAG_VARIABLE}"'`);
    const [own, child] = r.output.split('\n');
    const local = /(?:^|\0)POSHPOOL_SESSION=([^\0]*)/.exec(readFileSync(`/proc/${s.pid}/environ`, 'latin1'))?.[1];
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    expect(own).toBe(local);
    expect(child).toBe(`child:${own}`);
  }, 60_000);

  it("a cancelled command ends what it put in the background, nohup'd or setsid'd there (a child of pwsh or not), names the pids, and the session goes on", async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const earlier = await s.run("bash -c 'sleep 63001 >/dev/null 2>&1 &'");
    expect(earlier.status).toBe('completed');
    expect(await waitFor(() => sleeping(63001).length === 1, 10_000)).toBe(true);
    const running = s.run("bash -c 'sleep 63002 >/dev/null 2>&1 &'; sh -c 'nohup sleep 63003 >/dev/null 2>&1 &'; setsid -f sleep 63004; Start-Process setsid -ArgumentList 'sleep', '63005'; sleep 63006");
    // Ctrl+C reaches the terminal's foreground process group (pwsh's children: sleep 63006, a plain Start-Process); these left it.
    const leftovers = [63002, 63003, 63004, 63005];
    expect(await waitFor(() => [...leftovers, 63006].every((n) => sleeping(n).length === 1), 15_000)).toBe(true);
    const pids = leftovers.flatMap((n) => sleeping(n));
    expect(s.cancel()).toBe(true);
    const r = await running;
    expect(r).toMatchObject({ status: 'cancelled', sessionAlive: true });
    const said = /poshpool ended (\d+) process(?:es)? the command had started on box \(pid ([\d, ]+)\)\./.exec(r.message ?? '');
    expect(said, r.message).not.toBeNull();
    const named = said![2]!.split(', ').map(Number);
    expect(Number(said![1])).toBe(named.length);
    // Gone when the result is given, and named in it.
    for (const pid of pids) {
      expect(named).toContain(pid);
      expect(processExists(pid), `pid ${pid}`).toBe(false);
    }
    for (const n of [...leftovers, 63006]) expect(findProcesses(['sleep', String(n)]), `sleep ${n}`).toEqual([]);
    // Started by the earlier command: spared.
    expect(findProcesses(['sleep', '63001'])).toHaveLength(1);
    expect(s.state).toBe('idle');
    expect((await s.run("'next'")).output).toBe('next');
    // poshpool's own command is not the client's: not in the history, nothing added to $Error.
    const own = await s.run('(Get-History).Count; $Error.Count');
    expect(own.output.split('\n')).toEqual(['3', '0']);
  }, 60_000);

  it('a timed-out command ends what it started there too; a reset ends what earlier commands left', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    await s.run("bash -c 'sleep 63011 >/dev/null 2>&1 &'; setsid -f sleep 63012");
    expect(await waitFor(() => sleeping(63011).length === 1 && sleeping(63012).length === 1, 10_000)).toBe(true);
    const kept = [...sleeping(63011), ...sleeping(63012)];
    const r = await s.run("bash -c 'sleep 63013 >/dev/null 2>&1 & sleep 63014'", { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 'timedOut', sessionAlive: true });
    expect(r.message).toMatch(/poshpool ended \d+ process(es)? the command had started on box \(pid /);
    expect(findProcesses(['sleep', '63013'])).toEqual([]);
    expect(kept.every((pid) => processExists(pid))).toBe(true);
    expect(await s.reset()).toEqual({ ok: true });
    expect(kept.filter((pid) => processExists(pid))).toEqual([]);
    expect(s.state).toBe('idle');
    expect((await s.run("'after reset'")).output).toBe('after reset');
  }, 60_000);

  it('a stopped command that started nothing in the background says nothing of processes', async () => {
    const s = await sessions.start({}, undefined, { remote: target() });
    const r = await s.run('Start-Sleep -Seconds 60', { timeoutMs: 1500 });
    expect(r).toMatchObject({ status: 'timedOut', sessionAlive: true });
    expect(r.message ?? '').not.toMatch(/poshpool (ended|could not end)/);
  }, 60_000);
});

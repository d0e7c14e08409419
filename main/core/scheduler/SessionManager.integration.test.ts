import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { CoreFixture, sessionOf } from '../../../test/coreFixture.js';
import { sleep, waitFor } from '../../../test/pwsh.js';
import { defaultConfig, type PoshpoolConfig } from '../config/schema.js';
import type { Core } from '../createCore.js';
import type { Allocation, Ticket } from './SessionManager.js';

// The scheduler against real pwsh: a real pool of sessions, real commands, real process deaths.

let fx: CoreFixture;
let dir: string;
let events: PoshpoolEvent[];

function start(overrides: Partial<PoshpoolConfig> = {}): Core {
  return fx.start(overrides);
}

beforeEach(() => {
  fx = new CoreFixture('poshpool-sched-');
  dir = fx.dir;
  events = fx.events;
});
afterEach(() => fx.dispose());

describe('SessionManager with real pwsh', () => {
  it('serves or refuses 20 concurrent requests on 5 slots: none lost, none served twice', async () => {
    const c = start({ warmSessions: 3, maxSessions: 5, maxWaiting: 12 });
    expect(await waitFor(() => c.pool.warmCount >= 3, 60_000)).toBe(true);
    const clients = Array.from({ length: 20 }, (_, i) => `client-${i}`);
    const served: string[] = [];
    const refused: string[] = [];
    const work = clients.map(async (client, i) => {
      const ticket = await c.manager.requestSession(client, { priority: i % 3 === 0 ? 'async' : 'sync' });
      if (ticket.status === 'rejected') {
        refused.push(client);
        expect(ticket.reason).toContain('full');
        return;
      }
      const sessionId = await sessionOf(ticket);
      served.push(sessionId);
      const ran = await c.manager.run(client, sessionId, `$mark = '${client}'; Start-Sleep -Milliseconds 150; $mark`);
      if (!ran.ok) throw new Error(ran.reason);
      expect(ran.result.output).toBe(client);
      const ended = await c.manager.endSession(client, sessionId);
      expect(ended.ok).toBe(true);
    });
    await Promise.all(work);
    // 5 lent at once + 12 waiting: the other 3 were refused at once, with a clear reason.
    expect(served.length + refused.length).toBe(20);
    expect(refused.length).toBe(3);
    expect(new Set(served).size).toBe(served.length);
    const m = c.manager.metrics();
    // Returned sessions are reset and lent again, often before a new one has started: at most 5 at once.
    expect(m.peakSessions).toBeGreaterThanOrEqual(3);
    expect(m.peakSessions).toBeLessThanOrEqual(5);
    expect(m.peakQueueDepth).toBe(12);
    expect(m.commandsRun).toBe(17);
    expect(m.requestsRejected).toBe(3);
    expect(m.activeSessions).toBe(0);
    const allocated = events.filter((e) => e.type === 'request.allocated').map((e) => (e.type === 'request.allocated' ? e.requestId : ''));
    expect(new Set(allocated).size).toBe(17);
  });

  it('a variable set in one session is not visible in the session lent next', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1 });
    const first = await sessionOf(await c.manager.requestSession('a'));
    await c.manager.run('a', first, '$secret = 42; $env:POSHPOOL_TEST_SECRET = "x"');
    await c.manager.endSession('a', first);
    const second = await sessionOf(await c.manager.requestSession('b'));
    expect(second).not.toBe(first);
    const r = await c.manager.run('b', second, '"[$secret][$env:POSHPOOL_TEST_SECRET]"');
    expect(r.ok && r.result.output).toBe('[][]');
  });

  it('ending a session hands the next queued request a fresh session', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1 });
    const first = await sessionOf(await c.manager.requestSession('a'));
    const waiting = await c.manager.requestSession('b');
    expect(waiting).toMatchObject({ status: 'queued', position: 1 });
    const pos = c.manager.queuePosition('b', waiting.requestId);
    expect(pos).toMatchObject({ ok: true, status: 'queued', position: 1 });
    // Another client cannot see or touch it.
    expect(c.manager.queuePosition('a', waiting.requestId).ok).toBe(false);
    await c.manager.endSession('a', first);
    const allocation = await (waiting as Extract<Ticket, { status: 'queued' }>).allocation;
    expect(allocation.ok).toBe(true);
    if (!allocation.ok) return;
    expect(allocation.sessionId).not.toBe(first);
    const r = await c.manager.run('b', allocation.sessionId, "'fresh'");
    expect(r.ok && r.result.output).toBe('fresh');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['request.queued', 'session.ended', 'request.allocated']));
  });

  it('a command cut short by ending its session is told who ended it (and not that it typed `exit`)', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1 });
    const sessionId = await sessionOf(await c.manager.requestSession('a'));
    const running = c.manager.run('a', sessionId, 'Start-Sleep 60');
    expect(await waitFor(() => c.manager.listSessions('a')[0]?.currentCommand === 'Start-Sleep 60', 5000)).toBe(true);
    await c.manager.endSession('a', sessionId, 'terminated from the dashboard');
    const outcome = await running;
    expect(outcome.ok && outcome.result).toMatchObject({ status: 'sessionEnded', sessionAlive: false });
    const message = outcome.ok ? (outcome.result.message ?? '') : '';
    expect(message).toContain('poshpool ended pwsh (terminated from the dashboard) while the command ran');
    expect(message).not.toContain('exit');
  });

  it('pwsh killed while lent: the caller gets an error, the slot is freed, the pool is warm again', async () => {
    const c = start({ warmSessions: 2, maxSessions: 2 });
    const sessionId = await sessionOf(await c.manager.requestSession('a'));
    const running = c.manager.run('a', sessionId, 'Start-Sleep 60');
    const info = c.manager.listSessions('a')[0]!;
    expect(await waitFor(() => c.manager.listSessions('a')[0]?.currentCommand === 'Start-Sleep 60', 5000)).toBe(true);
    process.kill(info.pid!, 'SIGKILL');
    const outcome = await running;
    expect(outcome.ok && outcome.result).toMatchObject({ status: 'sessionEnded', sessionAlive: false });
    expect(c.manager.listSessions()).toEqual([]);
    expect(c.pool.freeSlots).toBe(2);
    expect(await waitFor(() => c.pool.warmCount === 2, 10000)).toBe(true);
    const next = await c.manager.run('a', sessionId, '1');
    expect(next.ok).toBe(false);
    expect(events.some((e) => e.type === 'session.ended' && e.reason === 'died')).toBe(true);
  });

  it('cancels a queued request, and an allocated one after its command or at once', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1 });
    const holder = await c.manager.requestSession('a');
    const holderSession = await sessionOf(holder);
    const queued = (await c.manager.requestSession('b')) as Extract<Ticket, { status: 'queued' }>;
    expect(await c.manager.cancelRequest('b', queued.requestId)).toEqual({ ok: true, was: 'queued' });
    expect(await queued.allocation).toMatchObject({ ok: false, code: 'cancelled' });
    // After its current command: the command finishes, then the session ends.
    const running = c.manager.run('a', holderSession, "Start-Sleep -Milliseconds 400; 'done'");
    await sleep(100);
    expect(await c.manager.cancelRequest('a', holder.requestId, 'afterCommand')).toEqual({ ok: true, was: 'allocated' });
    const finished = await running;
    expect(finished.ok && finished.result.output).toBe('done');
    expect(c.manager.listSessions('a')).toEqual([]);
    // At once: the running command is stopped and the session ends.
    const second = await c.manager.requestSession('a');
    const secondSession = await sessionOf(second);
    const long = c.manager.run('a', secondSession, 'Start-Sleep 60');
    await sleep(200);
    expect(await c.manager.cancelRequest('a', second.requestId, 'now')).toEqual({ ok: true, was: 'allocated' });
    const stopped = await long;
    expect(stopped.ok && stopped.result.sessionAlive).toBe(false);
    expect(c.manager.listSessions()).toEqual([]);
  });

  it('gives up on a queued request at its acquire timeout', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1 });
    await sessionOf(await c.manager.requestSession('a'));
    const queued = (await c.manager.requestSession('b', { acquireTimeoutMs: 300 })) as Extract<Ticket, { status: 'queued' }>;
    const a: Allocation = await queued.allocation;
    expect(a).toMatchObject({ ok: false, code: 'timedOut' });
    expect(c.manager.metrics().queueDepth).toBe(0);
  });

  it('refuses requests with the cause when PowerShell cannot start, and says so once', async () => {
    // An executable that is not PowerShell, on every OS: Node, which refuses pwsh's options
    // ("bad option: -NoLogo") and exits at once with code 9 (Invalid Argument), every time.
    const notPwsh = process.execPath;
    const c = start({ warmSessions: 1, maxSessions: 2, degradedFailureCount: 3, spawnBackoffInitialMs: 20, spawnBackoffMaxMs: 50, shell: { ...defaultConfig().shell, path: notPwsh } });
    const first = await c.manager.requestSession('a');
    expect(first.status).toBe('rejected');
    expect(first.status === 'rejected' && first.reason).toContain('cannot be started: ');
    expect(first.status === 'rejected' && first.reason).toContain(notPwsh);
    expect(first.status === 'rejected' && first.reason).toMatch(/exited with code 9/);
    expect(c.manager.metrics()).toMatchObject({ poolState: 'degraded', activeSessions: 0 });
    expect(c.manager.metrics().poolDegradedReason).toContain(notPwsh);
    expect(events.filter((e) => e.type === 'pool.degraded')).toHaveLength(1);
    expect(events.some((e) => e.type === 'request.rejected' && e.clientId === 'a')).toBe(true);
  });

  it('tracks each session: owner, current command, cwd, count, activity', async () => {
    const c = start({ warmSessions: 1, maxSessions: 2 });
    const sessionId = await sessionOf(await c.manager.requestSession('a'));
    await c.manager.run('a', sessionId, `Set-Location '${dir}'`);
    const running = c.manager.run('a', sessionId, 'Start-Sleep -Milliseconds 300');
    await sleep(100);
    const busy = c.manager.listSessions('a')[0]!;
    expect(busy).toMatchObject({ sessionId, clientId: 'a', state: 'running', currentCommand: 'Start-Sleep -Milliseconds 300', commandCount: 2 });
    expect(busy.commandStartedAt).not.toBeNull();
    expect(c.manager.listSessions('b')).toEqual([]);
    expect((await c.manager.run('b', sessionId, '1')).ok).toBe(false);
    await running;
    const idle = c.manager.listSessions('a')[0]!;
    expect(idle).toMatchObject({ state: 'idle', currentCommand: null, cwd: dir, commandCount: 2 });
    // Every command is in the audit log.
    const audit = readFileSync(path.join(dir, 'data', 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.map((l) => [l.client, l.session, l.command, l.exitCode, l.status])).toEqual([
      ['a', sessionId, `Set-Location '${dir}'`, 0, 'completed'],
      ['a', sessionId, 'Start-Sleep -Milliseconds 300', 0, 'completed'],
    ]);
  });

  it('reports an idle session abandoned once, then reclaims it and serves the queue', async () => {
    const c = start({ warmSessions: 1, maxSessions: 1, idleLimitSeconds: 1, reclaimAfterSeconds: 1 });
    const sessionId = await sessionOf(await c.manager.requestSession('a'));
    const queued = (await c.manager.requestSession('b')) as Extract<Ticket, { status: 'queued' }>;
    const next = await queued.allocation;
    expect(next.ok).toBe(true);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'session.abandoned')).toHaveLength(1);
    expect(types).toContain('session.reclaimed');
    expect(c.manager.listSessions('a')).toEqual([]);
    expect((await c.manager.run('a', sessionId, '1')).ok).toBe(false);
  });
});

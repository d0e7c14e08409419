import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { CoreFixture, sessionOf } from '../../../test/coreFixture.js';
import { waitFor } from '../../../test/pwsh.js';
import type { PoshpoolConfig } from '../config/schema.js';
import type { Core } from '../createCore.js';

// Every path by which one pwsh process serves more than one call, against real pwsh: a session
// returned by one client and lent to the next after its reset, a client's default session, and a
// default session that gives way to another client's request. No state crosses clients.

let fx: CoreFixture;
let dir: string;
let events: PoshpoolEvent[];

function start(overrides: Partial<PoshpoolConfig> = {}): Core {
  return fx.start(overrides);
}

beforeEach(() => {
  fx = new CoreFixture('poshpool-reuse-');
  dir = fx.dir;
  events = fx.events;
});
afterEach(() => fx.dispose());

async function run(c: Core, client: string, sessionId: string, command: string): Promise<string> {
  const ran = await c.manager.run(client, sessionId, command);
  if (!ran.ok) throw new Error(ran.reason);
  expect(ran.result.status, ran.result.message).toBe('completed');
  return ran.result.output.trim();
}

function pidOf(c: Core, sessionId: string): number | null {
  return c.manager.listSessions().find((s) => s.sessionId === sessionId)?.pid ?? null;
}

/** Leaves state of every kind the issue names: variables, functions, env, cwd, jobs, modules, history. */
async function leaveState(c: Core, client: string, sessionId: string): Promise<void> {
  const sub = path.join(dir, `cwd-of-${client}`);
  const mod = path.join(dir, `Mod${client}.psm1`);
  mkdirSync(sub, { recursive: true });
  await run(
    c,
    client,
    sessionId,
    [
      `$secretOf${client} = 'left by ${client}'`,
      `function global:Get-SecretOf${client} { 'left by ${client}' }`,
      `$env:POSHPOOL_LEFT_BY = '${client}'`,
      `Set-Content -LiteralPath '${mod}' -Value 'function Get-ModOf${client} { 1 }'`,
      `Import-Module '${mod}'`,
      `$null = Start-Job { Start-Sleep 300 }`,
      `Set-Location '${sub}'`,
      `'history of ${client}' | Out-Null`,
    ].join('\n'),
  );
}

/** What of `other`'s state the session shows, as name=value lines. */
async function seenOf(c: Core, client: string, sessionId: string, other: string): Promise<string[]> {
  const out = await run(
    c,
    client,
    sessionId,
    [
      `"variable=" + [bool](Get-Variable secretOf${other} -ErrorAction Ignore)`,
      `"function=" + [bool](Get-Command Get-SecretOf${other} -ErrorAction Ignore)`,
      `"env=" + [bool]$env:POSHPOOL_LEFT_BY`,
      `"module=" + [bool](Get-Module Mod${other})`,
      `"jobs=" + @(Get-Job).Count`,
      `"cwd=" + ((Get-Location).Path -eq '${dir}')`,
      `"history=" + @(Get-History).Count`,
    ].join('\n'),
  );
  return out.split(/\r?\n/);
}

const NOTHING = ['variable=False', 'function=False', 'env=False', 'module=False', 'jobs=0', 'cwd=True', 'history=0'];

describe('sessions serving more than one call, with real pwsh', () => {
  it('a session one client returns is reset and lent to the next client, with none of its state', async () => {
    // No warm spare: the next request can only be served by the returned session (or a new start).
    const c = start({ warmSessions: 0, maxSessions: 1 });
    const first = await sessionOf(await c.manager.requestSession('A'));
    const pid = pidOf(c, first);
    await leaveState(c, 'A', first);
    await c.manager.endSession('A', first);
    const second = await sessionOf(await c.manager.requestSession('B'));
    // The same pwsh process, under a new session id: the reuse path, not a fresh start.
    expect(pidOf(c, second)).toBe(pid);
    expect(second).not.toBe(first);
    expect(await seenOf(c, 'B', second, 'A')).toEqual(NOTHING);
    expect(c.pool.reuseCounts.reused).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("each client's default session keeps its own state between calls and no other client sees it", async () => {
    const c = start({ warmSessions: 2, maxSessions: 3 });
    const a1 = await c.manager.callTicket('A');
    expect(a1.kind).toBe('default');
    expect(a1.reused).toBe(false);
    const aSession = await sessionOf(a1.ticket);
    await leaveState(c, 'A', aSession);
    const b1 = await c.manager.callTicket('B');
    const bSession = await sessionOf(b1.ticket);
    expect(bSession).not.toBe(aSession);
    expect(await seenOf(c, 'B', bSession, 'A')).toEqual(NOTHING);
    // A's next call lands in the same session, with its state.
    const a2 = await c.manager.callTicket('A');
    expect(a2).toMatchObject({ kind: 'default', reused: true, ticket: { status: 'allocated', sessionId: aSession } });
    expect(await run(c, 'A', aSession, '$secretOfA; Get-SecretOfA; $env:POSHPOOL_LEFT_BY; Split-Path -Leaf (Get-Location)')).toBe(['left by A', 'left by A', 'A', 'cwd-of-A'].join('\n'));
    expect(c.manager.listSessions('A').map((s) => s.kind)).toEqual(['default']);
  }, 120_000);

  it('fresh asks for a clean one-call session; a busy default session makes the call borrow one', async () => {
    const c = start({ warmSessions: 2, maxSessions: 3 });
    const d = await sessionOf((await c.manager.callTicket('A')).ticket);
    await run(c, 'A', d, '$mine = 1');
    const fresh = await c.manager.callTicket('A', { fresh: true });
    expect(fresh.kind).toBe('call');
    const f = await sessionOf(fresh.ticket);
    expect(await run(c, 'A', f, '[bool](Get-Variable mine -ErrorAction Ignore)')).toBe('False');
    await c.manager.endSession('A', f);
    // The default session is busy with a long command: the next call gets a session of its own.
    const long = c.manager.run('A', d, 'Start-Sleep -Milliseconds 1500; "done"');
    await waitFor(() => c.manager.listSessions('A').some((s) => s.sessionId === d && s.currentCommand !== null), 5000);
    const busy = await c.manager.callTicket('A');
    expect(busy.kind).toBe('call');
    const other = await sessionOf(busy.ticket);
    expect(other).not.toBe(d);
    await c.manager.endSession('A', other);
    expect((await long).ok).toBe(true);
    expect((await c.manager.callTicket('A')).ticket).toMatchObject({ status: 'allocated', sessionId: d });
  }, 120_000);

  it("an unused default session gives way to another client's waiting request, reset before it is lent", async () => {
    const c = start({ warmSessions: 0, maxSessions: 1, defaultSessionYieldSeconds: 0 });
    const a = await sessionOf((await c.manager.callTicket('A')).ticket);
    await leaveState(c, 'A', a);
    const b = await c.manager.callTicket('B');
    expect(b.kind).toBe('default');
    // Served by A's session once reset, or by a spare started ahead of the queue, whichever is first.
    const bSession = await sessionOf(b.ticket);
    expect(events.some((e) => e.type === 'session.reclaimed' && e.sessionId === a)).toBe(true);
    expect(await seenOf(c, 'B', bSession, 'A')).toEqual(NOTHING);
    // A's default session is gone: its next call is told it starts anew.
    expect(c.manager.listSessions('A')).toEqual([]);
  }, 120_000);

  it('a session that had code loaded into it is never lent again: it is ended and replaced', async () => {
    const c = start({ warmSessions: 0, maxSessions: 1 });
    const first = await sessionOf(await c.manager.requestSession('A'));
    const pid = pidOf(c, first);
    await run(c, 'A', first, `Add-Type -TypeDefinition 'public static class PpReuseProbe { public static string Left = "A"; }'`);
    await c.manager.endSession('A', first);
    const second = await sessionOf(await c.manager.requestSession('B'));
    expect(pidOf(c, second)).not.toBe(pid);
    expect(await run(c, 'B', second, '[bool]("PpReuseProbe" -as [type])')).toBe('False');
    const discarded = events.find((e) => e.type === 'pool.sessionDiscarded');
    expect(discarded?.type === 'pool.sessionDiscarded' ? discarded.reason : '').toContain('code was loaded into the process');
  }, 120_000);

  it('with reuseSessions off, every returned session is ended and the next is a new process', async () => {
    const c = start({ warmSessions: 0, maxSessions: 1, reuseSessions: false });
    const first = await sessionOf(await c.manager.requestSession('A'));
    const pid = pidOf(c, first);
    await c.manager.endSession('A', first);
    const second = await sessionOf(await c.manager.requestSession('B'));
    expect(pidOf(c, second)).not.toBe(pid);
    expect(c.pool.reuseCounts.reused).toBe(0);
  }, 120_000);
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppToHost, HostSummary, HostToApp } from './protocol.js';
import { HostSupervisor, type HostChild } from './HostSupervisor.js';

// The supervision rules with fake timers and a fake child; hostProcess.test.ts runs the real host process.

class FakeChild implements HostChild {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly sent: AppToHost[] = [];
  killed = false;
  private messageListeners: ((m: unknown) => void)[] = [];
  private exitListeners: ((code: number | null) => void)[] = [];
  postMessage(m: AppToHost): void {
    this.sent.push(m);
  }
  onMessage(l: (m: unknown) => void): void {
    this.messageListeners.push(l);
  }
  onExit(l: (code: number | null) => void): void {
    this.exitListeners.push(l);
  }
  kill(): void {
    this.killed = true;
    this.exit(null);
  }
  send(m: HostToApp | Record<string, unknown>): void {
    for (const l of this.messageListeners) l(m);
  }
  exit(code: number | null): void {
    const ls = this.exitListeners;
    this.exitListeners = [];
    for (const l of ls) l(code);
  }
  ready(): void {
    const info = { pid: this.pid, version: '1', startedAt: '', mcpUrl: 'http://127.0.0.1:1/mcp', eventsUrl: '', metricsUrl: '', socketPath: '/s', tokenFile: '/t' };
    this.send({ type: 'ready', info, dataDir: '/d', summary });
  }
}

const summary = { metrics: { activeSessions: 0 }, sessions: [] } as unknown as HostSummary;

describe('HostSupervisor', () => {
  let children: FakeChild[];
  let logs: string[];
  let supervisor: HostSupervisor;

  beforeEach(() => {
    vi.useFakeTimers();
    children = [];
    logs = [];
    supervisor = new HostSupervisor({
      spawn: () => {
        const c = new FakeChild();
        children.push(c);
        return c;
      },
      start: { dataDir: '/d' },
      log: (l) => logs.push(l),
      timings: { backoffInitialMs: 100, backoffMaxMs: 400, healthyAfterMs: 10_000, silenceLimitMs: 1000, callTimeoutMs: 500, stopTimeoutMs: 300 },
    });
  });
  afterEach(() => vi.useRealTimers());

  it('sends start, goes running on ready, and relays results, updates and logs', async () => {
    supervisor.start();
    const c = children[0]!;
    expect(c.sent[0]).toEqual({ type: 'start', options: { dataDir: '/d' } });
    expect(await supervisor.call('snapshot')).toMatchObject({ ok: false, reason: expect.stringContaining('starting') });
    c.ready();
    expect(supervisor.state).toMatchObject({ status: 'running', pid: c.pid });
    const updates: unknown[] = [];
    supervisor.onUpdate((u) => updates.push(u));
    const call = supervisor.call('terminateSession', 'sess-1');
    const sent = c.sent.at(-1) as Extract<AppToHost, { type: 'call' }>;
    expect(sent).toMatchObject({ type: 'call', op: 'terminateSession', args: ['sess-1'] });
    c.send({ type: 'result', id: sent.id, result: { ok: true } });
    expect(await call).toEqual({ ok: true });
    c.send({ type: 'update', events: [], summary });
    c.send({ type: 'log', line: 'hello from the host' });
    c.send({ type: 'nonsense' });
    expect(updates).toHaveLength(1);
    expect(logs).toContain('hello from the host');
    expect(logs.some((l) => l.includes('outside the protocol'))).toBe(true);
  });

  it('restarts a crashed host with doubling backoff, capped, and resets it after a healthy run', () => {
    supervisor.start();
    children[0]!.ready();
    const delays: number[] = [];
    supervisor.onStateChange((s) => s.status === 'restarting' && delays.push(s.retryInMs));
    for (let i = 0; i < 4; i++) {
      children.at(-1)!.exit(1);
      vi.advanceTimersByTime(400);
      children.at(-1)!.ready();
    }
    expect(delays).toEqual([100, 200, 400, 400]);
    expect(children).toHaveLength(5);
    // A healthy run, its heartbeats keeping it from being taken as hung.
    for (let t = 0; t < 10_000; t += 500) {
      vi.advanceTimersByTime(500);
      children.at(-1)!.send({ type: 'update', events: [], summary });
    }
    expect(children).toHaveLength(5);
    children.at(-1)!.exit(1);
    expect(delays.at(-1)).toBe(100);
  });

  it('kills a host that goes silent past the limit, then restarts it', () => {
    const seen: string[] = [];
    supervisor.onStateChange((st) => seen.push(st.status));
    supervisor.start();
    const c = children[0]!;
    c.ready();
    vi.advanceTimersByTime(800);
    c.send({ type: 'update', events: [], summary });
    vi.advanceTimersByTime(800);
    expect(c.killed).toBe(false);
    vi.advanceTimersByTime(600);
    expect(c.killed).toBe(true);
    expect(seen).toEqual(['starting', 'running', 'restarting', 'starting']);
    expect(children).toHaveLength(2);
    expect(logs.some((l) => l.includes('hung'))).toBe(true);
  });

  it('answers every call: on timeout, and when the host dies mid-call', async () => {
    supervisor.start();
    children[0]!.ready();
    const slow = supervisor.call('snapshot');
    vi.advanceTimersByTime(500);
    expect(await slow).toMatchObject({ ok: false, reason: expect.stringContaining('did not answer') });
    const cut = supervisor.call('snapshot');
    children[0]!.exit(134);
    expect(await cut).toMatchObject({ ok: false, reason: expect.stringContaining('exited with code 134') });
  });

  it('a failed start is not retried by itself', async () => {
    supervisor.start();
    children[0]!.send({ type: 'startFailed', reason: 'Config: maxSessions must be a number' });
    expect(supervisor.state).toEqual({ status: 'failed', reason: 'Config: maxSessions must be a number' });
    expect(children[0]!.sent.at(-1)).toEqual({ type: 'shutdown' });
    children[0]!.exit(0);
    vi.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
    expect(await supervisor.call('snapshot')).toMatchObject({ ok: false, reason: expect.stringContaining('maxSessions') });
  });

  it('stops gracefully, and kills a host that does not stop in time', async () => {
    supervisor.start();
    const c = children[0]!;
    c.ready();
    const stopped = supervisor.dispose();
    expect(c.sent.at(-1)).toEqual({ type: 'shutdown' });
    vi.advanceTimersByTime(299);
    expect(c.killed).toBe(false);
    vi.advanceTimersByTime(1);
    await stopped;
    expect(c.killed).toBe(true);
    expect(supervisor.state.status).toBe('stopped');
    vi.advanceTimersByTime(10_000);
    expect(children).toHaveLength(1);
  });
});

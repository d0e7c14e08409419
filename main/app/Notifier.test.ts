import { describe, expect, it, vi } from 'vitest';
import type { PoshpoolEvent } from '../../common/events.js';
import type { HostInfo } from '../host/hostInfo.js';
import { NOTIFY_QUIET_MS, Notifier, type NotificationPort, type NotificationSettings, type NotificationSpec } from './Notifier.js';

/** A notification port that records what it was asked to show. */
class FakePort implements NotificationPort {
  supported = true;
  readonly shown: { spec: NotificationSpec; onClick: () => void }[] = [];
  isSupported(): boolean {
    return this.supported;
  }
  show(spec: NotificationSpec, onClick: () => void): void {
    this.shown.push({ spec, onClick });
  }
}

const ALL_ON: NotificationSettings = { sessionAbandoned: true, backupFailed: true, poolDegraded: true, approvalRequested: true };

function setup(settings: Partial<NotificationSettings> = {}) {
  const port = new FakePort();
  const s: NotificationSettings = { ...ALL_ON, ...settings };
  let time = 1_000_000;
  const onClick = vi.fn();
  const notifier = new Notifier(port, { settings: () => s, onClick, now: () => time });
  return {
    port,
    settings: s,
    onClick,
    notifier,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

const abandoned = (sessionId = 'pwsh-1', idleMs = 30 * 60_000): PoshpoolEvent => ({ type: 'session.abandoned', time: 1, sessionId, clientId: 'claude', idleMs });
const backupFailed = (folder = '/home/me/project', error = 'fatal: bad object HEAD'): PoshpoolEvent => ({ type: 'backup.failed', time: 1, folder, reason: 'quiet', error });
const degraded = (reason = 'pwsh exited with code 1 at startup', failures = 3): PoshpoolEvent => ({ type: 'pool.degraded', time: 1, reason, failures });

const approvalRequested = (approvalId = 'apr_1', command = "Remove-Item -Recurse 'C:\\src\\app\\build'", clientName: string | null = 'Claude Code'): PoshpoolEvent => ({
  type: 'approval.requested',
  time: 1,
  request: {
    approvalId,
    sessionId: 'pwsh-1',
    clientId: 'claude-1',
    ...(clientName !== null ? { clientName } : {}),
    command,
    commandChars: command.length,
    cwd: 'C:\\src\\app',
    rules: [{ name: 'recursive delete', description: 'Remove-Item with -Recurse', command: 'Remove-Item' }],
    requestedAt: 1,
    expiresAt: 120_001,
  },
});

describe('Notifier and commands waiting for approval', () => {
  it('notifies each waiting command: who, the command, the rule; a click opens the dashboard', () => {
    const { port, notifier, onClick } = setup();
    notifier.onEvents([approvalRequested('apr_1'), approvalRequested('apr_2', 'git push --force', null)]);
    expect(port.shown.map((n) => n.spec)).toEqual([
      {
        key: 'approval:apr_1',
        title: 'A command waits for your approval',
        body: "Claude Code wants to run: Remove-Item -Recurse 'C:\\src\\app\\build'\nRule: recursive delete. Click to answer in the dashboard.",
      },
      { key: 'approval:apr_2', title: 'A command waits for your approval', body: 'claude-1 wants to run: git push --force\nRule: recursive delete. Click to answer in the dashboard.' },
    ]);
    port.shown[0]!.onClick();
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('cuts the command to about 100 characters on one line', () => {
    const { port, notifier } = setup();
    notifier.onEvents([approvalRequested('apr_1', `Get-ChildItem |\n  Remove-Item -Recurse ${'a'.repeat(200)}`)]);
    const line = port.shown[0]!.spec.body.split('\n')[0]!;
    expect(line).toMatch(/^Claude Code wants to run: Get-ChildItem \| Remove-Item -Recurse a+…$/);
    expect(line.length).toBe('Claude Code wants to run: '.length + 100);
  });

  it('shows nothing when approvalRequested is off; a decision shows nothing', () => {
    const { port, notifier } = setup({ approvalRequested: false });
    notifier.onEvents([approvalRequested()]);
    expect(port.shown).toHaveLength(0);
    const on = setup();
    const request = (approvalRequested() as Extract<PoshpoolEvent, { type: 'approval.requested' }>).request;
    on.notifier.onEvents([{ type: 'approval.decided', time: 2, request, decision: 'denied', by: 'timeout' }]);
    expect(on.port.shown).toHaveLength(0);
  });
});

describe('Notifier.onEvents', () => {
  it('notifies an abandoned session with its id and idle minutes', () => {
    const { port, notifier } = setup();
    notifier.onEvents([abandoned('pwsh-7', 30 * 60_000)]);
    expect(port.shown).toHaveLength(1);
    const { spec } = port.shown[0]!;
    expect(spec.title).toMatch(/idle/i);
    expect(spec.body).toContain('pwsh-7');
    expect(spec.body).toContain('30 min');
  });

  it('notifies a failed backup with the folder and the error', () => {
    const { port, notifier } = setup();
    notifier.onEvents([backupFailed('/home/me/project', 'fatal: bad object HEAD')]);
    expect(port.shown).toHaveLength(1);
    const { spec } = port.shown[0]!;
    expect(spec.title).toMatch(/backup failed/i);
    expect(spec.body).toContain('/home/me/project');
    expect(spec.body).toContain('fatal: bad object HEAD');
  });

  it('notifies a degraded pool with the reason and the failure count', () => {
    const { port, notifier } = setup();
    notifier.onEvents([degraded('pwsh not found', 4)]);
    expect(port.shown).toHaveLength(1);
    const { spec } = port.shown[0]!;
    expect(spec.title).toMatch(/cannot start PowerShell sessions/i);
    expect(spec.body).toContain('pwsh not found');
    expect(spec.body).toContain('4 failures');
  });

  it('names a remote host that cannot start sessions, apart from this machine and from other hosts', () => {
    const { port, notifier } = setup();
    const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';
    notifier.onEvents([
      { type: 'pool.degraded', time: 1, reason: refused, failures: 3, host: 'buildbox' },
      { type: 'pool.degraded', time: 1, reason: 'timed out', failures: 3, host: 'win' },
      { type: 'pool.degraded', time: 1, reason: 'again', failures: 4, host: 'buildbox' },
      { type: 'pool.degraded', time: 1, reason: 'pwsh not found', failures: 3, host: 'local' },
    ]);
    expect(port.shown.map((n) => n.spec)).toEqual([
      {
        key: 'degraded:buildbox',
        title: 'poshpool cannot reach host buildbox',
        body: `${refused} (after 3 failures). Requests for buildbox wait or are refused until it is back; sessions on this machine go on.`,
      },
      { key: 'degraded:win', title: 'poshpool cannot reach host win', body: 'timed out (after 3 failures). Requests for win wait or are refused until it is back; sessions on this machine go on.' },
      { key: 'degraded', title: 'poshpool cannot start PowerShell sessions', body: 'pwsh not found (after 3 failures). Requests wait or are refused until it recovers.' },
    ]);
    const off = setup({ poolDegraded: false });
    off.notifier.onEvents([{ type: 'pool.degraded', time: 1, reason: refused, failures: 3, host: 'buildbox' }]);
    expect(off.port.shown).toHaveLength(0);
  });

  it('shows nothing for a kind whose setting is off, and still shows the others', () => {
    const off = setup({ sessionAbandoned: false });
    off.notifier.onEvents([abandoned(), backupFailed()]);
    expect(off.port.shown.map((n) => n.spec.title)).toEqual([expect.stringMatching(/backup failed/i)]);

    const noBackup = setup({ backupFailed: false });
    noBackup.notifier.onEvents([backupFailed()]);
    expect(noBackup.port.shown).toHaveLength(0);

    const noDegraded = setup({ poolDegraded: false });
    noDegraded.notifier.onEvents([degraded()]);
    expect(noDegraded.port.shown).toHaveLength(0);
  });

  it('reads the settings at each batch (a toggle in the tray applies at once)', () => {
    const { port, notifier, settings } = setup();
    settings.backupFailed = false;
    notifier.onEvents([backupFailed('/a')]);
    expect(port.shown).toHaveLength(0);
    settings.backupFailed = true;
    notifier.onEvents([backupFailed('/a')]);
    expect(port.shown).toHaveLength(1);
  });

  it('shows nothing for other event types', () => {
    const { port, notifier } = setup();
    const others: PoshpoolEvent[] = [
      { type: 'session.started', time: 1, sessionId: 's', clientId: 'c', pid: 1, kind: 'session' },
      { type: 'session.reclaimed', time: 1, sessionId: 's', clientId: 'c', idleMs: 1 },
      { type: 'session.ended', time: 1, sessionId: 's', clientId: 'c', reason: 'died', detail: 'x' },
      { type: 'backup.completed', time: 1, folder: '/a', backupId: 'b', filesChanged: 1, reason: 'quiet' },
      { type: 'backup.skipped', time: 1, folder: '/a', reason: 'quiet' },
      { type: 'pool.recovered', time: 1, downMs: 5 },
      { type: 'pool.paused', time: 1, by: 'tray' },
      { type: 'request.rejected', time: 1, requestId: 'r', clientId: 'c', reason: 'full' },
    ];
    notifier.onEvents(others);
    expect(port.shown).toHaveLength(0);
  });

  it('drops repeats of one key within the quiet period and shows it again after', () => {
    const { port, notifier, advance } = setup();
    notifier.onEvents([backupFailed('/a', 'first')]);
    advance(NOTIFY_QUIET_MS - 1);
    notifier.onEvents([backupFailed('/a', 'second')]);
    expect(port.shown).toHaveLength(1);
    advance(1);
    notifier.onEvents([backupFailed('/a', 'third')]);
    expect(port.shown.map((n) => n.spec.body)).toEqual([expect.stringContaining('first'), expect.stringContaining('third')]);
  });

  it('drops repeats inside one batch', () => {
    const { port, notifier } = setup();
    notifier.onEvents([degraded('a', 1), degraded('b', 2), degraded('c', 3)]);
    expect(port.shown).toHaveLength(1);
  });

  it('measures the quiet period from the last shown notification, not the last dropped one', () => {
    const { port, notifier, advance } = setup();
    notifier.onEvents([abandoned('pwsh-1')]);
    advance(NOTIFY_QUIET_MS / 2);
    notifier.onEvents([abandoned('pwsh-1')]); // dropped
    advance(NOTIFY_QUIET_MS / 2);
    notifier.onEvents([abandoned('pwsh-1')]);
    expect(port.shown).toHaveLength(2);
  });

  it('shows different keys (two folders, two sessions) each', () => {
    const { port, notifier } = setup();
    notifier.onEvents([backupFailed('/a'), backupFailed('/b'), abandoned('pwsh-1'), abandoned('pwsh-2')]);
    expect(port.shown).toHaveLength(4);
    expect(new Set(port.shown.map((n) => n.spec.key)).size).toBe(4);
  });

  it('honours a custom quiet period', () => {
    const port = new FakePort();
    let time = 0;
    const notifier = new Notifier(port, { settings: () => ALL_ON, onClick: () => {}, now: () => time, quietMs: 10 });
    notifier.onEvents([degraded()]);
    time = 9;
    notifier.onEvents([degraded()]);
    time = 10;
    notifier.onEvents([degraded()]);
    expect(port.shown).toHaveLength(2);
  });

  it('shows nothing when notifications are not supported', () => {
    const { port, notifier } = setup();
    port.supported = false;
    notifier.onEvents([abandoned(), backupFailed(), degraded()]);
    notifier.onHostState({ status: 'failed', reason: 'no pwsh' });
    expect(port.shown).toHaveLength(0);
  });

  it('calls deps.onClick when a notification is clicked', () => {
    const { port, notifier, onClick } = setup();
    notifier.onEvents([backupFailed()]);
    expect(onClick).not.toHaveBeenCalled();
    port.shown[0]!.onClick();
    expect(onClick).toHaveBeenCalledTimes(1);
  });
});

describe('Notifier.onHostState', () => {
  it('notifies a restarting host with the reason', () => {
    const { port, notifier } = setup();
    notifier.onHostState({ status: 'restarting', reason: 'host process exited with code 3', retryInMs: 1000, crashes: 1 });
    expect(port.shown).toHaveLength(1);
    expect(port.shown[0]!.spec.title).toMatch(/restarted/i);
    expect(port.shown[0]!.spec.body).toContain('host process exited with code 3');
  });

  it('notifies a host that failed to start with the reason', () => {
    const { port, notifier, advance } = setup();
    advance(NOTIFY_QUIET_MS); // apart from any earlier host notification
    notifier.onHostState({ status: 'failed', reason: 'gave up after 5 crashes' });
    expect(port.shown).toHaveLength(1);
    expect(port.shown[0]!.spec.title).toMatch(/could not start/i);
    expect(port.shown[0]!.spec.body).toBe('gave up after 5 crashes');
  });

  it('says nothing for starting, running or stopped', () => {
    const { port, notifier } = setup();
    notifier.onHostState({ status: 'starting' });
    notifier.onHostState({ status: 'running', info: {} as HostInfo, dataDir: '/data', pid: 42 });
    notifier.onHostState({ status: 'stopped' });
    expect(port.shown).toHaveLength(0);
  });

  it('says nothing when poolDegraded is off', () => {
    const { port, notifier } = setup({ poolDegraded: false });
    notifier.onHostState({ status: 'restarting', reason: 'crash', retryInMs: 1000, crashes: 1 });
    notifier.onHostState({ status: 'failed', reason: 'gave up' });
    expect(port.shown).toHaveLength(0);
  });

  it('coalesces host notifications under one key', () => {
    const { port, notifier, advance } = setup();
    notifier.onHostState({ status: 'restarting', reason: 'crash 1', retryInMs: 1000, crashes: 1 });
    advance(1000);
    notifier.onHostState({ status: 'restarting', reason: 'crash 2', retryInMs: 2000, crashes: 2 });
    expect(port.shown).toHaveLength(1);
    advance(NOTIFY_QUIET_MS);
    notifier.onHostState({ status: 'restarting', reason: 'crash 3', retryInMs: 4000, crashes: 3 });
    expect(port.shown).toHaveLength(2);
  });

  it('passes deps.onClick for host notifications too', () => {
    const { port, notifier, onClick } = setup();
    notifier.onHostState({ status: 'failed', reason: 'x' });
    port.shown[0]!.onClick();
    expect(onClick).toHaveBeenCalledTimes(1);
  });
});

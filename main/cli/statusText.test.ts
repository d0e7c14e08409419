import { describe, expect, it } from 'vitest';
import type { HostSummary, MetricsSnapshot, QueuedRequestInfo, SessionInfo } from '../../common/scheduler.js';
import { hostLines, statusText } from './statusText.js';

const host = { pid: 4242, mcpUrl: 'http://127.0.0.1:5000/mcp' };

function metrics(patch: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    time: 1,
    poolState: 'healthy',
    poolDegradedReason: '',
    paused: false,
    activeSessions: 1,
    freeSlots: 4,
    maxSessions: 5,
    warmSessions: 2,
    queueDepth: 0,
    queueDepthSync: 0,
    queueDepthAsync: 0,
    peakSessions: 1,
    peakQueueDepth: 0,
    averageWaitMs: { sync: null, async: null },
    estimatedWaitMs: { sync: 0, async: 0 },
    commandsRun: 7,
    commandsFailed: 1,
    restarts: 0,
    sessionsReused: 2,
    sessionsDiscarded: 0,
    startingSessions: 0,
    commandDurationMs: { p50: 12, p95: 80 },
    requestsRejected: 0,
    backups: { completed: 0, skipped: 0, failed: 0 },
    ...patch,
  };
}

function hostSummary(patch: Partial<HostSummary> & Pick<HostSummary, 'name'>): HostSummary {
  return {
    kind: 'ssh',
    destination: null,
    labels: [],
    state: 'healthy',
    degradedReason: '',
    activeSessions: 0,
    maxSessions: 2,
    freeSlots: 2,
    warmSessions: 1,
    startingSessions: 0,
    queueDepth: 0,
    estimatedWaitMs: 0,
    commandsRun: 0,
    commandsFailed: 0,
    restarts: 0,
    ...patch,
  };
}

const local = hostSummary({ name: 'local', kind: 'local', activeSessions: 1, maxSessions: 5, freeSlots: 4, warmSessions: 2 });
const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';
const buildbox = hostSummary({ name: 'buildbox', destination: 'ci@10.0.0.5', labels: ['build', 'linux'], activeSessions: 1, warmSessions: 0, queueDepth: 2, estimatedWaitMs: 12_340 });
const winbox = hostSummary({ name: 'win', destination: '127.0.0.1:2222', labels: ['windows'], state: 'degraded', degradedReason: refused, warmSessions: 0, restarts: 3 });

const session = (id: string, patch: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: id,
  clientId: 'claude',
  kind: 'session',
  state: 'idle',
  currentCommand: null,
  commandStartedAt: null,
  cwd: '/src',
  commandCount: 3,
  lastActivity: 1,
  lentAt: 1,
  abandoned: false,
  pid: 10,
  ...patch,
});

const queued = (id: string, patch: Partial<QueuedRequestInfo> = {}): QueuedRequestInfo => ({ requestId: id, clientId: 'claude', priority: 'sync', position: 1, etaMs: 4_560, enqueuedAt: 1, ...patch });

describe('poshpool status, hosts', () => {
  it('gives one line per host: name, state, sessions lent of the most, warm, queue (with its ETA), labels, where', () => {
    expect(hostLines([local, buildbox])).toEqual([
      'hosts: 2',
      '  local     healthy  sessions 1/5 lent, 2 warm; queue 0; this machine',
      '  buildbox  healthy  sessions 1/2 lent, 0 warm; queue 2 (ETA 12.3 s), labels build, linux; ssh ci@10.0.0.5',
    ]);
  });

  it("puts a degraded host's reason on the next line, in the ssh error's plain words; a starting host has none", () => {
    const lines = hostLines([local, winbox, hostSummary({ name: 'gpu', destination: 'gpu.lan', state: 'starting', warmSessions: 0 })]);
    expect(lines).toEqual([
      'hosts: 3',
      '  local  healthy   sessions 1/5 lent, 2 warm; queue 0; this machine',
      '  win    degraded  sessions 0/2 lent, 0 warm; queue 0, labels windows; ssh 127.0.0.1:2222',
      `         why: ${refused}`,
      '  gpu    starting  sessions 0/2 lent, 0 warm; queue 0; ssh gpu.lan',
    ]);
  });

  it('says a degraded host gave no reason rather than printing an empty line', () => {
    expect(hostLines([hostSummary({ name: 'x', state: 'degraded', destination: 'x' })])[2]).toBe('     why: sessions cannot start there (no reason given)');
  });

  it('the whole status: the hosts after the pool and the shell, sessions and requests on another host say which', () => {
    const text = statusText(
      {
        metrics: metrics({ hosts: [local, buildbox, winbox], queueDepth: 1, queueDepthSync: 1 }),
        sessions: [session('pwsh-1', { host: 'local', currentCommand: 'npm test' }), session('ssh-2', { host: 'buildbox', cwd: '/home/ci' })],
        queue: [queued('req-1'), queued('req-2', { host: 'buildbox', priority: 'async', position: 2 })],
      },
      host,
    );
    expect(text.split('\n')).toEqual([
      'poshpool host pid 4242 at http://127.0.0.1:5000/mcp',
      'pool: healthy; sessions 1/5 lent, 2 warm; queue 1 (sync 1, async 0)',
      'commands: 7 run, 1 failed; p50 12 ms, p95 80 ms; restarts 0; sessions reused 2, discarded 0',
      'hosts: 3',
      '  local     healthy   sessions 1/5 lent, 2 warm; queue 0; this machine',
      '  buildbox  healthy   sessions 1/2 lent, 0 warm; queue 2 (ETA 12.3 s), labels build, linux; ssh ci@10.0.0.5',
      '  win       degraded  sessions 0/2 lent, 0 warm; queue 0, labels windows; ssh 127.0.0.1:2222',
      `            why: ${refused}`,
      '  session pwsh-1 (claude): idle — npm test, 3 commands, cwd /src',
      '  session ssh-2 on buildbox (claude): idle, 3 commands, cwd /home/ci',
      '  queued req-1 (claude): sync, position 1, ETA 4.6 s',
      '  queued req-2 on buildbox (claude): async, position 2, ETA 4.6 s',
      '',
    ]);
  });

  it('without remote hosts: the status as before, plus a single line for this machine', () => {
    const text = statusText({ metrics: metrics({ hosts: [local] }), sessions: [session('pwsh-1')], queue: [] }, host);
    expect(text).toBe(
      [
        'poshpool host pid 4242 at http://127.0.0.1:5000/mcp',
        'pool: healthy; sessions 1/5 lent, 2 warm; queue 0 (sync 0, async 0)',
        'commands: 7 run, 1 failed; p50 12 ms, p95 80 ms; restarts 0; sessions reused 2, discarded 0',
        'hosts: 1',
        '  local  healthy  sessions 1/5 lent, 2 warm; queue 0; this machine',
        '  session pwsh-1 (claude): idle, 3 commands, cwd /src',
        '',
      ].join('\n'),
    );
  });

  it('figures from a host before hosts existed: no hosts section at all', () => {
    const text = statusText({ metrics: metrics({ poolState: 'degraded', poolDegradedReason: 'pwsh not found' }), sessions: [], queue: [] }, host);
    expect(text).not.toContain('hosts:');
    expect(text).toContain('pool: degraded (pwsh not found); sessions 1/5 lent');
  });
});

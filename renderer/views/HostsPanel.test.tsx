// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../common/dashboard.js';
import type { HostSummary } from '../../common/scheduler.js';
import { App } from './App.js';
import { HostsPanel } from './HostsPanel.js';
import { QueueView } from './QueueView.js';
import { SessionDetail } from './SessionDetail.js';
import { SessionsView } from './SessionsView.js';
import { makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';

function host(name: string, patch: Partial<HostSummary> = {}): HostSummary {
  return {
    name,
    kind: name === 'local' ? 'local' : 'ssh',
    destination: name === 'local' ? null : `ci@${name}.lan`,
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

/** makeSnapshot() with this machine, a build host holding session s-2 and request r-2, and a Windows host that is down. */
function withHosts(): DashboardSnapshot {
  const snapshot = makeSnapshot();
  snapshot.metrics.hosts = [
    host('local', { activeSessions: 1, maxSessions: 4, freeSlots: 3, queueDepth: 1, estimatedWaitMs: 5_000 }),
    host('buildbox', { labels: ['build', 'linux'], activeSessions: 1, freeSlots: 1, warmSessions: 0, queueDepth: 1, estimatedWaitMs: 20_000 }),
    host('win', { destination: '127.0.0.1:2222', labels: ['windows'], state: 'degraded', degradedReason: refused, warmSessions: 0 }),
  ];
  snapshot.sessions[1]!.host = 'buildbox';
  snapshot.queue[1]!.host = 'buildbox';
  return snapshot;
}

const cellsOf = (rowName: RegExp): (string | null)[] => within(screen.getByRole('row', { name: rowName })).getAllByRole('cell').map((c) => c.textContent);

describe('HostsPanel', () => {
  it('lists every host: state in words, sessions of the most, warm, queue, ETA, labels, where, why degraded', () => {
    renderDashboard(<HostsPanel />, { store: makeStore('connected', withHosts()) });
    const region = screen.getByRole('region', { name: 'Hosts' });
    const table = within(region).getByRole('table', { name: '3 hosts, 1 degraded' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Host', 'State', 'Sessions in use', 'Warm', 'Queue', 'ETA', 'Labels', 'Where', 'Why degraded']);
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['local', 'buildbox', 'win']);
    expect(cellsOf(/^local/)).toEqual(['healthy', '1 of 4', '1', '1', '5s', '—', 'this machine', '—']);
    expect(cellsOf(/^buildbox/)).toEqual(['healthy', '1 of 2', '0', '1', '20s', 'build, linux', 'ci@buildbox.lan', '—']);
    expect(cellsOf(/^win/)).toEqual(['degraded: cannot start sessions', '0 of 2', '0', '0', '—', 'windows', '127.0.0.1:2222', refused]);
  });

  it('marks a remote host that is down apart from this machine’s pool down (the words say it either way)', () => {
    const snapshot = withHosts();
    snapshot.metrics.hosts![0] = { ...snapshot.metrics.hosts![0]!, state: 'degraded', degradedReason: 'pwsh not found' };
    renderDashboard(<HostsPanel />, { store: makeStore('connected', snapshot) });
    const stateCell = (name: RegExp) => within(screen.getByRole('row', { name })).getAllByRole('cell')[0]!;
    expect(stateCell(/^win/).className).toBe('host-state host-degraded');
    expect(stateCell(/^local/).className).toBe('host-state host-degraded host-local');
    expect(stateCell(/^buildbox/).className).toBe('host-state host-healthy');
  });

  it('follows the host’s events: a remote host going down and coming back, a starting host lending its first session', () => {
    const snapshot = withHosts();
    snapshot.metrics.hosts![2] = host('win', { state: 'starting', warmSessions: 0 });
    const { store } = renderDashboard(<HostsPanel />, { store: makeStore('connected', snapshot) });
    expect(cellsOf(/^win/)[0]).toBe('starting (connecting)');
    act(() => store.getState().applyEvents([{ type: 'pool.degraded', time: T0 + 1, reason: refused, failures: 3, host: 'win' }]));
    expect(cellsOf(/^win/)[0]).toBe('degraded: cannot start sessions');
    expect(cellsOf(/^win/)[7]).toBe(refused);
    expect(screen.getByRole('table', { name: '3 hosts, 1 degraded' })).toBeTruthy();
    act(() => store.getState().applyEvents([{ type: 'pool.recovered', time: T0 + 2, downMs: 1, host: 'win' }]));
    expect(cellsOf(/^win/)[0]).toBe('healthy');
    act(() => store.getState().applyEvents([{ type: 'session.started', time: T0 + 3, sessionId: 's-9', clientId: 'codex', pid: null, kind: 'call', host: 'buildbox' }]));
    expect(cellsOf(/^buildbox/)[1]).toBe('2 of 2');
  });

  it('is not shown with this machine alone, or with figures from before hosts', () => {
    const alone = makeSnapshot();
    alone.metrics.hosts = [host('local', { maxSessions: 4 })];
    const { unmount } = renderDashboard(<App />, { store: makeStore('connected', alone) });
    expect(screen.queryByRole('region', { name: 'Hosts' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Pool: healthy');
    unmount();
    renderDashboard(<App />);
    expect(screen.queryByRole('region', { name: 'Hosts' })).toBeNull();
  });

  it('in the dashboard: between the header and the tabs; the header says its pool is this machine’s', () => {
    renderDashboard(<App />, { store: makeStore('connected', withHosts()) });
    const region = screen.getByRole('region', { name: 'Hosts' });
    expect(region.compareDocumentPosition(screen.getByRole('tablist')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Pool on this machine: healthy');
  });
});

describe('the Host column of the sessions and queue tables', () => {
  it('is there when sessions can run on more than this machine, naming each row’s host', () => {
    renderDashboard(<SessionsView />, { store: makeStore('connected', withHosts()) });
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Session', 'Client', 'Host', 'State', 'Command', 'Running for', 'Idle for', 'Directory', 'Commands', 'Actions']);
    expect(cellsOf(/s-1/).slice(0, 3)).toEqual(['claude-code', 'local', 'running']);
    expect(cellsOf(/s-2/).slice(0, 3)).toEqual(['cursor', 'buildbox', 'idle']);
    cleanup();
    renderDashboard(<QueueView />, { store: makeStore('connected', withHosts()) });
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Position', 'Request', 'Client', 'Host', 'Priority', 'Waiting for', 'ETA', 'Actions']);
    expect(cellsOf(/r-1/).slice(0, 3)).toEqual(['1', 'codex', 'local']);
    expect(cellsOf(/r-2/).slice(0, 3)).toEqual(['2', 'cursor', 'buildbox']);
  });

  it('is not there with this machine alone', () => {
    renderDashboard(<SessionsView />);
    expect(screen.queryByRole('columnheader', { name: 'Host' })).toBeNull();
    cleanup();
    renderDashboard(<QueueView />);
    expect(screen.queryByRole('columnheader', { name: 'Host' })).toBeNull();
  });

  it('appears when a row runs on a remote host even before the figures name it', () => {
    const { store } = renderDashboard(<QueueView />);
    act(() => store.getState().applyEvents([{ type: 'request.queued', time: T0 + 1, requestId: 'r-3', clientId: 'codex', priority: 'sync', position: 1, etaMs: 1_000, host: 'buildbox' }]));
    expect(screen.getByRole('columnheader', { name: 'Host' })).toBeTruthy();
    expect(cellsOf(/r-3/)[2]).toBe('buildbox');
  });

  it("names the host on a session's page when there are remote hosts, and not otherwise", () => {
    const facts = () => Object.fromEntries([...document.querySelectorAll('.session-facts dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
    renderDashboard(<SessionDetail sessionId="s-2" onBack={() => undefined} />, { store: makeStore('connected', withHosts()) });
    expect(facts()).toMatchObject({ Client: 'cursor', Host: 'buildbox', State: 'idle' });
    cleanup();
    renderDashboard(<SessionDetail sessionId="s-2" onBack={() => undefined} />);
    expect(facts()).not.toHaveProperty('Host');
    expect(facts()).toMatchObject({ Client: 'cursor', State: 'idle' });
  });
});

// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeFakeBridge, makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';
import { SessionsView } from './SessionsView.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('SessionsView', () => {
  it('lists sessions with state, client, command, elapsed and idle times, cwd and count', () => {
    renderDashboard(<SessionsView />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['Session', 'Client', 'State', 'Command', 'Running for', 'Idle for', 'Directory', 'Commands', 'Actions']);
    const cells1 = within(screen.getByRole('row', { name: /s-1/ })).getAllByRole('cell').map((c) => c.textContent);
    expect(cells1.slice(0, 7)).toEqual(['claude-code', 'running', 'npm test', '1m 05s', '—', 'C:\\src\\app', '5']);
    const cells2 = within(screen.getByRole('row', { name: /s-2/ })).getAllByRole('cell').map((c) => c.textContent);
    expect(cells2.slice(0, 7)).toEqual(['cursor', 'idle', '—', '—', '30s', '/home/me/site', '2']);
  });

  it('moves the elapsed time live', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    renderDashboard(<SessionsView />, { fixedClock: false });
    const row = screen.getByRole('row', { name: /s-1/ });
    expect(within(row).getByText('1m 05s')).toBeTruthy();
    act(() => vi.advanceTimersByTime(3_000));
    expect(within(row).getByText('1m 08s')).toBeTruthy();
  });

  it('shows "No sessions" when there are none', () => {
    const snapshot = makeSnapshot();
    snapshot.sessions = [];
    renderDashboard(<SessionsView />, { store: makeStore('connected', snapshot) });
    expect(screen.getByText('No sessions')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('Cancel command calls cancelCommand with the session id', async () => {
    const { bridge } = renderDashboard(<SessionsView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel command in s-1' })));
    expect(bridge.cancelCommand).toHaveBeenCalledExactlyOnceWith('s-1');
    expect(screen.getByRole('status').textContent).toBe('Cancelled');
  });

  it('disables Cancel command on an idle session', () => {
    renderDashboard(<SessionsView />);
    expect(screen.getByRole('button', { name: 'Cancel command in s-2' })).toHaveProperty('disabled', true);
  });

  it('shows a failed action\'s reason next to the button', async () => {
    const bridge = makeFakeBridge();
    bridge.cancelCommand.mockResolvedValueOnce({ ok: false, reason: 'Session s-1 already ended.' });
    renderDashboard(<SessionsView />, { bridge });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel command in s-1' })));
    const row = screen.getByRole('row', { name: /s-1/ });
    expect(within(row).getByRole('alert').textContent).toBe('Session s-1 already ended.');
  });

  it('Terminate asks first, and "No" calls nothing', () => {
    const { bridge } = renderDashboard(<SessionsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Terminate s-2' }));
    expect(screen.getByText('Terminate session s-2 of cursor?')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'No' }));
    expect(bridge.terminateSession).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Terminate s-2' })).toBeTruthy();
  });

  it('Terminate calls terminateSession after "Yes"', async () => {
    const { bridge } = renderDashboard(<SessionsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Terminate s-2' }));
    expect(bridge.terminateSession).not.toHaveBeenCalled();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, terminate' })));
    expect(bridge.terminateSession).toHaveBeenCalledExactlyOnceWith('s-2');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('SessionsView with named clients', () => {
  it('shows the name a client gave with the start of its id, and the id alone for a client that gave none', () => {
    const store = makeStore();
    store.getState().applyEvents([{ type: 'client.connected', clientId: 'cursor', name: 'Cursor', version: '1.2.3', time: T0 }]);
    renderDashboard(<SessionsView />, { store });
    const named = screen.getByRole('row', { name: /s-2/ });
    expect(named.textContent).toContain('Cursor (cursor)');
    expect(within(named).getByTitle('cursor')).toBeTruthy();
    expect(screen.getByRole('row', { name: /s-1/ }).textContent).toContain('claude-code');
  });
});

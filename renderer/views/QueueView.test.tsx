// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeFakeBridge, makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';
import { QueueView } from './QueueView.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const etaOf = (requestId: string): string | null =>
  within(screen.getByRole('row', { name: new RegExp(requestId) })).getAllByRole('cell')[4]?.textContent ?? null;

describe('QueueView', () => {
  it('lists waiting requests in position order with priority and ETA', () => {
    renderDashboard(<QueueView />);
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Position', 'Request', 'Client', 'Priority', 'Waiting for', 'ETA', 'Actions',
    ]);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['r-1', 'r-2']);
    expect(screen.getByLabelText<HTMLSelectElement>('Priority of r-1').value).toBe('sync');
    expect(screen.getByLabelText<HTMLSelectElement>('Priority of r-2').value).toBe('async');
    expect(etaOf('r-1')).toBe('5s');
    expect(etaOf('r-2')).toBe('20s');
  });

  it('counts the ETA down live, then says "any moment"', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    renderDashboard(<QueueView />, { fixedClock: false });
    expect(etaOf('r-1')).toBe('5s');
    act(() => vi.advanceTimersByTime(2_000));
    expect(etaOf('r-1')).toBe('3s');
    expect(etaOf('r-2')).toBe('18s');
    act(() => vi.advanceTimersByTime(3_000));
    expect(etaOf('r-1')).toBe('any moment');
  });

  it('restarts the countdown from a new position event', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    const { store } = renderDashboard(<QueueView />, { fixedClock: false });
    act(() => vi.advanceTimersByTime(4_000));
    act(() =>
      store.getState().applyEvents([
        { type: 'request.position', time: T0 + 4_000, requestId: 'r-2', clientId: 'cursor', priority: 'async', position: 2, etaMs: 30_000 },
      ]),
    );
    expect(etaOf('r-2')).toBe('30s');
  });

  it('changing the priority calls changePriority', async () => {
    const { bridge } = renderDashboard(<QueueView />);
    await act(async () => fireEvent.change(screen.getByLabelText('Priority of r-2'), { target: { value: 'sync' } }));
    expect(bridge.changePriority).toHaveBeenCalledExactlyOnceWith('r-2', 'sync');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why a priority change failed', async () => {
    const bridge = makeFakeBridge();
    bridge.changePriority.mockResolvedValueOnce({ ok: false, reason: 'Request r-2 is no longer waiting.' });
    renderDashboard(<QueueView />, { bridge });
    await act(async () => fireEvent.change(screen.getByLabelText('Priority of r-2'), { target: { value: 'sync' } }));
    expect(within(screen.getByRole('row', { name: /r-2/ })).getByRole('alert').textContent).toBe('Request r-2 is no longer waiting.');
  });

  it('Cancel calls cancelRequest with the request id', async () => {
    const { bridge } = renderDashboard(<QueueView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel request r-1' })));
    expect(bridge.cancelRequest).toHaveBeenCalledExactlyOnceWith('r-1');
  });

  it('says so when nothing waits', () => {
    const snapshot = makeSnapshot();
    snapshot.queue = [];
    renderDashboard(<QueueView />, { store: makeStore('connected', snapshot) });
    expect(screen.getByText('No requests waiting')).toBeTruthy();
  });
});

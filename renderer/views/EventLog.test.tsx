// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from './EventLog.js';
import { renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

describe('EventLog', () => {
  it('says so before any event', () => {
    renderDashboard(<EventLog />);
    expect(screen.getByText('No events yet')).toBeTruthy();
  });

  it('lists the events newest first with a description', () => {
    const { store } = renderDashboard(<EventLog />);
    act(() =>
      store.getState().applyEvents([
        { type: 'request.allocated', time: T0 + 1_000, requestId: 'r-1', clientId: 'codex', sessionId: 's-3', waitedMs: 3_000 },
        { type: 'command.finished', time: T0 + 2_000, sessionId: 's-1', clientId: 'claude-code', seq: 5, status: 'completed', exitCode: 1, success: false, durationMs: 67_000, outputBytes: 10, jobId: null },
      ]),
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[1]?.textContent)).toEqual(['command.finished', 'request.allocated']);
    expect(rows.map((r) => within(r).getAllByRole('cell')[2]?.textContent)).toEqual([
      's-1 #5 completed (exit 1) in 1m 07s',
      'Request r-1 got session s-3 after 3s',
    ]);
    expect(screen.getByRole('table').querySelector('caption')?.textContent).toBe('Last 2 events, newest first');
  });
});

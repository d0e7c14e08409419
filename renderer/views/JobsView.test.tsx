// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { JobsView } from './JobsView.js';
import { makeFakeBridge, makeSnapshot, makeStore, renderDashboard } from './testSupport.js';

afterEach(cleanup);

describe('JobsView', () => {
  it('lists jobs with status and duration, newest first', () => {
    renderDashboard(<JobsView />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['j-2', 'j-1']);
    const j1 = within(screen.getByRole('row', { name: /j-1/ })).getAllByRole('cell').map((c) => c.textContent);
    expect(j1.slice(0, 5)).toEqual(['claude-code', 'npm run build', 'succeeded', '2 min ago', '30s']);
    const j2 = within(screen.getByRole('row', { name: /j-2/ })).getAllByRole('cell').map((c) => c.textContent);
    expect(j2.slice(0, 6)).toEqual(['cursor', 'Get-ChildItem -Recurse', 'running', '10 s ago', '10s', 'Directory: /home/me/site']);
    expect(screen.queryByRole('button', { name: 'Show output of j-2' })).toBeNull();
  });

  it('pages through a finished job\'s output', async () => {
    const { bridge } = renderDashboard(<JobsView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Show output of j-1' })));
    expect(bridge.jobPage).toHaveBeenLastCalledWith('j-1', 0);
    const viewer = screen.getByRole('region', { name: 'Output of job j-1' });
    expect(within(viewer).getByText('page 1 text')).toBeTruthy();
    expect(within(viewer).getByText('Page 1 of 3')).toBeTruthy();
    expect(within(viewer).getByRole('button', { name: 'Previous page' })).toHaveProperty('disabled', true);

    await act(async () => fireEvent.click(within(viewer).getByRole('button', { name: 'Next page' })));
    expect(bridge.jobPage).toHaveBeenLastCalledWith('j-1', 1);
    expect(within(viewer).getByText('page 2 text')).toBeTruthy();
    await act(async () => fireEvent.click(within(viewer).getByRole('button', { name: 'Next page' })));
    expect(within(viewer).getByText('Page 3 of 3')).toBeTruthy();
    expect(within(viewer).getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);

    await act(async () => fireEvent.click(within(viewer).getByRole('button', { name: 'Previous page' })));
    expect(bridge.jobPage).toHaveBeenLastCalledWith('j-1', 1);
    expect(bridge.jobPage).toHaveBeenCalledTimes(4);

    fireEvent.click(within(viewer).getByRole('button', { name: 'Close output' }));
    expect(screen.queryByRole('region', { name: 'Output of job j-1' })).toBeNull();
  });

  it('shows why the output cannot be read', async () => {
    const bridge = makeFakeBridge();
    bridge.jobPage.mockResolvedValueOnce({ ok: false, reason: 'The output of j-1 has expired.' });
    renderDashboard(<JobsView />, { bridge });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Show output of j-1' })));
    expect(screen.getByRole('alert').textContent).toBe('The output of j-1 has expired.');
  });

  it('says so when there are no jobs', () => {
    const snapshot = makeSnapshot();
    snapshot.jobs = [];
    renderDashboard(<JobsView />, { store: makeStore('connected', snapshot) });
    expect(screen.getByText('No jobs')).toBeTruthy();
  });
});

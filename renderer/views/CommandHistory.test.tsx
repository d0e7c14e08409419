// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandHistory, formatCommandDuration } from './CommandHistory.js';
import { SessionsView } from './SessionsView.js';
import { makeFakeBridge, makeHistory, renderDashboard, T0 } from './testSupport.js';

afterEach(cleanup);

async function rows(): Promise<HTMLElement[]> {
  const table = await screen.findByRole('table');
  return within(table).getAllByRole('row').slice(1);
}

function cellsOf(row: HTMLElement): string[] {
  return [...row.querySelectorAll('td, th')].map((c) => c.textContent ?? '');
}

describe('CommandHistory', () => {
  it('lists the commands newest first with client, start, duration, status, exit code and errors; the failed one stands out', async () => {
    const { bridge } = renderDashboard(<CommandHistory sessionId="s-2" />);
    const [running, long, failed, ok] = (await rows()) as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(bridge.sessionHistory).toHaveBeenCalledWith('s-2');
    expect(cellsOf(ok).slice(0, 8)).toEqual(['1', 'Get-Date', 'claude-code', '1 min ago', '120 ms', '✓ Succeeded', '0', '0']);
    expect(cellsOf(failed).slice(0, 8)).toEqual(['2', 'Get-Item nope', 'claude-code', '50 s ago', '80 ms', '✗ Failed', '1', '2']);
    expect(failed.className).toBe('failed');
    expect(ok.className).toBe('');
    expect(cellsOf(long)[5]).toBe('✓ Succeeded');
    expect(cellsOf(running).slice(4, 7)).toEqual(['5s', 'Running', '—']);
    expect(screen.getByText(/4 commands, 1 failed/)).toBeTruthy();
  });

  it('filters by status and by client', async () => {
    const bridge = makeFakeBridge();
    bridge.sessionHistory.mockImplementation(async (sessionId) => {
      const h = makeHistory(sessionId);
      h.commands[0] = { ...h.commands[0]!, clientId: 'cursor' };
      return { ok: true, history: h };
    });
    renderDashboard(<CommandHistory sessionId="s-2" />, { bridge });
    await rows();
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    expect((await rows()).map((r) => cellsOf(r)[0])).toEqual(['2']);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'succeeded' } });
    expect((await rows()).map((r) => cellsOf(r)[0])).toEqual(['3', '1']);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'running' } });
    expect((await rows()).map((r) => cellsOf(r)[0])).toEqual(['4']);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Client'), { target: { value: 'cursor' } });
    expect((await rows()).map((r) => cellsOf(r)[0])).toEqual(['1']);
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    expect(screen.getByText('No command matches the filter.')).toBeTruthy();
  });

  it("opens a failed command's errors and output", async () => {
    const { bridge } = renderDashboard(<CommandHistory sessionId="s-2" />);
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Show output of command 2' }));
    const region = await screen.findByRole('region', { name: 'Output of command 2' });
    expect(bridge.historyEntry).toHaveBeenCalledWith('s-2', 2);
    expect(within(region).getByText('2 errors (the first 1 kept)')).toBeTruthy();
    expect(within(region).getByText('Cannot find path')).toBeTruthy();
    expect(within(region).getByText('partial output')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Hide output of command 2' }));
    expect(screen.queryByRole('region', { name: 'Output of command 2' })).toBeNull();
  });

  it('pages a long output from the host', async () => {
    const { bridge } = renderDashboard(<CommandHistory sessionId="s-2" />);
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Show output of command 3' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Read the whole output' }));
    expect(await screen.findByText('whole output page 1')).toBeTruthy();
    expect(screen.getByText('Page 1 of 2')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('whole output page 2')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
    expect(bridge.historyPage.mock.calls).toEqual([
      ['s-2', 3, 0],
      ['s-2', 3, 1],
    ]);
  });

  it('reads the history again when the session starts or finishes a command', async () => {
    const { bridge, store } = renderDashboard(<CommandHistory sessionId="s-2" />);
    await rows();
    expect(bridge.sessionHistory).toHaveBeenCalledTimes(1);
    act(() => store.getState().applyEvents([{ type: 'command.started', time: T0, sessionId: 's-2', clientId: 'cursor', seq: 3, command: 'ls', commandChars: 2, jobId: null }]));
    await waitFor(() => expect(bridge.sessionHistory).toHaveBeenCalledTimes(2));
    act(() =>
      store.getState().applyEvents([
        { type: 'command.finished', time: T0, sessionId: 's-2', clientId: 'cursor', seq: 3, status: 'completed', exitCode: 0, success: true, durationMs: 5, outputBytes: 1, jobId: null },
      ]),
    );
    await waitFor(() => expect(bridge.sessionHistory).toHaveBeenCalledTimes(3));
  });

  it('says when and why the session ended', async () => {
    const bridge = makeFakeBridge();
    bridge.sessionHistory.mockImplementation(async (sessionId) => ({ ok: true, history: { ...makeHistory(sessionId), ended: { at: T0 - 120_000, reason: 'reclaimed: idle for 10 min' } } }));
    renderDashboard(<CommandHistory sessionId="gone" />, { bridge });
    expect(await screen.findByText(/The session ended/)).toBeTruthy();
    expect(screen.getByText(/The session ended/).textContent).toBe('The session ended 2 min ago (reclaimed: idle for 10 min).');
  });

  it('says why when the host has no history', async () => {
    const bridge = makeFakeBridge();
    bridge.sessionHistory.mockResolvedValue({ ok: false, reason: 'No history for session "x"' });
    renderDashboard(<CommandHistory sessionId="x" />, { bridge });
    expect((await screen.findByRole('alert')).textContent).toBe('No history for session "x"');
  });

  it("lists every session's newest commands with their session, filtered by client; a session id opens its page", async () => {
    const bridge = makeFakeBridge();
    bridge.recentCommands.mockResolvedValue({
      ok: true,
      commands: [
        { ...makeHistory('s-1').commands[1]!, clientId: 'cursor', seq: 7 },
        { ...makeHistory('s-2').commands[0]! },
      ],
    });
    renderDashboard(<SessionsView />, { bridge });
    const toggle = screen.getByRole('button', { name: 'Show commands of all sessions' });
    expect(bridge.recentCommands).not.toHaveBeenCalled();
    fireEvent.click(toggle);
    const region = await screen.findByRole('region', { name: 'Commands of all sessions' });
    const table = await within(region).findByRole('table');
    const found = within(table).getAllByRole('row').slice(1);
    expect(found.map((r) => cellsOf(r).slice(0, 3))).toEqual([
      ['s-1', '7', 'Get-Item nope'],
      ['s-2', '1', 'Get-Date'],
    ]);
    fireEvent.change(within(region).getByLabelText('Client'), { target: { value: 'cursor' } });
    expect(within(region).getAllByRole('row').slice(1).map((r) => cellsOf(r)[0])).toEqual(['s-1']);
    fireEvent.click(within(region).getByRole('button', { name: 'Show output of command 7 of session s-1' }));
    await waitFor(() => expect(bridge.historyEntry).toHaveBeenCalledWith('s-1', 7));
    fireEvent.click(within(region).getByRole('button', { name: 'Open session s-1' }));
    expect(screen.getByRole('heading', { name: 'Session s-1' })).toBeTruthy();
  });

  it('shows short durations in milliseconds', () => {
    expect(formatCommandDuration(42)).toBe('42 ms');
    expect(formatCommandDuration(65_000)).toBe('1m 05s');
  });
});

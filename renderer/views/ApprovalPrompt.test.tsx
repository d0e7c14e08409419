// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../common/approvals.js';
import { App } from './App.js';
import { ApprovalPrompts } from './ApprovalPrompt.js';
import { SessionsView } from './SessionsView.js';
import { makeSnapshot, makeStore, renderDashboard, T0 } from './testSupport.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  document.title = '';
});

function request(approvalId: string, patch: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    approvalId,
    sessionId: 's-1',
    clientId: 'claude-code',
    clientName: 'Claude Code',
    command: "Remove-Item -Recurse -Force 'C:\\src\\app\\build'",
    commandChars: 45,
    cwd: 'C:\\src\\app',
    rules: [{ name: 'recursive delete', description: 'Remove-Item with -Recurse', command: 'Remove-Item' }],
    requestedAt: T0 - 5_000,
    expiresAt: T0 + 115_000,
    ...patch,
  };
}

function storeWith(...approvals: ApprovalRequest[]) {
  const snapshot = makeSnapshot();
  snapshot.approvals = approvals;
  return makeStore('connected', snapshot);
}

describe('ApprovalPrompts', () => {
  it('shows nothing while no command waits', () => {
    renderDashboard(<ApprovalPrompts />);
    expect(screen.queryByRole('region')).toBeNull();
  });

  it('shows the exact command, the client, the directory, the rule and the time left, with the three answers', () => {
    renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1')) });
    const card = screen.getByRole('article', { name: /Claude Code \(claude\) wants to run/ });
    expect(within(card).getByLabelText('Command').textContent).toBe("Remove-Item -Recurse -Force 'C:\\src\\app\\build'");
    expect(within(card).getByText('C:\\src\\app')).toBeTruthy();
    expect(within(card).getByText('recursive delete')).toBeTruthy();
    expect(card.textContent).toContain('Remove-Item with -Recurse');
    expect(within(card).getByRole('timer').textContent).toBe('1m 55s, then denied without an answer');
    expect(within(card).getAllByRole('button').map((b) => b.textContent)).toEqual(['Approve once', 'Always for this session', 'Deny']);
    expect(screen.getByRole('heading', { name: 'A command waits for your approval' })).toBeTruthy();
  });

  it('shows markup in a command as text, never as HTML, with every line', () => {
    const command = '<img src=x onerror="alert(1)">\n$a = "<b>bold</b>"\nRemove-Item -Recurse $a';
    const { container } = renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1', { command, commandChars: command.length })) });
    expect(screen.getByLabelText('Command').textContent).toBe(command);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('says when the command shown is only the start of a longer one', () => {
    renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1', { command: 'x'.repeat(4000), commandChars: 9000 })) });
    expect(screen.getByText(/the first 4000 of 9000 characters/)).toBeTruthy();
  });

  it('names every rule matched, and counts the commands when several wait', () => {
    const two = request('apr_2', {
      clientName: undefined,
      clientId: 'cursor-1234567',
      command: 'git push --force',
      rules: [
        { name: 'force push', description: 'git with push and --force|-f', command: 'git' },
        { name: 'outside', description: 'any native command outside the workspace', command: 'git' },
      ],
    });
    renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1'), two) });
    expect(screen.getByRole('heading', { name: '2 commands wait for your approval' })).toBeTruthy();
    const card = screen.getByRole('article', { name: /cursor-1234567 wants to run/ });
    expect(within(card).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'force push: git with push and --force|-f (matched by git)',
      'outside: any native command outside the workspace (matched by git)',
    ]);
    expect(document.title).toMatch(/^\(2\) approval needed/);
  });

  it.each([
    ['Approve once', 'once'],
    ['Always for this session', 'session'],
    ['Deny', 'deny'],
  ] as const)('%s answers %s for that request', async (label, answer) => {
    const { bridge } = renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1'), request('apr_2', { clientName: 'Other' })) });
    const card = screen.getByRole('article', { name: /Other/ });
    await act(async () => fireEvent.click(within(card).getByRole('button', { name: label })));
    expect(bridge.answerApproval).toHaveBeenCalledExactlyOnceWith('apr_2', answer);
  });

  it('an answer that lost the race shows the reason, also after the request is gone', async () => {
    const store = storeWith(request('apr_1'));
    const { bridge } = renderDashboard(<ApprovalPrompts />, { store });
    const reason = 'No command waits for approval apr_1: it was already answered, timed out or cancelled.';
    bridge.answerApproval.mockResolvedValueOnce({ ok: false, reason });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve once' })));
    expect(screen.getByRole('alert').textContent).toBe(reason);
    // The tray's answer arrives: the card goes, the reason stays until dismissed.
    act(() => store.getState().applyEvents([{ type: 'approval.decided', request: request('apr_1'), decision: 'denied', by: 'tray', time: T0 }]));
    expect(screen.queryByRole('article')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain(reason);
    expect(screen.getByRole('alert').textContent).toContain("Remove-Item -Recurse -Force 'C:\\src\\app\\build'");
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('region')).toBeNull();
  });

  it('counts down live and says when the time is up', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    renderDashboard(<ApprovalPrompts />, { store: storeWith(request('apr_1', { expiresAt: T0 + 3_000 })), fixedClock: false });
    expect(screen.getByRole('timer').textContent).toBe('3s, then denied without an answer');
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByRole('timer').textContent).toBe('2s, then denied without an answer');
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.getByRole('timer').textContent).toBe('timed out: denied');
  });

  it('appears above every tab of the dashboard while a command waits, and goes when it is decided', () => {
    const store = makeStore();
    renderDashboard(<App />, { store });
    expect(screen.queryByRole('region', { name: 'Commands waiting for your approval' })).toBeNull();
    act(() => store.getState().applyEvents([{ type: 'approval.requested', request: request('apr_1'), time: T0 }]));
    for (const tab of ['Queue', 'Jobs', 'Events', 'Sessions']) {
      fireEvent.click(screen.getByRole('tab', { name: tab }));
      const region = screen.getByRole('region', { name: 'Commands waiting for your approval' });
      // Before the header and the tabs in the page.
      expect(region.compareDocumentPosition(screen.getByRole('tablist')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
    act(() => store.getState().applyEvents([{ type: 'approval.decided', request: request('apr_1'), decision: 'approved', by: 'client', time: T0 }]));
    expect(screen.queryByRole('region', { name: 'Commands waiting for your approval' })).toBeNull();
  });
});

describe('SessionsView and approvals', () => {
  it('says a session awaits approval while its command waits, shows that command, and offers to cancel it', async () => {
    const store = makeStore();
    const { bridge } = renderDashboard(<SessionsView />, { store });
    const row = () => screen.getByRole('row', { name: /s-2/ });
    expect(row().textContent).not.toContain('awaiting approval');
    expect(within(row()).getByRole('button', { name: 'Cancel command in s-2' })).toHaveProperty('disabled', true);
    act(() => store.getState().applyEvents([{ type: 'approval.requested', request: request('apr_1', { sessionId: 's-2', command: 'git push --force' }), time: T0 }]));
    const cells = within(row()).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(1, 3)).toEqual(['idle awaiting approval', 'git push --force']);
    await act(async () => fireEvent.click(within(row()).getByRole('button', { name: 'Cancel command in s-2' })));
    expect(bridge.cancelCommand).toHaveBeenCalledExactlyOnceWith('s-2');
  });
});

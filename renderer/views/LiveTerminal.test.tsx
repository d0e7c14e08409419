// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActionResult, TerminalRead } from '../../common/dashboard.js';
import { followTerminal, LiveTerminal } from './LiveTerminal.js';
import { makeFakeBridge, renderDashboard } from './testSupport.js';
import type { TerminalFactory, TerminalView } from './xtermView.js';

afterEach(() => {
  cleanup();
});

/** A screen that records what it was given, in order (`clear` as a marker). */
function fakeScreen() {
  const log: string[] = [];
  const view: TerminalView & { disposed: boolean } = {
    disposed: false,
    write: (data, done) => {
      log.push(data);
      queueMicrotask(done);
    },
    clear: () => log.push('<clear>'),
    dispose: () => {
      view.disposed = true;
    },
  };
  const factory: TerminalFactory = () => view;
  return { log, view, factory };
}

/** A readTerminal that answers from a script, then waits forever. */
function scripted(answers: ActionResult<TerminalRead>[]) {
  const calls: [string, number, number][] = [];
  const fn = vi.fn((sessionId: string, since: number, waitMs: number): Promise<ActionResult<TerminalRead>> => {
    calls.push([sessionId, since, waitMs]);
    const next = answers.shift();
    return next === undefined ? new Promise(() => undefined) : Promise.resolve(next);
  });
  return { fn, calls };
}

describe('followTerminal', () => {
  it('reads from the cursor the host gave, writes in order, and clears the screen on a resync', async () => {
    const bridge = makeFakeBridge();
    const { fn, calls } = scripted([
      { ok: true, data: 'PS> npm test\r\n', next: 14, reset: false, ended: false },
      { ok: true, data: 'pass 1\r\n', next: 22, reset: false, ended: false },
      { ok: true, data: 'recent screen', next: 900, reset: true, ended: false },
    ]);
    bridge.readTerminal.mockImplementation(fn);
    const { log, view } = fakeScreen();
    const states: string[] = [];
    const stop = followTerminal(bridge, 's-1', view, (s) => states.push(s.kind));
    await waitFor(() => expect(calls).toHaveLength(4));
    stop();
    expect(calls.map((c) => c[1])).toEqual([0, 14, 22, 900]);
    expect(calls[0]![2]).toBeGreaterThan(0);
    expect(log).toEqual(['PS> npm test\r\n', 'pass 1\r\n', '<clear>', 'recent screen']);
    expect(states).toEqual(['live', 'live', 'live']);
  });

  it('stops reading when the session ended, and when the host no longer knows it', async () => {
    const bridge = makeFakeBridge();
    bridge.readTerminal.mockResolvedValueOnce({ ok: true, data: 'bye\r\n', next: 5, reset: false, ended: true });
    const { view } = fakeScreen();
    const states: string[] = [];
    followTerminal(bridge, 's-1', view, (s) => states.push(s.kind));
    await waitFor(() => expect(states).toEqual(['ended']));
    expect(bridge.readTerminal).toHaveBeenCalledTimes(1);

    const other = makeFakeBridge();
    other.readTerminal.mockResolvedValueOnce({ ok: false, reason: 'No terminal for session "s-9": it never existed or ended long ago.' });
    const gone: string[] = [];
    followTerminal(other, 's-9', view, (s) => gone.push(s.kind));
    await waitFor(() => expect(gone).toEqual(['gone']));
    expect(other.readTerminal).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed read (the host restarting)', async () => {
    vi.useFakeTimers();
    try {
      const bridge = makeFakeBridge();
      bridge.readTerminal.mockResolvedValueOnce({ ok: false, reason: 'Cannot reach poshpool: offline' });
      const { view } = fakeScreen();
      const states: string[] = [];
      const stop = followTerminal(bridge, 's-1', view, (s) => states.push(s.kind));
      await vi.advanceTimersByTimeAsync(1_500);
      expect(states).toEqual(['retrying']);
      expect(bridge.readTerminal).toHaveBeenCalledTimes(2);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('LiveTerminal', () => {
  it('shows the terminal read-only, says a command is running, and Cancel sends Ctrl+C through cancel_command', async () => {
    const { factory, log } = fakeScreen();
    const bridge = makeFakeBridge();
    bridge.readTerminal.mockResolvedValueOnce({ ok: true, data: 'PS> npm test\r\n', next: 14, reset: false, ended: false });
    renderDashboard(<LiveTerminal sessionId="s-1" createTerminal={factory} />, { bridge });
    expect(screen.getByRole('region', { name: 'Terminal of session s-1 (read-only)' })).toBeTruthy();
    await waitFor(() => expect(log).toEqual(['PS> npm test\r\n']));
    expect(screen.getByRole('status').textContent).toBe('Live: npm test is running.');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: /Cancel the running command of session s-1/ }));
    });
    expect(bridge.cancelCommand).toHaveBeenCalledWith('s-1');
  });

  it('offers Cancel only while a command runs, and Terminate after a confirmation', async () => {
    const { factory } = fakeScreen();
    const { bridge } = renderDashboard(<LiveTerminal sessionId="s-2" createTerminal={factory} />);
    expect((screen.getByRole('button', { name: /Cancel the running command/ }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('status').textContent).toMatch(/idle/);
    fireEvent.click(screen.getByRole('button', { name: 'Terminate session s-2' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Yes, terminate' }));
    });
    expect(bridge.terminateSession).toHaveBeenCalledWith('s-2');
  });

  it('stops reading and disposes the screen when closed', () => {
    const { factory, view } = fakeScreen();
    const { unmount } = renderDashboard(<LiveTerminal sessionId="s-1" createTerminal={factory} />);
    unmount();
    expect(view.disposed).toBe(true);
  });
});

describe('LiveTerminal without a usable screen', () => {
  it('says the screen could not start, and does not read', () => {
    const { bridge } = renderDashboard(
      <LiveTerminal
        sessionId="s-1"
        createTerminal={() => {
          throw new Error('matchMedia is not a function');
        }}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('The terminal screen could not start in this window: matchMedia is not a function');
    expect(bridge.readTerminal).not.toHaveBeenCalled();
  });
});

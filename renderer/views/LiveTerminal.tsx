/**
 * A session's live terminal: what its commands print, as they print it, on an xterm.js screen the
 * person reads but cannot type into, with Cancel (Ctrl+C: cancel_command) and Terminate beside it.
 * Fed by a long poll (bridge.readTerminal): one read at a time, the next only once the screen has
 * parsed the last, so the host never sends faster than this view draws; a view that fell behind the
 * host's ring is resynced (the screen is cleared and redrawn from what the host keeps).
 */

import { useEffect, useRef, useState } from 'react';
import type { DashboardBridge } from '../../common/dashboard.js';
import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore } from './DashboardContext.js';
import { createXtermView, type TerminalFactory, type TerminalView } from './xtermView.js';
import './liveTerminal.css';

/** How long one read waits on the host for new output (ms). */
export const TERMINAL_WAIT_MS = 15_000;
/** Pause before reading again after a failed read (the host restarting, a network hiccup). */
export const TERMINAL_RETRY_MS = 1_000;

type FeedState = { kind: 'live' } | { kind: 'ended' } | { kind: 'gone'; reason: string } | { kind: 'retrying'; reason: string };

/** A failed read that will not get better by asking again (the host no longer knows the session). */
const GONE = /^No terminal for session/;

/**
 * Reads a session's terminal into `view` until stopped; reports its state. Returns the stopper.
 * Exported for tests.
 */
export function followTerminal(bridge: DashboardBridge, sessionId: string, view: TerminalView, onState: (s: FeedState) => void): () => void {
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const written = (data: string): Promise<void> => new Promise((resolve) => (data.length === 0 ? resolve() : view.write(data, resolve)));
  const loop = async (): Promise<void> => {
    let cursor = 0;
    while (!stopped) {
      const r = await bridge.readTerminal(sessionId, cursor, TERMINAL_WAIT_MS);
      if (stopped) return;
      if (!r.ok) {
        if (GONE.test(r.reason)) return onState({ kind: 'gone', reason: r.reason });
        onState({ kind: 'retrying', reason: r.reason });
        await new Promise<void>((resolve) => (retry = setTimeout(resolve, TERMINAL_RETRY_MS)));
        continue;
      }
      if (r.reset) view.clear();
      await written(r.data);
      cursor = r.next;
      if (r.ended) return onState({ kind: 'ended' });
      onState({ kind: 'live' });
    }
  };
  void loop();
  return () => {
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
  };
}

/** The live terminal of one session, with its Cancel and Terminate buttons. */
export function LiveTerminal(props: { sessionId: string; createTerminal?: TerminalFactory }) {
  const { sessionId } = props;
  const { bridge } = useDashboard();
  const session = useDashboardStore((s) => s.sessions[sessionId]);
  const screenRef = useRef<HTMLDivElement>(null);
  const [feed, setFeed] = useState<FeedState>({ kind: 'live' });
  const createTerminal = props.createTerminal ?? createXtermView;

  useEffect(() => {
    const element = screenRef.current;
    if (element === null) return;
    let view: TerminalView;
    try {
      view = createTerminal(element);
    } catch (e) {
      setFeed({ kind: 'gone', reason: `The terminal screen could not start in this window: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    setFeed({ kind: 'live' });
    const stop = followTerminal(bridge, sessionId, view, setFeed);
    return () => {
      stop();
      view.dispose();
    };
  }, [bridge, sessionId, createTerminal]);

  const commandRunning = session !== undefined && (session.state === 'running' || session.state === 'waitingForInput' || session.awaitingApproval === true);
  const status =
    feed.kind === 'ended' || (feed.kind === 'live' && session === undefined)
      ? 'The session has ended; this is what its terminal showed last.'
      : feed.kind === 'gone'
        ? feed.reason
        : feed.kind === 'retrying'
          ? `Reconnecting: ${feed.reason}`
          : commandRunning
            ? `Live: ${session?.currentCommand ?? 'a command'} is running.`
            : 'Live: the session is idle; output appears here as its next command runs.';

  return (
    <div className="live-terminal">
      <div className="live-terminal-bar">
        <p role="status" className="detail live-terminal-status">
          {status}
        </p>
        <ActionButton
          label="Cancel command"
          ariaLabel={`Cancel the running command of session ${sessionId} (Ctrl+C)`}
          disabled={!commandRunning}
          run={() => bridge.cancelCommand(sessionId)}
          describeSuccess={(r) => (r.wasRunning ? 'Cancelled' : 'Nothing was running')}
        />
        <ActionButton
          label="Terminate"
          ariaLabel={`Terminate session ${sessionId}`}
          danger
          disabled={session === undefined}
          confirm={`Terminate session ${sessionId}? Its running command stops and the session ends.`}
          run={() => bridge.terminateSession(sessionId)}
        />
      </div>
      <div
        ref={screenRef}
        className="live-terminal-screen"
        role="region"
        aria-label={`Terminal of session ${sessionId} (read-only)`}
        data-testid="live-terminal"
      />
    </div>
  );
}

/** One session's page: what it is (client, host when there are remote hosts, state, directory) and two tabs, its command history and its live terminal. */

import { useState, type KeyboardEvent, type ReactNode } from 'react';
import { ClientName } from './ClientName.js';
import { CommandHistory } from './CommandHistory.js';
import { useDashboardStore } from './DashboardContext.js';
import { hostLabel, useHostColumn } from './hostColumn.js';
import { LiveTerminal } from './LiveTerminal.js';

const DETAIL_TABS = [
  { id: 'history', label: 'History' },
  { id: 'terminal', label: 'Terminal' },
] as const;

type DetailTabId = (typeof DETAIL_TABS)[number]['id'];

/**
 * A session's page, opened from the sessions table. The session may have ended (it leaves the
 * table): its history stays readable here for a while (the host keeps it, bounded).
 */
export function SessionDetail(props: { sessionId: string; onBack: () => void }) {
  const { sessionId } = props;
  const session = useDashboardStore((s) => s.sessions[sessionId]);
  const [tab, setTab] = useState<DetailTabId>('history');
  // Where it runs, when sessions can run on more than this machine.
  const showHost = useHostColumn(session === undefined ? [] : [session]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = DETAIL_TABS.findIndex((t) => t.id === tab);
    const next = DETAIL_TABS[(i + 1) % DETAIL_TABS.length];
    if (next === undefined) return;
    setTab(next.id);
    document.getElementById(`detail-tab-${next.id}`)?.focus();
  };

  let panel: ReactNode;
  if (tab === 'history') panel = <CommandHistory sessionId={sessionId} />;
  else panel = <LiveTerminal sessionId={sessionId} />;

  return (
    <section className="session-detail" aria-labelledby="session-detail-title">
      <div className="session-detail-head">
        <button type="button" onClick={props.onBack}>
          ← Back to sessions
        </button>
        <h2 id="session-detail-title" title={sessionId}>
          Session {sessionId}
        </h2>
      </div>
      {session === undefined ? (
        <p className="detail">This session has ended; its history stays here for a while.</p>
      ) : (
        <dl className="session-facts">
          <dt>Client</dt>
          <dd>
            <ClientName clientId={session.clientId} />
          </dd>
          {showHost && (
            <>
              <dt>Host</dt>
              <dd>{hostLabel(session)}</dd>
            </>
          )}
          <dt>State</dt>
          <dd>{session.state}</dd>
          <dt>Directory</dt>
          <dd>
            <code>{session.cwd ?? '—'}</code>
          </dd>
          <dt>Commands</dt>
          <dd>{session.commandCount}</dd>
        </dl>
      )}
      <div role="tablist" aria-label={`Session ${sessionId}`} className="tabs" onKeyDown={onKeyDown}>
        {DETAIL_TABS.map((t) => (
          <button
            key={t.id}
            id={`detail-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === tab}
            aria-controls={`detail-panel-${t.id}`}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`detail-panel-${tab}`} aria-labelledby={`detail-tab-${tab}`}>
        {panel}
      </div>
    </section>
  );
}

/** The dashboard: sign-in when signed out; otherwise banners, commands waiting for approval, header and one tab per view. */

import { useState, type KeyboardEvent } from 'react';
import { ApprovalPrompts } from './ApprovalPrompt.js';
import { BackupsView } from './BackupsView.js';
import { useDashboardStore } from './DashboardContext.js';
import { DisconnectedBanner } from './DisconnectedBanner.js';
import { EventLog } from './EventLog.js';
import { Header } from './Header.js';
import { JobsView } from './JobsView.js';
import { QueueView } from './QueueView.js';
import { SessionsView } from './SessionsView.js';
import { SignIn } from './SignIn.js';

const TABS = [
  { id: 'sessions', label: 'Sessions', View: SessionsView },
  { id: 'queue', label: 'Queue', View: QueueView },
  { id: 'jobs', label: 'Jobs', View: JobsView },
  { id: 'backups', label: 'Backups', View: BackupsView },
  { id: 'events', label: 'Events', View: EventLog },
] as const;

type TabId = (typeof TABS)[number]['id'];

export function App() {
  const connection = useDashboardStore((s) => s.connection);
  const [tab, setTab] = useState<TabId>('sessions');

  if (connection.state === 'signedOut') return <SignIn />;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    if (next === undefined) return;
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  const active = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <div className="app">
      {connection.state === 'disconnected' && <DisconnectedBanner lastError={connection.lastError} />}
      <ApprovalPrompts />
      <Header />
      <div role="tablist" aria-label="Dashboard views" className="tabs" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === tab}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <main role="tabpanel" id={`panel-${active.id}`} aria-labelledby={`tab-${active.id}`} className="panel">
        <active.View />
      </main>
    </div>
  );
}

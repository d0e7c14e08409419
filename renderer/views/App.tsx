/** The dashboard: sign-in when signed out; otherwise banners, commands waiting for approval, header, the hosts (when more than this machine) and one tab per view. */

import { useState, type KeyboardEvent } from 'react';
import { ApprovalPrompts } from './ApprovalPrompt.js';
import { BackupsView } from './BackupsView.js';
import { useDashboardStore } from './DashboardContext.js';
import { DisconnectedBanner } from './DisconnectedBanner.js';
import { EventLog } from './EventLog.js';
import { Header } from './Header.js';
import { HostsPanel } from './HostsPanel.js';
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

/** Keys of the tab list: the index of the tab each one selects, from the current index and the count. */
const TAB_KEYS: Record<string, (i: number, n: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i + n - 1) % n,
  Home: () => 0,
  End: (_i, n) => n - 1,
};

export function App() {
  const connection = useDashboardStore((s) => s.connection);
  const [tab, setTab] = useState<TabId>('sessions');

  if (connection.state === 'signedOut') return <SignIn />;

  // The WAI-ARIA tabs pattern (automatic activation): arrows move between tabs and wrap, Home and
  // End go to the first and last; only the selected tab is in the Tab order, then the panel.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = TABS.findIndex((t) => t.id === tab);
    const target = TAB_KEYS[e.key]?.(i, TABS.length);
    const next = target === undefined ? undefined : TABS[target];
    if (next === undefined) return;
    e.preventDefault();
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  const active = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <div className="app">
      {connection.state === 'disconnected' && <DisconnectedBanner lastError={connection.lastError} />}
      <ApprovalPrompts />
      <Header />
      <HostsPanel />
      <div role="tablist" aria-label="Dashboard views" className="tabs" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === tab}
            // Only the shown panel exists; pointing at a missing one is an ARIA error.
            aria-controls={t.id === tab ? `panel-${t.id}` : undefined}
            tabIndex={t.id === tab ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <main role="tabpanel" id={`panel-${active.id}`} aria-labelledby={`tab-${active.id}`} className="panel" tabIndex={0}>
        <active.View />
      </main>
    </div>
  );
}

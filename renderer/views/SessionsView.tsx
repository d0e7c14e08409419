/** Lent sessions: owner, host (when there are remote hosts), state, the running command (or the one awaiting approval) with a live elapsed time; cancel and terminate. */

import { useMemo, useState } from 'react';
import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { formatDuration } from './format.js';
import { ClientName, clientLabel } from './ClientName.js';
import { CommandHistory } from './CommandHistory.js';
import { SessionDetail } from './SessionDetail.js';
import { ShortId } from './ShortId.js';
import { COMMAND_PREVIEW_CHARS } from '../store/reduceEvents.js';
import { hostLabel, useHostColumn } from './hostColumn.js';

export function SessionsView() {
  const { bridge } = useDashboard();
  const sessionMap = useDashboardStore((s) => s.sessions);
  const clients = useDashboardStore((s) => s.clients);
  const approvals = useDashboardStore((s) => s.approvals);
  // The command a session holds while it waits for approval (it has not started, so it is not currentCommand).
  const waitingCommand = useMemo(() => new Map(approvals.map((a) => [a.sessionId, a.command.slice(0, COMMAND_PREVIEW_CHARS)])), [approvals]);
  const sessions = useMemo(() => Object.values(sessionMap).sort((a, b) => a.lentAt - b.lentAt), [sessionMap]);
  const now = useNow();
  // The session whose page is open (its history and terminal), or null for the table.
  const [openId, setOpenId] = useState<string | null>(null);
  // Whether every session's newest commands are shown below the table (read from the host only then).
  const [showAll, setShowAll] = useState(false);
  // The Host column, only when sessions can run on more than this machine.
  const showHost = useHostColumn(sessions);

  if (openId !== null) return <SessionDetail sessionId={openId} onBack={() => setOpenId(null)} />;
  const allCommands = (
    <div className="all-history">
      <button type="button" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
        {showAll ? 'Hide commands of all sessions' : 'Show commands of all sessions'}
      </button>
      {showAll && <CommandHistory onOpenSession={setOpenId} />}
    </div>
  );
  if (sessions.length === 0) {
    return (
      <>
        <p className="empty">No sessions</p>
        {allCommands}
      </>
    );
  }

  return (
    <>
      <table>
        <caption>Lent sessions</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Client</th>
            {showHost && <th scope="col">Host</th>}
            <th scope="col">State</th>
            <th scope="col">Command</th>
            <th scope="col">Running for</th>
            <th scope="col">Idle for</th>
            <th scope="col">Directory</th>
            <th scope="col">Commands</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.sessionId}>
              <th scope="row">
                <ShortId id={s.sessionId} kind="session id" open={{ label: `Open session ${s.sessionId}`, onOpen: () => setOpenId(s.sessionId) }} />
              </th>
              <td>
                <ClientName clientId={s.clientId} />
              </td>
              {showHost && <td>{hostLabel(s)}</td>}
              <td>
                {s.state}
                {s.abandoned && <span className="badge"> abandoned</span>}
                {s.awaitingApproval === true && <span className="badge"> awaiting approval</span>}
              </td>
              <td>
                <code className="command">{s.currentCommand ?? waitingCommand.get(s.sessionId) ?? '—'}</code>
              </td>
              <td>{s.commandStartedAt === null ? '—' : formatDuration(now - s.commandStartedAt)}</td>
              <td>{s.currentCommand === null ? formatDuration(now - s.lastActivity) : '—'}</td>
              <td>
                <code>{s.cwd ?? '—'}</code>
              </td>
              <td>{s.commandCount}</td>
              <td className="actions">
                <ActionButton
                  label="Cancel command"
                  ariaLabel={`Cancel command in ${s.sessionId}`}
                  disabled={s.currentCommand === null && s.state !== 'running' && s.state !== 'waitingForInput' && s.awaitingApproval !== true}
                  run={() => bridge.cancelCommand(s.sessionId)}
                  describeSuccess={(r) => (r.wasRunning ? 'Cancelled' : 'Nothing was running')}
                />
                <ActionButton
                  label="Terminate"
                  ariaLabel={`Terminate ${s.sessionId}`}
                  danger
                  confirm={`Terminate session ${s.sessionId} of ${clientLabel(clients[s.clientId]?.name, s.clientId)}?`}
                  run={() => bridge.terminateSession(s.sessionId)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {allCommands}
    </>
  );
}

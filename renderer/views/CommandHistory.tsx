/**
 * A session's command history, or every session's newest commands: each command with its client,
 * start, duration, status, exit code and error count, failed ones marked; filtered by client and by
 * status; a command's output opens below it.
 */

import { Fragment, useEffect, useMemo, useState } from 'react';
import type { HistoryCommand } from '../../common/history.js';
import { ClientName, clientLabel } from './ClientName.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { formatCount, formatDuration } from './format.js';
import { HistoryOutput } from './HistoryOutput.js';
import { RelativeTime } from './RelativeTime.js';
import { ShortId } from './ShortId.js';

/** The status filter's choices. */
export const STATUS_FILTERS = [
  { id: 'all', label: 'All' },
  { id: 'failed', label: 'Failed' },
  { id: 'succeeded', label: 'Succeeded' },
  { id: 'running', label: 'Running' },
] as const;

export type StatusFilter = (typeof STATUS_FILTERS)[number]['id'];

/** Whether a command counts as failed: it ended without success (an error, an exit code, a cancel, a timeout, a dead session). */
export function isFailed(c: HistoryCommand): boolean {
  return c.status !== 'running' && c.success === false;
}

/** The command's outcome in words. */
export function outcomeOf(c: HistoryCommand): string {
  if (c.status === 'running') return 'Running';
  if (c.success === true) return 'Succeeded';
  switch (c.status) {
    case 'cancelled':
      return 'Cancelled';
    case 'timedOut':
      return 'Timed out';
    case 'sessionEnded':
      return 'Session ended';
    default:
      return 'Failed';
  }
}

/** A command's duration: milliseconds under a second, else as the other views show durations. */
export function formatCommandDuration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

function matches(c: HistoryCommand, status: StatusFilter, client: string): boolean {
  if (client !== 'all' && c.clientId !== client) return false;
  if (status === 'failed') return isFailed(c);
  if (status === 'succeeded') return c.success === true;
  if (status === 'running') return c.status === 'running';
  return true;
}

/** What was read: commands newest first, and for one session when and why it ended and how many older ones were dropped. */
interface Read {
  commands: HistoryCommand[];
  ended: { at: number; reason: string } | null;
  dropped: number;
}

type Loaded = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; read: Read };

function rowKey(c: HistoryCommand): string {
  return `${c.sessionId}:${c.seq}`;
}

/**
 * With `sessionId`, that session's history; without it, the newest commands of every session the
 * host keeps (a Session column, whose id opens the session's page through `onOpenSession`).
 */
export function CommandHistory(props: { sessionId?: string; onOpenSession?: (sessionId: string) => void }) {
  const { sessionId, onOpenSession } = props;
  const allSessions = sessionId === undefined;
  const { bridge } = useDashboard();
  const clients = useDashboardStore((s) => s.clients);
  // Re-read when a command starts or finishes (the store follows the events).
  const commandCount = useDashboardStore((s) => (sessionId === undefined ? (s.metrics?.commandsRun ?? -1) : (s.sessions[sessionId]?.commandCount ?? -1)));
  const running = useDashboardStore((s) =>
    sessionId === undefined ? Object.values(s.sessions).filter((x) => x.currentCommand !== null).length : (s.sessions[sessionId]?.currentCommand ?? null) !== null ? 1 : 0,
  );
  const lent = useDashboardStore((s) => (sessionId === undefined ? Object.keys(s.sessions).length : s.sessions[sessionId] !== undefined ? 1 : 0));
  const now = useNow();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [status, setStatus] = useState<StatusFilter>('all');
  const [client, setClient] = useState('all');
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const read: Promise<{ ok: true; read: Read } | { ok: false; reason: string }> =
      sessionId === undefined
        ? bridge.recentCommands().then((r) => (r.ok ? { ok: true, read: { commands: r.commands, ended: null, dropped: 0 } } : r))
        : bridge.sessionHistory(sessionId).then((r) => (r.ok ? { ok: true, read: { commands: [...r.history.commands].reverse(), ended: r.history.ended, dropped: r.history.dropped } } : r));
    read.then(
      (r) => {
        if (current) setLoaded(r.ok ? { state: 'ready', read: r.read } : { state: 'error', reason: r.reason });
      },
      (err: unknown) => {
        if (current) setLoaded({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, sessionId, commandCount, running, lent]);

  // Newest first: what happened last is what a person looks for.
  const commands = useMemo(() => (loaded.state === 'ready' ? loaded.read.commands : []), [loaded]);
  const clientIds = useMemo(() => [...new Set(commands.map((c) => c.clientId))], [commands]);
  const shown = useMemo(() => commands.filter((c) => matches(c, status, client)), [commands, status, client]);
  const failedCount = useMemo(() => commands.filter(isFailed).length, [commands]);

  if (loaded.state === 'loading') return <p role="status">Loading the history…</p>;
  if (loaded.state === 'error') {
    return (
      <p role="alert" className="error">
        {loaded.reason}
      </p>
    );
  }
  const history = loaded.read;
  const name = allSessions ? 'Commands of all sessions' : `Command history of session ${sessionId}`;
  const columns = allSessions ? 10 : 9;

  return (
    <section className="history" aria-label={name}>
      {history.ended !== null && (
        <p className="detail">
          The session ended <RelativeTime time={history.ended.at} now={now} /> ({history.ended.reason}).
        </p>
      )}
      <div className="history-filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            {STATUS_FILTERS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client{' '}
          <select value={client} onChange={(e) => setClient(e.target.value)}>
            <option value="all">All clients</option>
            {clientIds.map((id) => (
              <option key={id} value={id}>
                {clientLabel(clients[id]?.name, id)}
              </option>
            ))}
          </select>
        </label>
        <span className="detail">
          {formatCount(commands.length)} {commands.length === 1 ? 'command' : 'commands'}, {formatCount(failedCount)} failed
          {history.dropped > 0 && `; ${formatCount(history.dropped)} older ones are no longer kept`}
        </span>
      </div>
      {commands.length === 0 ? (
        <p className="empty">No commands yet.</p>
      ) : shown.length === 0 ? (
        <p className="empty">No command matches the filter.</p>
      ) : (
        <table className="history-table">
          <caption className="visually-hidden">{name}, newest first</caption>
          <thead>
            <tr>
              {allSessions && <th scope="col">Session</th>}
              <th scope="col">#</th>
              <th scope="col">Command</th>
              <th scope="col">Client</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Status</th>
              <th scope="col">Exit code</th>
              <th scope="col">Errors</th>
              <th scope="col">Output</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => {
              const failed = isFailed(c);
              const key = rowKey(c);
              const isOpen = open === key;
              const outputId = `history-output-${allSessions ? 'all' : 'one'}-${key}`;
              return (
                <Fragment key={key}>
                  <tr className={failed ? 'failed' : undefined} data-seq={c.seq}>
                    {allSessions && (
                      <td>
                        <ShortId id={c.sessionId} kind="session id" open={onOpenSession === undefined ? undefined : { label: `Open session ${c.sessionId}`, onOpen: () => onOpenSession(c.sessionId) }} />
                      </td>
                    )}
                    <td>{c.seq}</td>
                    <th scope="row">
                      <code className="command" title={c.commandChars > c.command.length ? `${formatCount(c.commandChars)} characters in all` : undefined}>
                        {c.command}
                      </code>
                    </th>
                    <td>
                      <ClientName clientId={c.clientId} />
                    </td>
                    <td>
                      <RelativeTime time={c.startedAt} now={now} />
                    </td>
                    <td>{c.durationMs === null ? formatDuration(now - c.startedAt) : formatCommandDuration(c.durationMs)}</td>
                    <td>
                      <span className={failed ? 'outcome outcome-failed' : c.status === 'running' ? 'outcome' : 'outcome outcome-ok'}>
                        {failed ? '✗ ' : c.success === true ? '✓ ' : ''}
                        {outcomeOf(c)}
                      </span>
                    </td>
                    <td>{c.exitCode ?? '—'}</td>
                    <td>{c.errorCount}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={isOpen}
                        aria-controls={outputId}
                        aria-label={`${isOpen ? 'Hide' : 'Show'} output of command ${c.seq}${allSessions ? ` of session ${c.sessionId}` : ''}`}
                        disabled={c.status === 'running'}
                        onClick={() => setOpen(isOpen ? null : key)}
                      >
                        {isOpen ? 'Hide' : 'Show'}
                      </button>
                    </td>
                  </tr>
                  {isOpen && (
                    <tr className="history-output-row">
                      <td colSpan={columns} id={outputId}>
                        <HistoryOutput sessionId={c.sessionId} seq={c.seq} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

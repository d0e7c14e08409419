/** Waiting requests: position, host (when there are remote hosts), priority (changeable), a live ETA countdown, cancel. */

import { useState } from 'react';
import type { Priority } from '../../common/events.js';
import type { QueueEntry } from '../store/dashboardState.js';
import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { countOf, formatDuration } from './format.js';
import { ShortId } from './ShortId.js';
import { ClientName } from './ClientName.js';
import { hostLabel, useHostColumn } from './hostColumn.js';

/** Milliseconds left of an entry's ETA at `now` (never below 0). */
export function remainingEta(entry: QueueEntry, now: number): number {
  return Math.max(0, entry.etaMs - (now - entry.etaGivenAt));
}

function PrioritySelect(props: { entry: QueueEntry }) {
  const { bridge } = useDashboard();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `priority-${props.entry.requestId}`;

  const change = async (priority: Priority): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const result = await bridge.changePriority(props.entry.requestId, priority);
      if (!result.ok) setError(result.reason);
    } catch (err) {
      // Failures are values; a throw is a bug, shown rather than lost.
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        Priority of {props.entry.requestId}
      </label>
      <select id={id} value={props.entry.priority} disabled={busy} onChange={(e) => void change(e.target.value as Priority)}>
        <option value="sync">sync</option>
        <option value="async">async</option>
      </select>
      {error !== null && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  );
}

export function QueueView() {
  const { bridge } = useDashboard();
  const queue = useDashboardStore((s) => s.queue);
  const now = useNow();
  // The Host column, only when sessions can run on more than this machine.
  const showHost = useHostColumn(queue);

  if (queue.length === 0) return <p className="empty">No requests waiting</p>;

  return (
    <table>
      <caption aria-live="polite">{countOf(queue.length, 'request')} waiting</caption>
      <thead>
        <tr>
          <th scope="col">Position</th>
          <th scope="col">Request</th>
          <th scope="col">Client</th>
          {showHost && <th scope="col">Host</th>}
          <th scope="col">Priority</th>
          <th scope="col">Waiting for</th>
          <th scope="col">ETA</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {queue.map((q) => {
          const left = remainingEta(q, now);
          return (
            <tr key={q.requestId}>
              <td>{q.position}</td>
              <th scope="row">
                <ShortId id={q.requestId} kind="request id" />
              </th>
              <td>
                <ClientName clientId={q.clientId} />
              </td>
              {showHost && <td>{hostLabel(q)}</td>}
              <td>
                <PrioritySelect entry={q} />
              </td>
              <td>{formatDuration(now - q.enqueuedAt)}</td>
              <td className="eta">{left === 0 ? 'any moment' : formatDuration(Math.ceil(left / 1000) * 1000)}</td>
              <td>
                <ActionButton label="Cancel" ariaLabel={`Cancel request ${q.requestId}`} run={() => bridge.cancelRequest(q.requestId)} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

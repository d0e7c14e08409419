/** The most recent events, newest first. */

import { useMemo } from 'react';
import { useDashboardStore, useNow } from './DashboardContext.js';
import { countOf, describeEvent, idsOf } from './format.js';
import { RelativeTime } from './RelativeTime.js';

/** Events the log shows. */
export const EVENT_LOG_ROWS = 100;

export function EventLog() {
  const log = useDashboardStore((s) => s.eventLog);
  const rows = useMemo(() => log.slice(-EVENT_LOG_ROWS).reverse(), [log]);
  const now = useNow();
  if (rows.length === 0) return <p className="empty">No events yet</p>;
  return (
    <table>
      <caption>Last {countOf(rows.length, 'event')}, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ seq, event }) => (
          <tr key={seq}>
            <td>
              <RelativeTime time={event.time} now={now} />
            </td>
            <td>
              <code>{event.type}</code>
            </td>
            <td title={idsOf(event) || undefined}>{describeEvent(event)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

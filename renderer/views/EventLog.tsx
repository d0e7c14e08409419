/** The most recent events, newest first. */

import { useMemo } from 'react';
import { useDashboardStore } from './DashboardContext.js';
import { describeEvent, formatTime } from './format.js';

/** Events the log shows. */
export const EVENT_LOG_ROWS = 100;

export function EventLog() {
  const log = useDashboardStore((s) => s.eventLog);
  const rows = useMemo(() => log.slice(-EVENT_LOG_ROWS).reverse(), [log]);
  if (rows.length === 0) return <p className="empty">No events yet</p>;
  return (
    <table>
      <caption>Last {rows.length} events, newest first</caption>
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
              <time dateTime={new Date(event.time).toISOString()}>{formatTime(event.time)}</time>
            </td>
            <td>
              <code>{event.type}</code>
            </td>
            <td>{describeEvent(event)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

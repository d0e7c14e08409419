/** A moment as "12 s ago" (moving with the view's clock), the date and time on hover. */

import { formatDateTime, formatRelative } from './format.js';

export function RelativeTime(props: { time: number; now: number }) {
  const { time, now } = props;
  return (
    <time dateTime={new Date(time).toISOString()} title={formatDateTime(time)}>
      {formatRelative(time, now)}
    </time>
  );
}

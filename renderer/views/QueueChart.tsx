/**
 * A small SVG chart of the last hour: the queue depth (a solid step line) and the longest wait of a
 * request (a dashed step line, on its own scale), from the store's 10 s samples. No chart library:
 * two paths of at most 360 steps, redrawn on the view's 1 s tick.
 */

import { useId } from 'react';
import type { QueueDepthSample } from '../store/dashboardState.js';
import { QUEUE_DEPTH_WINDOW_MS } from '../store/reduceEvents.js';
import { formatCount, formatDuration } from './format.js';

const WIDTH = 240;
const HEIGHT = 48;
/** Room above and below the lines, so a line at 0 or at the top stays visible. */
const PAD = 2;

/** A step path of `value` over the window, scaled so `top` reaches the top. */
function stepPath(samples: readonly QueueDepthSample[], value: (s: QueueDepthSample) => number, top: number, start: number): string {
  const x = (t: number): string => (((t - start) / QUEUE_DEPTH_WINDOW_MS) * WIDTH).toFixed(1);
  const y = (v: number): string => (HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD)).toFixed(1);
  let path = '';
  samples.forEach((s, i) => {
    path += i === 0 ? `M${x(s.time)},${y(value(s))}` : `H${x(s.time)}V${y(value(s))}`;
  });
  return path === '' ? '' : `${path}H${WIDTH}`;
}

export function QueueChart(props: { samples: readonly QueueDepthSample[]; now: number }) {
  const { samples, now } = props;
  const captionId = useId();
  const start = now - QUEUE_DEPTH_WINDOW_MS;
  const visible = samples.filter((s) => s.time >= start);
  let peak = 0;
  let longest = 0;
  for (const s of visible) {
    peak = Math.max(peak, s.depth);
    longest = Math.max(longest, s.waitMs);
  }
  const current = visible[visible.length - 1]?.depth ?? 0;
  const depthPath = stepPath(visible, (s) => s.depth, Math.max(peak, 1), start);
  const waitPath = longest > 0 ? stepPath(visible, (s) => s.waitMs, longest, start) : '';

  const minutes = Math.round(QUEUE_DEPTH_WINDOW_MS / 60_000);
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-label={`Queue depth over the last ${minutes} minutes: now ${formatCount(current)}, peak ${formatCount(peak)}; longest wait ${formatDuration(longest)}`}
        aria-describedby={captionId}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
      >
        <line className="axis" x1={0} y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} />
        {waitPath !== '' && <path className="wait" d={waitPath} fill="none" />}
        {depthPath !== '' && <path className="line" d={depthPath} fill="none" />}
      </svg>
      <figcaption id={captionId}>
        Last {minutes} min: <span className="key-depth" aria-hidden="true">━</span> queue depth (peak {formatCount(peak)}),{' '}
        <span className="key-wait" aria-hidden="true">╌</span> longest wait ({formatDuration(longest)})
      </figcaption>
    </figure>
  );
}

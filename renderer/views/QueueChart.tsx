/** A small SVG step chart of the queue depth over the store's history window. */

import type { QueueDepthSample } from '../store/dashboardState.js';
import { QUEUE_DEPTH_WINDOW_MS } from '../store/reduceEvents.js';

const WIDTH = 240;
const HEIGHT = 48;

export function QueueChart(props: { samples: readonly QueueDepthSample[]; now: number }) {
  const { samples, now } = props;
  const start = now - QUEUE_DEPTH_WINDOW_MS;
  const visible = samples.filter((s) => s.time >= start);
  const peak = visible.reduce((m, s) => Math.max(m, s.depth), 0);
  const current = visible[visible.length - 1]?.depth ?? 0;
  const top = Math.max(peak, 1);
  const x = (t: number): number => ((t - start) / QUEUE_DEPTH_WINDOW_MS) * WIDTH;
  const y = (d: number): number => HEIGHT - 2 - (d / top) * (HEIGHT - 4);

  let path = '';
  visible.forEach((s, i) => {
    path += i === 0 ? `M${x(s.time).toFixed(1)},${y(s.depth).toFixed(1)}` : `H${x(s.time).toFixed(1)}V${y(s.depth).toFixed(1)}`;
  });
  if (visible.length > 0) path += `H${WIDTH}`;

  const minutes = Math.round(QUEUE_DEPTH_WINDOW_MS / 60_000);
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-label={`Queue depth over the last ${minutes} minutes: now ${current}, peak ${peak}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
      >
        <line className="axis" x1={0} y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} />
        {path !== '' && <path className="line" d={path} fill="none" />}
      </svg>
      <figcaption>
        Queue depth, last {minutes} min (peak {peak})
      </figcaption>
    </figure>
  );
}

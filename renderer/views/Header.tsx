/** The header: pool health and the scheduler's figures, with the queue-depth chart. */

import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { formatWait } from './format.js';
import { QueueChart } from './QueueChart.js';

export function Header() {
  const metrics = useDashboardStore((s) => s.metrics);
  const history = useDashboardStore((s) => s.queueDepthHistory);
  const now = useNow();
  const { bridge } = useDashboard();

  return (
    <header className="header">
      <h1>poshpool</h1>
      {metrics === null ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <div role="status" className={`pool pool-${metrics.poolState}`}>
            Pool: {metrics.poolState}
            {metrics.poolState === 'degraded' && metrics.poolDegradedReason !== '' && <> — {metrics.poolDegradedReason}</>}
            {metrics.paused && <span className="paused"> · new sessions paused (requests wait in the queue)</span>}
          </div>
          <ActionButton
            label={metrics.paused ? 'Resume new sessions' : 'Pause new sessions'}
            run={() => bridge.setPaused(!metrics.paused)}
          />
          <dl className="metrics">
            <div>
              <dt>Active sessions</dt>
              <dd>
                {metrics.activeSessions} / {metrics.maxSessions}
              </dd>
            </div>
            <div>
              <dt>Free</dt>
              <dd>{metrics.freeSlots}</dd>
            </div>
            <div>
              <dt>Warm</dt>
              <dd>{metrics.warmSessions}</dd>
            </div>
            <div>
              <dt>Queue</dt>
              <dd>
                {metrics.queueDepth} ({metrics.queueDepthSync} sync, {metrics.queueDepthAsync} async)
              </dd>
            </div>
            <div>
              <dt>Average wait</dt>
              <dd>
                sync {formatWait(metrics.averageWaitMs.sync)}, async {formatWait(metrics.averageWaitMs.async)}
              </dd>
            </div>
            <div>
              <dt>Commands</dt>
              <dd>
                {metrics.commandsRun} ({metrics.commandsFailed} failed)
              </dd>
            </div>
          </dl>
          <QueueChart samples={history} now={now} />
        </>
      )}
    </header>
  );
}

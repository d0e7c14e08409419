/** The header: pool health and the scheduler's figures (labelled, grouped, with units), the queue chart and the theme choice. */

import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { countOf, formatCount, formatWait } from './format.js';
import { QueueChart } from './QueueChart.js';
import { ThemeSwitch } from './ThemeSwitch.js';
import { hasRemoteHosts } from '../store/reduceHosts.js';

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
            {/* With remote hosts these figures are this machine's; the hosts table gives each host's. */}
            {hasRemoteHosts(metrics) ? 'Pool on this machine' : 'Pool'}: {metrics.poolState}
            {metrics.poolState === 'degraded' && metrics.poolDegradedReason !== '' && <> — {metrics.poolDegradedReason}</>}
            {metrics.paused && <span className="paused"> · new sessions paused (requests wait in the queue)</span>}
          </div>
          <ActionButton
            label={metrics.paused ? 'Resume new sessions' : 'Pause new sessions'}
            run={() => bridge.setPaused(!metrics.paused)}
          />
          <dl className="metrics">
            <div>
              <dt>Sessions in use</dt>
              <dd>
                {formatCount(metrics.activeSessions)} <span className="unit">of {formatCount(metrics.maxSessions)}</span>
              </dd>
            </div>
            <div>
              <dt>Free slots</dt>
              <dd>{formatCount(metrics.freeSlots)}</dd>
            </div>
            <div>
              <dt>Warm, ready</dt>
              <dd>{formatCount(metrics.warmSessions)}</dd>
            </div>
            <div>
              <dt>Queue</dt>
              <dd>
                {countOf(metrics.queueDepth, 'request')} <span className="unit">waiting</span>{' '}
                <span className="unit">
                  ({formatCount(metrics.queueDepthSync)} sync · {formatCount(metrics.queueDepthAsync)} async)
                </span>
              </dd>
            </div>
            <div>
              <dt>Average wait</dt>
              <dd>
                {formatWait(metrics.averageWaitMs.sync)} <span className="unit">sync</span> · {formatWait(metrics.averageWaitMs.async)}{' '}
                <span className="unit">async</span>
              </dd>
            </div>
            <div>
              <dt>Commands run</dt>
              <dd>
                {formatCount(metrics.commandsRun)}{' '}
                <span className={metrics.commandsFailed > 0 ? 'unit error' : 'unit'}>({formatCount(metrics.commandsFailed)} failed)</span>
              </dd>
            </div>
          </dl>
          <QueueChart samples={history} now={now} />
        </>
      )}
      <ThemeSwitch />
    </header>
  );
}

/** Background jobs: status, duration (live while running), and an output viewer for finished ones. */

import { useMemo, useState } from 'react';
import { useDashboardStore, useNow } from './DashboardContext.js';
import { formatDuration } from './format.js';
import { RelativeTime } from './RelativeTime.js';
import { ShortId } from './ShortId.js';
import { JobOutput } from './JobOutput.js';
import { ClientName } from './ClientName.js';

export function JobsView() {
  const jobMap = useDashboardStore((s) => s.jobs);
  const jobs = useMemo(() => Object.values(jobMap).sort((a, b) => b.startedAt - a.startedAt), [jobMap]);
  const now = useNow();
  const [viewing, setViewing] = useState<string | null>(null);

  if (jobs.length === 0) return <p className="empty">No jobs</p>;

  return (
    <>
      <table>
        <caption>Background jobs</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Client</th>
            <th scope="col">Command</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Output</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.jobId}>
              <th scope="row">
                <ShortId id={j.jobId} kind="job id" />
              </th>
              <td>
                <ClientName clientId={j.clientId} />
              </td>
              <td>
                <code className="command">{j.command}</code>
              </td>
              <td className={`status status-${j.status}`}>
                {j.status}
                {j.result?.exitCode != null && ` (exit ${j.result.exitCode})`}
                {j.message !== null && <div className="detail">{j.message}</div>}
              </td>
              <td>
                <RelativeTime time={j.startedAt} now={now} />
              </td>
              <td>{formatDuration((j.endedAt ?? now) - j.startedAt)}</td>
              <td>
                {j.status === 'running' ? (
                  j.outputSoFar === null ? (
                    '—'
                  ) : (
                    <pre className="output-text">{j.outputSoFar.output}</pre>
                  )
                ) : (
                  <button type="button" aria-label={`Show output of ${j.jobId}`} onClick={() => setViewing(j.jobId)}>
                    Show output
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {viewing !== null && <JobOutput key={viewing} jobId={viewing} onClose={() => setViewing(null)} />}
    </>
  );
}

/** Pages through a finished job's whole output via bridge.jobPage. */

import { useEffect, useState } from 'react';
import type { OutputPage } from '../../common/shell.js';
import { useDashboard } from './DashboardContext.js';

type Loaded = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; page: OutputPage };

export function JobOutput(props: { jobId: string; onClose: () => void }) {
  const { bridge } = useDashboard();
  const [pageNo, setPageNo] = useState(0);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    bridge.jobPage(props.jobId, pageNo).then(
      (r) => {
        if (current) setLoaded(r.ok ? { state: 'ready', page: r.page } : { state: 'error', reason: r.reason });
      },
      (err: unknown) => {
        if (current) setLoaded({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, props.jobId, pageNo]);

  const pages = loaded.state === 'ready' ? loaded.page.pages : null;
  return (
    <section className="output" aria-label={`Output of job ${props.jobId}`}>
      <h3>Output of job {props.jobId}</h3>
      <div className="pager">
        <button type="button" disabled={pageNo === 0} onClick={() => setPageNo((p) => p - 1)}>
          Previous page
        </button>{' '}
        <span>{pages === null ? `Page ${pageNo + 1}` : `Page ${pageNo + 1} of ${pages}`}</span>{' '}
        <button type="button" disabled={pages === null || pageNo + 1 >= pages} onClick={() => setPageNo((p) => p + 1)}>
          Next page
        </button>{' '}
        <button type="button" onClick={props.onClose}>
          Close output
        </button>
      </div>
      {loaded.state === 'loading' && <p role="status">Loading…</p>}
      {loaded.state === 'error' && (
        <p role="alert" className="error">
          {loaded.reason}
        </p>
      )}
      {loaded.state === 'ready' && <pre className="output-text">{loaded.page.text === '' ? '(no output)' : loaded.page.text}</pre>}
    </section>
  );
}

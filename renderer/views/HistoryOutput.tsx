/**
 * What one recorded command left: its error records and its output, inline up to the result cap;
 * a longer output is read page by page from the host's output store.
 */

import { useEffect, useState } from 'react';
import type { HistoryEntry } from '../../common/history.js';
import type { OutputPage } from '../../common/shell.js';
import { useDashboard } from './DashboardContext.js';
import { formatCount } from './format.js';

type Loaded<T> = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; value: T };

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function HistoryOutput(props: { sessionId: string; seq: number }) {
  const { sessionId, seq } = props;
  const { bridge } = useDashboard();
  const [entry, setEntry] = useState<Loaded<HistoryEntry>>({ state: 'loading' });
  // null: the inline output; a number: that page of the whole output.
  const [pageNo, setPageNo] = useState<number | null>(null);
  const [page, setPage] = useState<Loaded<OutputPage>>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    bridge.historyEntry(sessionId, seq).then(
      (r) => {
        if (current) setEntry(r.ok ? { state: 'ready', value: r.entry } : { state: 'error', reason: r.reason });
      },
      (err: unknown) => {
        if (current) setEntry({ state: 'error', reason: reasonOf(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, sessionId, seq]);

  useEffect(() => {
    if (pageNo === null) return;
    let current = true;
    setPage({ state: 'loading' });
    bridge.historyPage(sessionId, seq, pageNo).then(
      (r) => {
        if (current) setPage(r.ok ? { state: 'ready', value: r.page } : { state: 'error', reason: r.reason });
      },
      (err: unknown) => {
        if (current) setPage({ state: 'error', reason: reasonOf(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, sessionId, seq, pageNo]);

  if (entry.state === 'loading') return <p role="status">Loading the output…</p>;
  if (entry.state === 'error') {
    return (
      <p role="alert" className="error">
        {entry.reason}
      </p>
    );
  }
  const e = entry.value;
  const pages = page.state === 'ready' ? page.value.pages : null;

  return (
    <div className="history-output" aria-label={`Output of command ${seq}`} role="region">
      {e.message !== null && <p className="detail">{e.message}</p>}
      {e.errors.length > 0 && (
        <div className="history-errors">
          <h4>
            {e.errorCount === 1 ? '1 error' : `${formatCount(e.errorCount)} errors`}
            {e.errorCount > e.errors.length && ` (the first ${e.errors.length} kept)`}
          </h4>
          <ol>
            {e.errors.map((err, i) => (
              <li key={i}>
                <span className="error">{err.message}</span>
                {err.position !== '' && <pre className="error-position">{err.position}</pre>}
              </li>
            ))}
          </ol>
        </div>
      )}
      {e.paged && (
        <div className="pager">
          {pageNo === null ? (
            <>
              <span className="detail">
                Head and tail of {formatCount(e.outputBytes)} bytes shown.
              </span>
              <button type="button" onClick={() => setPageNo(0)}>
                Read the whole output
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled={pageNo === 0} onClick={() => setPageNo(pageNo - 1)}>
                Previous page
              </button>
              <span>{pages === null ? `Page ${pageNo + 1}` : `Page ${pageNo + 1} of ${pages}`}</span>
              <button type="button" disabled={pages === null || pageNo + 1 >= pages} onClick={() => setPageNo(pageNo + 1)}>
                Next page
              </button>
              <button type="button" onClick={() => setPageNo(null)}>
                Back to head and tail
              </button>
            </>
          )}
        </div>
      )}
      {pageNo === null ? (
        <pre className="output-text">{e.output === '' ? '(no output)' : e.output}</pre>
      ) : page.state === 'loading' ? (
        <p role="status">Loading page {pageNo + 1}…</p>
      ) : page.state === 'error' ? (
        <p role="alert" className="error">
          {page.reason}
        </p>
      ) : (
        <pre className="output-text" aria-label={`Page ${pageNo + 1} of the output of command ${seq}`}>
          {page.value.text}
        </pre>
      )}
    </div>
  );
}

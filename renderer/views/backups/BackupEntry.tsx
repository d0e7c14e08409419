/**
 * One backup in a folder's timeline: when, why, the files it changed (each with its diff against the
 * previous backup and against now, and a restore of that file alone), and the whole backup's diffs
 * and restore. A diff or a restore confirmation opens inside the entry it belongs to.
 */

import { useState } from 'react';
import type { BackupSummary } from '../../../common/dashboard.js';
import { useDashboard } from '../DashboardContext.js';
import { formatDateTime, shortId } from '../format.js';
import { DiffView } from './DiffView.js';
import { RestoreConfirm, type RestoreOutcome } from './RestoreConfirm.js';

type Against = 'parent' | 'now';

type DiffState = { against: Against; path: string | undefined } & ({ state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; text: string });

type Panel = { kind: 'none' } | { kind: 'diff'; diff: DiffState } | { kind: 'restore'; path: string | undefined };

/** What the diff compares, in words, for its heading and its column names. */
function sidesOf(against: Against): { title: string; old: string; new: string } {
  return against === 'parent'
    ? { title: 'since the previous backup', old: 'the previous backup', new: 'this backup' }
    : { title: 'compared with the files now', old: 'this backup', new: 'the files now' };
}

/** Whether a file of the backup's list is absent from the backup (deleted by it): nothing to restore. */
function deletedIn(status: string): boolean {
  return status === 'deleted' || status === 'D';
}

export function BackupEntry(props: { folder: string; backup: BackupSummary; isSafetyBackup: boolean; onRestored: (outcome: RestoreOutcome) => void }) {
  const { bridge } = useDashboard();
  const { backup, folder } = props;
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const short = shortId(backup.id);

  const showDiff = (against: Against, path?: string): void => {
    const start: DiffState = { against, path, state: 'loading' };
    setPanel({ kind: 'diff', diff: start });
    const settle = (diff: DiffState): void =>
      setPanel((p) => (p.kind === 'diff' && p.diff.against === against && p.diff.path === path ? { kind: 'diff', diff } : p));
    const call = path === undefined ? bridge.backupDiff(folder, backup.id, against) : bridge.backupDiff(folder, backup.id, against, path);
    call.then(
      (r) => settle(r.ok ? { against, path, state: 'ready', text: r.diff } : { against, path, state: 'error', reason: r.reason }),
      (err: unknown) => settle({ against, path, state: 'error', reason: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <li className={props.isSafetyBackup ? 'safety' : undefined}>
      <time dateTime={new Date(backup.time).toISOString()}>{formatDateTime(backup.time)}</time>{' '}
      <code title={backup.id}>{short}</code> <span className="message">{backup.message}</span>{' '}
      <span className="files">
        {backup.filesChanged} {backup.filesChanged === 1 ? 'file' : 'files'} changed
      </span>
      {props.isSafetyBackup && <span className="tag"> · safety backup made before your restore</span>}
      {backup.files.length > 0 && (
        <details>
          <summary>Files</summary>
          <ul className="backup-files">
            {backup.files.map((f) => (
              <li key={f.path}>
                <code>{f.status}</code> {f.oldPath !== undefined ? `${f.oldPath} → ` : ''}
                <code>{f.path}</code>
                {f.additions !== null && f.deletions !== null && ` (+${f.additions} −${f.deletions})`}{' '}
                <button type="button" aria-label={`Diff with previous: ${f.path} in ${backup.id}`} onClick={() => showDiff('parent', f.path)}>
                  Diff with previous
                </button>{' '}
                <button type="button" aria-label={`Diff with now: ${f.path} in ${backup.id}`} onClick={() => showDiff('now', f.path)}>
                  Diff with now
                </button>
                {!deletedIn(f.status) && (
                  <>
                    {' '}
                    <button type="button" className="danger" aria-label={`Restore this file: ${f.path} from ${backup.id}`} onClick={() => setPanel({ kind: 'restore', path: f.path })}>
                      Restore this file
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="actions">
        <button type="button" aria-label={`Diff with previous: backup ${backup.id}`} onClick={() => showDiff('parent')}>
          Diff with previous
        </button>{' '}
        <button type="button" aria-label={`Diff with now: backup ${backup.id}`} onClick={() => showDiff('now')}>
          Diff with now
        </button>{' '}
        <button type="button" className="danger" aria-label={`Restore folder: backup ${backup.id}`} onClick={() => setPanel({ kind: 'restore', path: undefined })}>
          Restore folder
        </button>
      </div>
      {panel.kind === 'diff' && <DiffPanel backup={backup} diff={panel.diff} onClose={() => setPanel({ kind: 'none' })} />}
      {panel.kind === 'restore' && (
        <RestoreConfirm
          folder={folder}
          backup={backup}
          path={panel.path}
          onCancel={() => setPanel({ kind: 'none' })}
          onRestored={(outcome) => {
            setPanel({ kind: 'none' });
            props.onRestored(outcome);
          }}
        />
      )}
    </li>
  );
}

function DiffPanel(props: { backup: BackupSummary; diff: DiffState; onClose: () => void }) {
  const { diff, backup } = props;
  const sides = sidesOf(diff.against);
  return (
    <section className="diff" aria-label={`Diff of ${diff.path === undefined ? backup.id : `${diff.path} in ${backup.id}`} against ${diff.against}`}>
      <h4>
        {diff.path === undefined ? 'Changes' : <>Changes to <code>{diff.path}</code></>} {sides.title}{' '}
        <button type="button" onClick={props.onClose}>
          Close diff
        </button>
      </h4>
      {diff.state === 'loading' && <p role="status">Loading…</p>}
      {diff.state === 'error' && (
        <p role="alert" className="error">
          {diff.reason}
        </p>
      )}
      {diff.state === 'ready' && <DiffView text={diff.text} sides={sides} />}
    </section>
  );
}

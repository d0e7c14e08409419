/** One watched folder: its backup timeline (fetched when missing), diffs and restore. */

import { useEffect, useState } from 'react';
import type { BackupSummary, WatchedFolder } from '../../common/dashboard.js';
import { ActionButton } from './ActionButton.js';
import { useDashboard, useDashboardStore } from './DashboardContext.js';
import { formatDateTime } from './format.js';

/** Backups fetched per folder. */
export const BACKUP_HISTORY_LIMIT = 50;

type Diff = { backupId: string; against: 'parent' | 'now' } & ({ state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; text: string });

function DiffView(props: { diff: Diff }) {
  const { diff } = props;
  return (
    <section className="diff" aria-label={`Diff of ${diff.backupId} against ${diff.against}`}>
      <h4>
        Changes in {diff.backupId} {diff.against === 'parent' ? 'since the previous backup' : 'compared with now'}
      </h4>
      {diff.state === 'loading' && <p role="status">Loading…</p>}
      {diff.state === 'error' && (
        <p role="alert" className="error">
          {diff.reason}
        </p>
      )}
      {diff.state === 'ready' &&
        (diff.text === '' ? (
          <p>No differences</p>
        ) : (
          <pre className="diff-text">
            {diff.text.split('\n').map((line, i) => (
              <span key={i} className={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : undefined}>
                {line}
                {'\n'}
              </span>
            ))}
          </pre>
        ))}
    </section>
  );
}

function BackupEntry(props: { folder: string; backup: BackupSummary; onDiff: (against: 'parent' | 'now') => void }) {
  const { bridge } = useDashboard();
  const { backup, folder } = props;
  return (
    <li>
      <time dateTime={new Date(backup.time).toISOString()}>{formatDateTime(backup.time)}</time>{' '}
      <span className="message">{backup.message}</span>{' '}
      <span className="files">
        {backup.filesChanged} {backup.filesChanged === 1 ? 'file' : 'files'} changed
      </span>
      {backup.files.length > 0 && (
        <details>
          <summary>Files</summary>
          <ul>
            {backup.files.map((f) => (
              <li key={f.path}>
                <code>{f.status}</code> {f.oldPath !== undefined ? `${f.oldPath} → ` : ''}
                {f.path}
                {f.additions !== null && f.deletions !== null && ` (+${f.additions} −${f.deletions})`}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="actions">
        <button type="button" aria-label={`Diff ${backup.id} with previous backup`} onClick={() => props.onDiff('parent')}>
          Diff with previous
        </button>{' '}
        <button type="button" aria-label={`Diff ${backup.id} with now`} onClick={() => props.onDiff('now')}>
          Diff with now
        </button>{' '}
        <ActionButton
          label="Restore"
          ariaLabel={`Restore ${backup.id}`}
          danger
          confirm={`Restore ${folder} to the backup of ${formatDateTime(backup.time)}? Current files are backed up first.`}
          run={() => bridge.restoreBackup(folder, backup.id)}
          describeSuccess={(r) => `Restored ${r.restored.length} files, removed ${r.removed.length}. Undo id: ${r.undoId}`}
        />
      </div>
    </li>
  );
}

export function FolderBackups(props: { folder: WatchedFolder }) {
  const { bridge, store } = useDashboard();
  const folder = props.folder.folder;
  const history = useDashboardStore((s) => s.backups.history[folder]);
  const [error, setError] = useState<string | null>(null);
  const [diff, setDiff] = useState<Diff | null>(null);

  useEffect(() => {
    if (history !== undefined) return;
    let current = true;
    bridge.backups(folder, BACKUP_HISTORY_LIMIT).then(
      (r) => {
        if (!current) return;
        if (r.ok) store.getState().setBackupHistory(folder, r.backups);
        else setError(r.reason);
      },
      (err: unknown) => {
        if (current) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, store, folder, history]);

  const showDiff = (backupId: string, against: 'parent' | 'now'): void => {
    setDiff({ backupId, against, state: 'loading' });
    bridge.backupDiff(folder, backupId, against).then(
      (r) => setDiff(r.ok ? { backupId, against, state: 'ready', text: r.diff } : { backupId, against, state: 'error', reason: r.reason }),
      (err: unknown) => setDiff({ backupId, against, state: 'error', reason: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <section className="folder" aria-label={`Backups of ${folder}`}>
      <h3>
        <code>{folder}</code>
      </h3>
      <p className="detail">
        {props.folder.running ? 'Backing up now' : 'Watched'} · last backup{' '}
        {props.folder.lastBackupAt === null ? 'never' : formatDateTime(props.folder.lastBackupAt)}
      </p>
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {history === undefined ? (
        error === null && <p role="status">Loading backups…</p>
      ) : history.backups.length === 0 ? (
        <p className="empty">No backups yet</p>
      ) : (
        <ol className="timeline">
          {history.backups.map((b) => (
            <BackupEntry key={b.id} folder={folder} backup={b} onDiff={(against) => showDiff(b.id, against)} />
          ))}
        </ol>
      )}
      {diff !== null && <DiffView diff={diff} />}
    </section>
  );
}

/** One watched folder: its backup timeline (fetched when missing), each backup's diffs and restores, and the last restore's result. */

import { useCallback, useEffect, useRef, useState } from 'react';
import type { WatchedFolder } from '../../common/dashboard.js';
import { BackupEntry } from './backups/BackupEntry.js';
import type { RestoreOutcome } from './backups/RestoreConfirm.js';
import { useDashboard, useDashboardStore } from './DashboardContext.js';
import { formatDateTime, shortId } from './format.js';

/** Backups fetched per folder. */
export const BACKUP_HISTORY_LIMIT = 50;

/** Names listed in a restore's result before the rest are counted. */
const LISTED_FILES = 20;

function fileList(paths: string[]): string {
  const shown = paths.slice(0, LISTED_FILES).join(', ');
  return paths.length > LISTED_FILES ? `${shown} and ${paths.length - LISTED_FILES} more` : shown;
}

function RestoreResult(props: { outcome: RestoreOutcome; onDismiss: () => void }) {
  const { outcome } = props;
  const box = useRef<HTMLDivElement>(null);
  // The confirmation that had focus is gone: the result takes it, so a keyboard user lands on it.
  useEffect(() => box.current?.focus(), [outcome]);
  return (
    <div ref={box} tabIndex={-1} role="status" className="ok restore-result">
      <p>
        Restored {outcome.path === undefined ? 'the folder' : <code>{outcome.path}</code>} from backup <code title={outcome.backupId}>{shortId(outcome.backupId)}</code>
        {': '}
        {outcome.restored.length === 0 ? 'no file written' : `${outcome.restored.length} ${outcome.restored.length === 1 ? 'file' : 'files'} written (${fileList(outcome.restored)})`}
        {outcome.removed.length > 0 && `, ${outcome.removed.length} removed (${fileList(outcome.removed)})`}.
      </p>
      <p>
        The files as they were before are in the safety backup <code title={outcome.undoId}>{shortId(outcome.undoId)}</code>: restore it to undo.{' '}
        <button type="button" onClick={props.onDismiss}>
          Dismiss
        </button>
      </p>
    </div>
  );
}

export function FolderBackups(props: { folder: WatchedFolder }) {
  const { bridge, store } = useDashboard();
  const folder = props.folder.folder;
  const history = useDashboardStore((s) => s.backups.history[folder]);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<RestoreOutcome | null>(null);
  // The store drops a folder's history when it is backed up again; the timeline stays on screen
  // until the new one arrives, so a diff being read or a restore being confirmed is not lost.
  const [shown, setShown] = useState(history);
  if (history !== undefined && history !== shown) setShown(history);

  const fetchHistory = useCallback(
    (isCurrent: () => boolean): void => {
      bridge.backups(folder, BACKUP_HISTORY_LIMIT).then(
        (r) => {
          if (!isCurrent()) return;
          if (r.ok) store.getState().setBackupHistory(folder, r.backups);
          else setError(r.reason);
        },
        (err: unknown) => {
          if (isCurrent()) setError(err instanceof Error ? err.message : String(err));
        },
      );
    },
    [bridge, store, folder],
  );

  useEffect(() => {
    if (history !== undefined) return;
    let current = true;
    fetchHistory(() => current);
    return () => {
      current = false;
    };
  }, [fetchHistory, history]);

  const onRestored = (o: RestoreOutcome): void => {
    setOutcome(o);
    // The restore's safety backup is a new backup of the folder: show it in the timeline.
    fetchHistory(() => true);
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
      {outcome !== null && <RestoreResult outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {shown === undefined ? (
        error === null && <p role="status">Loading backups…</p>
      ) : shown.backups.length === 0 ? (
        <p className="empty">No backups yet</p>
      ) : (
        <ol className="timeline">
          {shown.backups.map((b) => (
            <BackupEntry key={b.id} folder={folder} backup={b} isSafetyBackup={outcome?.undoId === b.id} onRestored={onRestored} />
          ))}
        </ol>
      )}
    </section>
  );
}

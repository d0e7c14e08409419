/**
 * The confirmation before a restore: asks the host what the restore would do (restorePreview) and
 * says exactly that — for one file whether the current file differs (overwritten), is missing
 * (created) or already matches; for the whole folder every file overwritten, created and removed —
 * and that the current files are backed up first. Only "Restore" runs it.
 */

import { useEffect, useId, useRef, useState } from 'react';
import type { ActionResult, RestorePreviewFile } from '../../../common/dashboard.js';
import { useDashboard } from '../DashboardContext.js';
import { formatDateTime } from '../format.js';

/** What a finished restore reports to the view. */
export interface RestoreOutcome {
  /** The one file or directory restored, or undefined for the whole folder. */
  path: string | undefined;
  backupId: string;
  undoId: string;
  restored: string[];
  removed: string[];
}

type Preview = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; files: RestorePreviewFile[] };

const SINGLE_TEXT: Record<RestorePreviewFile['change'], string> = {
  overwrite: 'The current file differs from the backup and will be overwritten.',
  create: 'The file is missing now and will be created.',
  remove: 'The file is not in the backup and will be removed.',
  unchanged: 'The current file already matches the backup: restoring changes nothing.',
};

const GROUPS: { change: RestorePreviewFile['change']; title: string }[] = [
  { change: 'overwrite', title: 'Overwritten (they differ now)' },
  { change: 'create', title: 'Created (missing now)' },
  { change: 'remove', title: 'Removed (not in the backup)' },
  { change: 'unchanged', title: 'Already as in the backup' },
];

function FileGroups(props: { files: RestorePreviewFile[] }) {
  return (
    <>
      {GROUPS.map(({ change, title }) => {
        const files = props.files.filter((f) => f.change === change);
        if (files.length === 0) return null;
        return (
          <div key={change} className={`restore-group ${change}`}>
            <p>
              {title}: {files.length} {files.length === 1 ? 'file' : 'files'}
            </p>
            <ul>
              {files.map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </>
  );
}

export function RestoreConfirm(props: {
  folder: string;
  backup: { id: string; time: number };
  /** One file or directory (folder-relative); undefined for the whole folder. */
  path?: string;
  onCancel: () => void;
  onRestored: (outcome: RestoreOutcome) => void;
}) {
  const { bridge } = useDashboard();
  const { folder, backup, path } = props;
  const [preview, setPreview] = useState<Preview>({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const dialog = useRef<HTMLElement>(null);

  useEffect(() => {
    let current = true;
    const done = (r: ActionResult<{ files: RestorePreviewFile[] }>): void => {
      if (current) setPreview(r.ok ? { state: 'ready', files: r.files } : { state: 'error', reason: r.reason });
    };
    bridge.restorePreview(folder, backup.id, path).then(done, (err: unknown) => done({ ok: false, reason: err instanceof Error ? err.message : String(err) }));
    return () => {
      current = false;
    };
  }, [bridge, folder, backup.id, path]);

  useEffect(() => {
    // Focus moves into the confirmation, and back to the button that opened it when it closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    return () => {
      if (opener?.isConnected === true && (document.activeElement === null || document.activeElement === document.body)) opener.focus();
    };
  }, []);

  const what = path === undefined ? `the whole folder ${folder}` : path;
  const restore = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const r = await bridge.restoreBackup(folder, backup.id, path);
      if (r.ok) props.onRestored({ path, backupId: backup.id, undoId: r.undoId, restored: r.restored, removed: r.removed });
      else setError(r.reason);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const files = preview.state === 'ready' ? preview.files : [];
  const nothingToDo = preview.state === 'ready' && files.every((f) => f.change === 'unchanged');
  return (
    <section
      ref={dialog}
      role="dialog"
      aria-labelledby={titleId}
      tabIndex={-1}
      className="restore-confirm"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) props.onCancel();
      }}
    >
      <h4 id={titleId}>
        Restore {what} from the backup of {formatDateTime(backup.time)}?
      </h4>
      {preview.state === 'loading' && <p role="status">Checking what the restore would change…</p>}
      {preview.state === 'error' && (
        <p role="alert" className="error">
          {preview.reason}
        </p>
      )}
      {preview.state === 'ready' &&
        (path !== undefined && files.length === 1 && files[0]!.path === path ? (
          <p className={`restore-single ${files[0]!.change}`}>
            <code>{path}</code>: {SINGLE_TEXT[files[0]!.change]}
          </p>
        ) : files.length === 0 ? (
          <p>The folder already matches the backup: restoring changes nothing.</p>
        ) : (
          <FileGroups files={files} />
        ))}
      {preview.state === 'ready' && !nothingToDo && <p className="detail">The current files are backed up first, so this restore can be undone.</p>}
      {error !== null && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="danger" disabled={busy || preview.state !== 'ready' || nothingToDo} onClick={() => void restore()}>
          {busy ? 'Restoring…' : path === undefined ? 'Restore the folder' : `Restore ${path}`}
        </button>{' '}
        <button type="button" disabled={busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

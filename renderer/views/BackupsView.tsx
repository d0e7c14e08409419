/** Every watched folder with its backup timeline. */

import { useMemo } from 'react';
import { useDashboardStore } from './DashboardContext.js';
import { FolderBackups } from './FolderBackups.js';

export function BackupsView() {
  const folderMap = useDashboardStore((s) => s.backups.folders);
  const folders = useMemo(() => Object.values(folderMap).sort((a, b) => a.folder.localeCompare(b.folder)), [folderMap]);
  if (folders.length === 0) return <p className="empty">No watched folders</p>;
  return (
    <>
      {folders.map((f) => (
        <FolderBackups key={f.folder} folder={f} />
      ))}
    </>
  );
}

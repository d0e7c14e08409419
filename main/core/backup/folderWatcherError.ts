/** A problem a folder watcher met. */
export interface FolderWatchError {
  /** The watched folder (absolute). */
  folder: string;
  /** What went wrong and what it means for the watch, for a person or an agent. */
  message: string;
  /** The system error code when there is one (ENOENT, EACCES, ENOSPC …). */
  code?: string;
  /** True when the watcher has stopped and will report no more changes; false when it keeps watching. */
  stopped: boolean;
}

/** The error code of a Node error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why a folder cannot be watched at all (checked before watching starts). */
export function describeStartError(folder: string, error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return `Cannot watch ${folder}: the folder does not exist.`;
    case 'ENOTDIR':
      return `Cannot watch ${folder}: it is not a folder.`;
    case 'EACCES':
    case 'EPERM':
      return `Cannot watch ${folder}: permission denied.`;
    default:
      return `Cannot watch ${folder}: ${messageOf(error)}`;
  }
}

/** A message for an error the watch reported while watching `folder` (the watch goes on). */
export function describeWatchError(folder: string, error: unknown): string {
  const where = pathOf(error) ?? folder;
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return `Permission denied on ${where}: changes there are not seen (the rest of ${folder} is still watched).`;
    case 'ENOSPC':
      return `The system limit of file watches is reached while watching ${folder}: some changes are not seen (on Linux raise fs.inotify.max_user_watches, or ignore large folders).`;
    case 'EMFILE':
      return `Too many open files while watching ${folder}: some changes are not seen.`;
    default:
      return `Watching ${folder} failed at ${where}: ${messageOf(error)}`;
  }
}

/** The message when the watched folder itself disappears. */
export function describeFolderGone(folder: string): string {
  return `The folder ${folder} was deleted or moved away: stopped watching it.`;
}

function pathOf(error: unknown): string | undefined {
  const p = (error as { path?: unknown } | null)?.path;
  return typeof p === 'string' && p !== '' ? p : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { z } from 'zod';

/** The folder argument of the backup tools. */
export const folderField = z.string().min(1).describe('A watched folder (absolute path, as list_backups shows it)');

/** A backup id argument. */
export const backupIdField = z.string().regex(/^[0-9a-f]{7,40}$/, 'a backup id is the hex id list_backups shows').describe('The backup id from list_backups');

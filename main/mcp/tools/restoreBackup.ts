import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { backupIdField, folderField } from './backupShared.js';
import { fail, ok, type ToolDeps } from './shared.js';

/** restore_backup: puts a file or the whole folder back as a backup had it (undoable). */
export function registerRestoreBackupTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'restore_backup',
    {
      title: 'Restore from a folder backup',
      description:
        'DESTRUCTIVE: overwrites files in the working tree with their content in a backup — one file or directory (path), or the whole folder (files created since are removed). The current state is backed up first: restore undoBackupId to undo this restore. Your branch, index and commits are never touched.',
      inputSchema: {
        folder: folderField,
        backupId: backupIdField,
        path: z.string().optional().describe('One file or directory, relative to the folder, taken literally (no globs or git pathspec magic; default: the whole folder)'),
      },
      outputSchema: {
        restored: z.array(z.string()).describe('Files written'),
        removed: z.array(z.string()).describe('Files removed (whole-folder restore only)'),
        undoBackupId: z.string().describe('Restore this backup to undo the restore'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ folder, backupId, path }) => {
      const r = await deps.core.backups.restore(folder, backupId, path);
      if (!r.ok) return fail(`${r.reason}${'undoId' in r && r.undoId ? ` (the state before the restore is backup ${r.undoId})` : ''}`);
      return ok({ restored: r.restored, removed: r.removed, undoBackupId: r.undoId });
    },
  );
}

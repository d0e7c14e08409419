import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, nullable, ok, READ_ONLY, type ToolDeps } from './shared.js';

/** list_backups: the backups of the watched folders, newest first. */
export function registerListBackupsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_backups',
    {
      title: 'List folder backups',
      description:
        'Lists the automatic git backups of the watched folders (taken after each burst of changes, without touching your branch, index or working tree), newest first, with the files each changed and their line counts. Use diff_backup to see a change and restore_backup to undo it.',
      inputSchema: {
        folder: z.string().optional().describe('One watched folder (default: all)'),
        limit: z.number().int().min(1).max(500).optional().describe('Backups per folder (default 20)'),
      },
      outputSchema: {
        folders: z
          .array(
            z.object({
              folder: z.string().describe('The watched folder'),
              backups: z
                .array(
                  z.object({
                    backupId: z.string().describe('Pass to diff_backup or restore_backup'),
                    time: z.string().describe('When it was taken (ISO 8601)'),
                    filesChanged: z.number().describe('Files changed since the previous backup'),
                    files: z.array(z.object({ path: z.string(), status: z.string(), additions: nullable(z.number(), 'no line count (a binary file)'), deletions: nullable(z.number(), 'no line count (a binary file)') })).describe('The files (first 50)'),
                  }),
                )
                .describe('Newest first'),
            }),
          )
          .describe('Each watched folder with its backups'),
      },
      annotations: READ_ONLY,
    },
    async ({ folder, limit }) => {
      const { backups } = deps.core;
      const folders = folder === undefined ? backups.list().map((f) => f.folder) : [folder];
      const out = [];
      for (const f of folders) {
        const h = await backups.history(f, limit ?? 20);
        if (!h.ok) return fail(h.reason);
        out.push({
          folder: f,
          backups: h.backups.map((b) => ({
            backupId: b.id,
            time: new Date(b.time).toISOString(),
            filesChanged: b.filesChanged,
            files: b.files.slice(0, 50).map((x) => ({ path: x.path, status: x.status, additions: x.additions, deletions: x.deletions })),
          })),
        });
      }
      return ok({ folders: out });
    },
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { backupIdField, folderField } from './backupShared.js';
import { fail, ok, READ_ONLY, type ToolDeps } from './shared.js';

/** Longest diff returned inline (characters). */
const MAX_DIFF_CHARS = 200_000;

/** diff_backup: what a backup changed, or how the folder differs from it now. */
export function registerDiffBackupTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'diff_backup',
    {
      title: 'Diff a folder backup',
      description: 'Shows a unified diff of a backup against the backup before it ("parent": what that burst of changes did) or against the folder as it is now ("now": what changed since), optionally for one file.',
      inputSchema: {
        folder: folderField,
        backupId: backupIdField,
        against: z.enum(['parent', 'now']).optional().describe('parent (default): what the backup changed; now: how the folder differs from it today'),
        path: z.string().optional().describe('One file or directory, relative to the folder, taken literally (no globs or git pathspec magic)'),
      },
      outputSchema: {
        diff: z.string().describe('Unified diff (cut at 200,000 characters)'),
        truncated: z.boolean().describe('True when the diff was cut'),
      },
      annotations: READ_ONLY,
    },
    async ({ folder, backupId, against, path }) => {
      const d = await deps.core.backups.diff(folder, backupId, against ?? 'parent', path);
      if (!d.ok) return fail(d.reason);
      const truncated = d.diff.length > MAX_DIFF_CHARS;
      return ok({ diff: truncated ? d.diff.slice(0, MAX_DIFF_CHARS) : d.diff, truncated });
    },
  );
}

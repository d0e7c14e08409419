import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fail, ok, type ToolDeps } from './shared.js';

/** backup_now: backs a watched folder up at once (a save point before a risky edit). */
export function registerBackupNowTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'backup_now',
    {
      title: 'Back a folder up now',
      description: 'Takes a backup of one watched folder (or all) right away, e.g. as a save point before a risky change. Returns the backup id, or "skipped" when nothing changed since the last one.',
      inputSchema: { folder: z.string().optional().describe('One watched folder (default: all)') },
      outputSchema: {
        results: z
          .array(
            z.object({
              folder: z.string().describe('The folder'),
              outcome: z.enum(['created', 'skipped', 'failed']).describe('What happened'),
              backupId: z.string().optional().describe('The new (or, when skipped, the latest) backup'),
              filesChanged: z.number().optional().describe('Files changed since the previous backup'),
              reason: z.string().optional().describe('Why it failed'),
            }),
          )
          .describe('One result per folder'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ folder }) => {
      const done = await deps.core.backups.backupNow(folder);
      if (!done.ok) return fail(done.reason);
      return ok({
        results: done.results.map(({ folder: f, result: r }) =>
          !r.ok
            ? { folder: f, outcome: 'failed' as const, reason: r.reason }
            : r.kind === 'created'
              ? { folder: f, outcome: 'created' as const, backupId: r.id, filesChanged: r.filesChanged }
              : { folder: f, outcome: 'skipped' as const, backupId: r.id },
        ),
      });
    },
  );
}

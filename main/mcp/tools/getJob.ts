import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { commandResultShape, fail, ok, READ_ONLY, resultContent, type ToolDeps } from './shared.js';

/** get_job: a job's status, output so far, result, and pages of a long output. */
export function registerGetJobTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'get_job',
    {
      title: 'Follow a background job',
      description:
        'Returns a job\'s status (running, succeeded, failed, cancelled), its output so far while running, and its result once ended. When the result is truncated, read the whole output page by page with page = 0, 1, … up to pages - 1.',
      inputSchema: {
        jobId: z.string().min(1).describe('The jobId from run_background or run_command'),
        page: z.number().int().min(0).optional().describe('0-based page of the whole output of an ended job'),
      },
      outputSchema: {
        jobId: z.string().describe('The job'),
        sessionId: z.string().describe('The session running it'),
        status: z.enum(['running', 'succeeded', 'failed', 'cancelled']).describe('Where the job stands'),
        command: z.string().describe('The command (first 500 characters)'),
        outputSoFar: z.string().optional().describe('While running: what it printed so far'),
        outputBytesSoFar: z.number().optional().describe('While running: bytes printed so far'),
        result: z.object(commandResultShape).optional().describe('Once ended: the command result'),
        message: z.string().optional().describe('Why the job failed, when it has no result'),
        page: z.number().optional().describe('The page returned'),
        pages: z.number().optional().describe('How many pages the whole output has'),
        pageText: z.string().optional().describe('The text of that page'),
      },
      annotations: READ_ONLY,
    },
    async ({ jobId, page }) => {
      const got = deps.core.jobs.get(deps.clientId, jobId);
      if (!got.ok) return fail(got.reason);
      const j = got.job;
      const out: Record<string, unknown> = { jobId, sessionId: j.sessionId, status: j.status, command: j.command };
      if (j.outputSoFar) {
        out.outputSoFar = j.outputSoFar.output;
        out.outputBytesSoFar = j.outputSoFar.outputBytes;
      }
      if (j.result) out.result = resultContent(j.sessionId, j.result);
      if (j.message) out.message = j.message;
      if (page !== undefined) {
        const p = deps.core.jobs.readPage(deps.clientId, jobId, page);
        if (!p.ok) return fail(p.reason);
        out.page = p.page.page;
        out.pages = p.page.pages;
        out.pageText = p.page.text;
      }
      return ok(out);
    },
  );
}

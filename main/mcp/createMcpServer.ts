import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Core } from '../core/createCore.js';
import { registerApprovalClient } from './approvalClient.js';
import { auditRefusedCommands } from './auditRefused.js';
import { answerInvalidParams } from './invalidParams.js';
import { wireNotifications } from './notifications.js';
import { registerResources } from './resources/registerResources.js';
import { registerBackupNowTool } from './tools/backupNow.js';
import { registerCancelCommandTool } from './tools/cancelCommand.js';
import { registerCancelJobTool } from './tools/cancelJob.js';
import { registerCancelRequestTool } from './tools/cancelRequest.js';
import { registerChangePriorityTool } from './tools/changePriority.js';
import { registerDiffBackupTool } from './tools/diffBackup.js';
import { registerEndSessionTool } from './tools/endSession.js';
import { registerGetJobTool } from './tools/getJob.js';
import { registerGetMetricsTool } from './tools/getMetrics.js';
import { registerListBackupsTool } from './tools/listBackups.js';
import { registerListSessionsTool } from './tools/listSessions.js';
import { registerQueuePositionTool } from './tools/queuePosition.js';
import { registerRestoreBackupTool } from './tools/restoreBackup.js';
import { registerRunBackgroundTool } from './tools/runBackground.js';
import { registerRunCommandTool } from './tools/runCommand.js';
import { registerSendInputTool } from './tools/sendInput.js';
import { registerStartSessionTool } from './tools/startSession.js';
import { ClientTaskStore, DEFAULT_TASK_SETTINGS, type TaskSettings } from './tasks/ClientTaskStore.js';
import { refuseTasksForPlainTools } from './tasks/optionalTaskTool.js';
import { DEFAULT_MCP_SETTINGS, type McpSettings, type ToolDeps } from './tools/shared.js';
import { ClientWorkspace, type ClientCwdCarrier } from './workspaceRoots.js';
import { currentPlatform } from '../core/platform/Platform.js';

/** The version reported to clients. */
export const SERVER_VERSION = '0.1.0';

const INSTRUCTIONS =
  'poshpool lends warm PowerShell sessions. Simplest use: call run_command with just a command. It runs in your default session, kept between your calls: ' +
  'variables, functions, modules, environment and cwd persist like in a terminal, and no other client ever sees them (newSession: true in a result says your earlier state is not there). ' +
  'fresh: true runs one call in a clean session of its own. To manage sessions yourself: start_session -> run_command with sessionId -> end_session. ' +
  'Long commands: run_background, then get_job. Results carry output, error records, the real exit code and cwd.';

/**
 * One MCP server for one client (an MCP session): its tools act on that client's sessions, requests
 * and jobs only. Dispose when the client's transport closes; the client's sessions are ended then.
 */
export function createMcpServer(deps: { core: Core; clientId: string; settings?: Partial<McpSettings>; taskSettings?: Partial<TaskSettings> }): { server: McpServer; dispose(): Promise<void> } {
  // MCP Tasks of this client (run_command as a task): each one is a job of the core's JobManager.
  const tasks = new ClientTaskStore({
    newId: () => deps.core.jobs.newJobId(),
    notify: (task) => void server.server.notification({ method: 'notifications/tasks/status', params: task }).catch(() => undefined),
    settings: { ...DEFAULT_TASK_SETTINGS, ...deps.taskSettings },
  });
  const server = new McpServer(
    { name: 'poshpool', version: SERVER_VERSION },
    {
      capabilities: { logging: {}, resources: { subscribe: true, listChanged: false }, tools: { listChanged: false }, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      instructions: INSTRUCTIONS,
      taskStore: tasks,
    },
  );
  // Where new sessions begin: the client's first root, else the directory of the bridge it came through.
  const workspace = new ClientWorkspace({ server: server.server, platform: currentPlatform(), bridgeCwd: () => (server.server.transport as ClientCwdCarrier | undefined)?.clientCwd });
  const toolDeps: ToolDeps = { core: deps.core, clientId: deps.clientId, settings: { ...DEFAULT_MCP_SETTINGS, ...deps.settings }, workspace };
  registerStartSessionTool(server, toolDeps);
  registerQueuePositionTool(server, toolDeps);
  registerChangePriorityTool(server, toolDeps);
  registerCancelRequestTool(server, toolDeps);
  registerRunCommandTool(server, toolDeps, tasks);
  registerRunBackgroundTool(server, toolDeps);
  registerGetJobTool(server, toolDeps);
  registerCancelJobTool(server, toolDeps);
  registerSendInputTool(server, toolDeps);
  registerCancelCommandTool(server, toolDeps);
  registerEndSessionTool(server, toolDeps);
  registerListSessionsTool(server, toolDeps);
  registerGetMetricsTool(server, toolDeps);
  registerListBackupsTool(server, toolDeps);
  registerDiffBackupTool(server, toolDeps);
  registerRestoreBackupTool(server, toolDeps);
  registerBackupNowTool(server, toolDeps);
  registerResources(server, toolDeps);
  const notifications = wireNotifications(server, deps.core.bus, deps.clientId);
  // Approval rules: this client's user is asked too (elicitation), and its workspace bounds outsideWorkspace rules.
  const approvals = registerApprovalClient(deps.core.approvals, deps.clientId, server.server, () => workspace.known());
  // A task asked of a tool that takes none is refused before it runs (only run_command takes tasks).
  refuseTasksForPlainTools(server);
  // Last, once every handler exists: wrong params get -32602 or an isError result that says what is wrong.
  answerInvalidParams(server);
  // Around that: run_command / run_background calls refused before a command ran go to the audit log.
  auditRefusedCommands(server, toolDeps);
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion();
    if (client) deps.core.clients.register(deps.clientId, client.name, client.version);
  };
  let disposed: Promise<void> | undefined;
  return {
    server,
    dispose() {
      disposed ??= (async () => {
        tasks.dispose();
        notifications.dispose();
        approvals.dispose();
        await server.close().catch(() => undefined);
        // A client that is gone leaves nothing behind: its queued requests and sessions end.
        const { manager } = deps.core;
        for (const q of manager.listQueue(deps.clientId)) await manager.cancelRequest(deps.clientId, q.requestId, 'now');
        for (const s of manager.listSessions(deps.clientId)) await manager.endSession(deps.clientId, s.sessionId);
      })();
      return disposed;
    },
  };
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { Disposable } from '../core/events/Emitter.js';
import type { EventBus } from '../core/events/EventBus.js';
import { RESOURCE_URIS } from './resources/registerResources.js';

/** Events a client is told about through logging notifications (its own only). */
const LOGGED: ReadonlySet<PoshpoolEvent['type']> = new Set([
  'job.finished',
  'job.failed',
  'session.abandoned',
  'session.reclaimed',
  'request.allocated',
  'request.cancelled',
]);

/** Least time between two metrics-updated notifications (ms). */
const METRICS_UPDATE_MS = 1000;

function levelOf(e: PoshpoolEvent): 'info' | 'warning' | 'error' {
  if (e.type === 'job.failed') return 'error';
  if (e.type === 'session.abandoned' || e.type === 'session.reclaimed' || e.type === 'request.cancelled') return 'warning';
  return 'info';
}

/**
 * Tells one client about its own events (logging notifications) and about changes to the resources
 * it subscribed to (resources/updated). Sends are best-effort: a client that went away is not an error.
 */
export function wireNotifications(server: McpServer, bus: EventBus, clientId: string): Disposable {
  const subscribed = new Set<string>();
  let metricsTimer: NodeJS.Timeout | undefined;
  server.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    subscribed.add(req.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    subscribed.delete(req.params.uri);
    return {};
  });
  const updated = (uri: string): void => {
    if (subscribed.has(uri) && server.isConnected()) void server.server.sendResourceUpdated({ uri }).catch(() => undefined);
  };
  const sub = bus.onEvent((e) => {
    if (!server.isConnected()) return;
    const own = 'clientId' in e && e.clientId === clientId;
    if (own && LOGGED.has(e.type)) {
      void server.sendLoggingMessage({ level: levelOf(e), logger: 'poshpool', data: e }).catch(() => undefined);
    }
    if (own && (e.type.startsWith('session.') || e.type.startsWith('request.') || e.type.startsWith('command.'))) updated(RESOURCE_URIS.sessions);
    if (own && (e.type === 'job.finished' || e.type === 'job.failed')) updated(RESOURCE_URIS.job(e.jobId));
    if (own && e.type.startsWith('command.') && 'jobId' in e && e.jobId) updated(RESOURCE_URIS.job(e.jobId));
    if (subscribed.has(RESOURCE_URIS.metrics) && !metricsTimer) {
      metricsTimer = setTimeout(() => {
        metricsTimer = undefined;
        updated(RESOURCE_URIS.metrics);
      }, METRICS_UPDATE_MS);
      metricsTimer.unref();
    }
  });
  return {
    dispose() {
      sub.dispose();
      clearTimeout(metricsTimer);
      subscribed.clear();
    },
  };
}

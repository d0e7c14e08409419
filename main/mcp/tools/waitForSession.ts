import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Allocation, Ticket } from '../../core/scheduler/SessionManager.js';
import { seconds, type ToolDeps } from './shared.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How a wait for a queued request ended. */
export type WaitOutcome =
  | { kind: 'allocated'; sessionId: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'stillQueued'; position: number; etaMs: number }
  | { kind: 'aborted' };

/** Sends a progress notification when the caller asked for them; a failure to send is not fatal. */
export async function progress(extra: Extra, value: number, message: string): Promise<void> {
  const token = extra._meta?.progressToken;
  if (token === undefined) return;
  try {
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: value, message } });
  } catch {
    // The client went away; the call itself will notice.
  }
}

/**
 * Waits up to `waitMs` for a queued request's session, sending progress notifications with its
 * position and ETA. A cancelled call cancels the request (no slot is kept for nobody).
 */
export async function waitForSession(deps: ToolDeps, ticket: Extract<Ticket, { status: 'queued' }>, waitMs: number, extra: Extra): Promise<WaitOutcome> {
  const { manager } = deps.core;
  let tick = 0;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const report = async (): Promise<void> => {
    const pos = manager.queuePosition(deps.clientId, ticket.requestId);
    if (pos.ok && pos.status === 'queued') {
      tick++;
      const host = manager.hostOfRequest(ticket.requestId);
      const on = host === undefined || host === 'local' ? '' : ` for host ${host}`;
      await progress(extra, tick, `queued${on}: position ${pos.position}, estimated wait ${seconds(pos.etaMs)} s`);
    }
  };
  try {
    await report();
    const outcome = await new Promise<Allocation | 'timeout' | 'aborted'>((resolve) => {
      const started = Date.now();
      const loop = (): void => {
        timer = setTimeout(() => {
          if (Date.now() - started >= waitMs) return resolve('timeout');
          void report();
          loop();
        }, Math.min(deps.settings.progressIntervalMs, Math.max(1, waitMs - (Date.now() - started))));
      };
      loop();
      void ticket.allocation.then(resolve);
      onAbort = () => resolve('aborted');
      if (extra.signal.aborted) resolve('aborted');
      else extra.signal.addEventListener('abort', onAbort, { once: true });
    });
    if (outcome === 'aborted') {
      await manager.cancelRequest(deps.clientId, ticket.requestId, 'now');
      return { kind: 'aborted' };
    }
    if (outcome === 'timeout') {
      const pos = manager.queuePosition(deps.clientId, ticket.requestId);
      if (pos.ok && pos.status === 'allocated') return { kind: 'allocated', sessionId: pos.sessionId };
      if (pos.ok && pos.status === 'queued') return { kind: 'stillQueued', position: pos.position, etaMs: pos.etaMs };
      if (pos.ok && pos.status === 'preparing') {
        // Its session is being readied now: wait for it rather than answer while a session is lent to nobody who knows.
        const allocation = await ticket.allocation;
        return allocation.ok ? { kind: 'allocated', sessionId: allocation.sessionId } : { kind: 'failed', reason: allocation.reason };
      }
      return { kind: 'failed', reason: pos.ok ? 'The request ended while waiting.' : pos.reason };
    }
    return outcome.ok ? { kind: 'allocated', sessionId: outcome.sessionId } : { kind: 'failed', reason: outcome.reason };
  } finally {
    clearTimeout(timer);
    if (onAbort) extra.signal.removeEventListener('abort', onAbort);
  }
}

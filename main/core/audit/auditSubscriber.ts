import type { EventBus } from '../events/EventBus.js';
import type { Disposable } from '../events/Emitter.js';
import type { AuditLog } from './AuditLog.js';

/**
 * Feeds the audit log from the event bus: one line per finished command, with the command text
 * remembered from its start event, and the client's name when it gave one; one line per approval decision.
 */
export function subscribeAudit(bus: EventBus, log: AuditLog, clientName: (clientId: string) => string | undefined = () => undefined): Disposable {
  const started = new Map<string, { command: string; commandChars: number; host?: string }>();
  return bus.onEvent((e) => {
    if (e.type === 'command.started') {
      started.set(`${e.sessionId}:${e.seq}`, { command: e.command, commandChars: e.commandChars, ...(e.host === undefined ? {} : { host: e.host }) });
    } else if (e.type === 'command.finished') {
      const key = `${e.sessionId}:${e.seq}`;
      const cmd = started.get(key);
      started.delete(key);
      log.record({
        client: e.clientId,
        clientName: clientName(e.clientId),
        session: e.sessionId,
        command: cmd?.command ?? '',
        commandChars: cmd?.commandChars,
        exitCode: e.exitCode,
        status: e.status,
        durationMs: e.durationMs,
        outputBytes: e.outputBytes,
        ...(cmd?.host === undefined ? {} : { host: cmd.host }),
      });
    } else if (e.type === 'approval.decided') {
      const r = e.request;
      log.recordApproval({
        client: r.clientId,
        clientName: r.clientName ?? clientName(r.clientId),
        session: r.sessionId,
        command: r.command,
        commandChars: r.commandChars,
        decision: e.decision,
        by: e.by,
        rules: r.rules.map((m) => m.name),
        waitedMs: Math.max(0, e.time - r.requestedAt),
      });
    } else if (e.type === 'session.ended') {
      // A session that ended mid-command never reports that command finished: forget it.
      for (const key of started.keys()) if (key.startsWith(`${e.sessionId}:`)) started.delete(key);
    }
  });
}

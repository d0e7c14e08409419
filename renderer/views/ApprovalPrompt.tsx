/**
 * Commands waiting for a person's approval (config approvals.rules), shown above every view while
 * any waits: the exact command (as text, never markup), the client, the directory, the rules it
 * matched and the time left, with Approve once / Always for this session / Deny. An answer that
 * came too late (already answered elsewhere, timed out, cancelled) stays on screen with the reason.
 */

import { useEffect, useState } from 'react';
import type { ApprovalAnswer, ApprovalRequest } from '../../common/approvals.js';
import { clientLabel } from './ClientName.js';
import { useDashboard, useDashboardStore, useNow } from './DashboardContext.js';
import { formatDuration } from './format.js';

/** The buttons, in the order shown. */
const ANSWERS: readonly { answer: ApprovalAnswer; label: string; danger?: boolean }[] = [
  { answer: 'once', label: 'Approve once' },
  { answer: 'session', label: 'Always for this session' },
  { answer: 'deny', label: 'Deny', danger: true },
];

/** Characters of a command in the note about an answer that came too late. */
const NOTE_COMMAND_CHARS = 120;

/** The page title while commands wait (a person on another tab sees it). */
function titleFor(waiting: number, base: string): string {
  return waiting === 0 ? base : `(${waiting}) approval needed · ${base}`;
}

/** An answer that failed, kept with its request so the reason outlives the request's card. */
interface FailedAnswer {
  request: ApprovalRequest;
  reason: string;
}

export function ApprovalPrompts() {
  const approvals = useDashboardStore((s) => s.approvals);
  const [failed, setFailed] = useState<Record<string, FailedAnswer>>({});
  const now = useNow();

  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) approval needed · /, '');
    document.title = titleFor(approvals.length, base);
    return () => {
      document.title = base;
    };
  }, [approvals.length]);

  const pendingIds = new Set(approvals.map((a) => a.approvalId));
  const late = Object.values(failed).filter((f) => !pendingIds.has(f.request.approvalId));
  if (approvals.length === 0 && late.length === 0) return null;

  const onFailed = (request: ApprovalRequest, reason: string): void => setFailed((f) => ({ ...f, [request.approvalId]: { request, reason } }));
  const dismiss = (approvalId: string): void =>
    setFailed((f) => {
      const { [approvalId]: _gone, ...rest } = f;
      return rest;
    });

  return (
    <section className="approvals" aria-label="Commands waiting for your approval">
      {approvals.length > 0 && (
        <h2>{approvals.length === 1 ? 'A command waits for your approval' : `${approvals.length} commands wait for your approval`}</h2>
      )}
      {approvals.map((request) => (
        <ApprovalCard key={request.approvalId} request={request} now={now} failure={failed[request.approvalId]?.reason ?? null} onFailed={onFailed} />
      ))}
      {late.map(({ request, reason }) => (
        <div key={request.approvalId} role="alert" className="banner approval-late">
          Your answer to <code>{preview(request.command)}</code> did not count: {reason}{' '}
          <button type="button" onClick={() => dismiss(request.approvalId)}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}

function preview(command: string): string {
  const line = command.replace(/\s+/g, ' ');
  return line.length > NOTE_COMMAND_CHARS ? `${line.slice(0, NOTE_COMMAND_CHARS)}…` : line;
}

function ApprovalCard(props: { request: ApprovalRequest; now: number; failure: string | null; onFailed: (request: ApprovalRequest, reason: string) => void }) {
  const { request, now } = props;
  const { bridge } = useDashboard();
  const knownName = useDashboardStore((s) => s.clients[request.clientId]?.name);
  const client = clientLabel(request.clientName ?? knownName, request.clientId);
  const [busy, setBusy] = useState(false);
  const left = request.expiresAt - now;
  const headingId = `approval-${request.approvalId}`;

  const answer = async (a: ApprovalAnswer): Promise<void> => {
    setBusy(true);
    try {
      const result = await bridge.answerApproval(request.approvalId, a);
      if (!result.ok) props.onFailed(request, result.reason);
    } catch (err) {
      // The bridge returns failures as values; a throw is a bug, shown rather than lost.
      props.onFailed(request, err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="approval" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <span className="approval-client">{client}</span> wants to run:
      </h3>
      <pre className="approval-command" aria-label="Command" tabIndex={0}>
        {request.command}
      </pre>
      {request.commandChars > request.command.length && (
        <p className="detail">
          Shown: the first {request.command.length} of {request.commandChars} characters (the audit log has the whole command).
        </p>
      )}
      <dl className="approval-facts">
        <div>
          <dt>Client</dt>
          <dd>{client}</dd>
        </div>
        <div>
          <dt>Directory</dt>
          <dd>
            <code>{request.cwd === '' ? 'unknown' : request.cwd}</code>
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            <code>{request.sessionId}</code>
          </dd>
        </div>
        <div>
          <dt>{request.rules.length === 1 ? 'Rule' : 'Rules'}</dt>
          <dd>
            <ul className="approval-rules">
              {request.rules.map((r, i) => (
                <li key={i}>
                  <strong>{r.name}</strong>: {r.description} <span className="detail">(matched by <code>{r.command}</code>)</span>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>
            {/* The role sits inside the dd: a dd with another role breaks the list's dt/dd groups (axe: definition-list). */}
            <span role="timer" aria-live="off">
              {left > 0 ? `${formatDuration(left)}, then denied without an answer` : 'timed out: denied'}
            </span>
          </dd>
        </div>
      </dl>
      <div className="approval-actions" role="group" aria-label={`Answer ${client}`}>
        {ANSWERS.map(({ answer: a, label, danger }) => (
          <button key={a} type="button" className={danger === true ? 'danger' : a === 'once' ? 'primary' : undefined} disabled={busy} onClick={() => void answer(a)}>
            {label}
          </button>
        ))}
      </div>
      {props.failure !== null && (
        <p role="alert" className="error">
          {props.failure}
        </p>
      )}
    </article>
  );
}

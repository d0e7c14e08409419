/** A session's command history (filled in by the history store on the host). */

export function CommandHistory(props: { sessionId: string }) {
  return <p className="empty">No commands recorded for {props.sessionId} yet.</p>;
}

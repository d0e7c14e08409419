/** Banner while the event stream is down; the data below may be stale. */

export function DisconnectedBanner(props: { lastError: string | null }) {
  return (
    <div role="alert" className="banner banner-disconnected">
      Disconnected from poshpool. Reconnecting… The figures below may be out of date.
      {props.lastError !== null && <span className="detail"> ({props.lastError})</span>}
    </div>
  );
}

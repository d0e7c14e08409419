/** A client as a person reads it: the name it gave when it connected and the start of its id, or the id alone. */

import { useDashboardStore } from './DashboardContext.js';

/** Characters of the id shown beside a name (two instances of one client stay apart). */
const ID_PREFIX_CHARS = 6;

/** The text for a client: "Cursor (3f9a1c)" when it named itself, else its id. */
export function clientLabel(name: string | undefined, clientId: string): string {
  return name === undefined ? clientId : `${name} (${clientId.slice(0, ID_PREFIX_CHARS)})`;
}

export function ClientName(props: { clientId: string }) {
  const name = useDashboardStore((s) => s.clients[props.clientId]?.name);
  return <span title={props.clientId}>{clientLabel(name, props.clientId)}</span>;
}

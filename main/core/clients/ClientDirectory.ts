import type { ClientInfo } from '../../../common/scheduler.js';
import type { EventBus } from '../events/EventBus.js';

/** Clients remembered at most (the oldest are forgotten; their sessions and jobs show the id alone). */
export const CLIENTS_REMEMBERED = 1000;
/** Longest client name or version kept (they come from the client). */
const FIELD_MAX_CHARS = 100;

/** Keeps only printable characters and cuts the text: the name is shown in menus, tooltips and logs. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  return printable.length <= FIELD_MAX_CHARS ? printable : `${printable.slice(0, FIELD_MAX_CHARS - 1)}…`;
}

/**
 * Who the clients are: the name and version an MCP client gave when it initialized ("claude-code",
 * "Visual Studio Code"), by client id, so a person sees names rather than ids. The names are the
 * clients' own word, not an identity: shown, never trusted.
 */
export class ClientDirectory {
  private readonly clients = new Map<string, ClientInfo>();

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records what a client said it is, and publishes client.connected. */
  register(clientId: string, name: string, version: string): ClientInfo {
    const info: ClientInfo = { clientId, name: clean(name) || 'unnamed client', version: clean(version), connectedAt: this.now() };
    this.clients.delete(clientId);
    this.clients.set(clientId, info);
    while (this.clients.size > CLIENTS_REMEMBERED) this.clients.delete(this.clients.keys().next().value!);
    this.bus.emit({ type: 'client.connected', clientId, name: info.name, version: info.version });
    return info;
  }

  /** What a client said it is, if it did. */
  get(clientId: string): ClientInfo | undefined {
    return this.clients.get(clientId);
  }

  /** Every remembered client, oldest first. */
  list(): ClientInfo[] {
    return [...this.clients.values()];
  }
}

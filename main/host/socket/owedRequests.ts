import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * The requests a client sent that have not been answered yet, so that a connection whose input
 * ended (a one-shot pipe: `echo '...' | poshpool bridge`) is kept until every answer it is owed went
 * out. Fed with parsed JSON values (single messages or batches) in both directions; anything that is
 * not a request, an answer or a cancel is ignored. A cancelled request is owed nothing: MCP's
 * cancellation says the receiver should not answer it, and the SDK's Protocol does not.
 */
export class OwedRequests {
  private readonly owed = new Map<string, RequestId>();
  private readonly waiters = new Set<() => void>();

  /** Requests still owed an answer. */
  get size(): number {
    return this.owed.size;
  }

  /** The ids still owed an answer, oldest first. */
  ids(): RequestId[] {
    return [...this.owed.values()];
  }

  /** Notes what the client sent: requests become owed, a cancel releases its request. */
  fromClient(value: unknown): void {
    for (const m of members(value)) {
      if (typeof m.method !== 'string') continue;
      if (isId(m.id)) this.owed.set(key(m.id), m.id);
      else if (m.method === 'notifications/cancelled') {
        const requestId = (m.params as { requestId?: unknown } | undefined)?.requestId;
        if (isId(requestId)) this.release(requestId);
      }
    }
  }

  /** Notes what went to the client: an answer (result or error) releases its request. */
  toClient(value: unknown): void {
    for (const m of members(value)) {
      if (('result' in m || 'error' in m) && isId(m.id)) this.release(m.id);
    }
  }

  /**
   * Resolves when nothing is owed, or after `timeoutMs` with the ids still owed then (an empty list
   * means every answer went out).
   */
  settled(timeoutMs: number): Promise<RequestId[]> {
    if (this.owed.size === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.ids());
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Releases whoever waits in {@link settled} now, with what is still owed. */
  dispose(): void {
    for (const w of [...this.waiters]) w();
  }

  private release(id: RequestId): void {
    this.owed.delete(key(id));
    if (this.owed.size === 0) for (const w of [...this.waiters]) w();
  }
}

function isId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** 1 and "1" are different ids. */
function key(id: RequestId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function members(value: unknown): Array<Record<string, unknown>> {
  const all = Array.isArray(value) ? value : [value];
  return all.filter((m): m is Record<string, unknown> => m !== null && typeof m === 'object' && !Array.isArray(m));
}

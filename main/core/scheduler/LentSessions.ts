import type { Lent } from './lent.js';

/**
 * The sessions a lane has lent, found by session id or by the request that got them, and each
 * client's default session (the one its calls without a session id run on) with the request that
 * will make one while it waits.
 */
export class LentSessions<S> {
  private readonly bySession = new Map<string, Lent<S>>();
  private readonly byRequest = new Map<string, string>();
  private readonly defaults = new Map<string, string>();
  private readonly pendingDefaults = new Map<string, string>();

  get size(): number {
    return this.bySession.size;
  }

  values(): IterableIterator<Lent<S>> {
    return this.bySession.values();
  }

  /** Tracks a session just lent; a `default` one becomes its client's default session. */
  add(lent: Lent<S>): void {
    this.bySession.set(lent.sessionId, lent);
    this.byRequest.set(lent.requestId, lent.sessionId);
    if (lent.kind === 'default') {
      this.defaults.set(lent.clientId, lent.sessionId);
      if (this.pendingDefaults.get(lent.clientId) === lent.requestId) this.pendingDefaults.delete(lent.clientId);
    }
  }

  /** Stops tracking a session that is being ended. */
  remove(lent: Lent<S>): void {
    this.bySession.delete(lent.sessionId);
    this.byRequest.delete(lent.requestId);
    if (this.defaults.get(lent.clientId) === lent.sessionId) this.defaults.delete(lent.clientId);
  }

  get(sessionId: string): Lent<S> | undefined {
    return this.bySession.get(sessionId);
  }

  /** The session a request got, while it is lent. */
  ofRequest(requestId: string): Lent<S> | undefined {
    const sessionId = this.byRequest.get(requestId);
    return sessionId === undefined ? undefined : this.bySession.get(sessionId);
  }

  /** A client's session by id, or why the client cannot touch it. */
  owned(clientId: string, sessionId: string): { ok: true; lent: Lent<S> } | { ok: false; reason: string } {
    const lent = this.bySession.get(sessionId);
    if (!lent || lent.clientId !== clientId) {
      return { ok: false, reason: `No session "${sessionId}" belongs to this client: it never existed, was ended, or belongs to another client. Start one with start_session.` };
    }
    return { ok: true, lent };
  }

  /** The client's default session, while it is lent. */
  defaultOf(clientId: string): Lent<S> | undefined {
    const sessionId = this.defaults.get(clientId);
    return sessionId === undefined ? undefined : this.bySession.get(sessionId);
  }

  /** The request that will make the client's default session, if one was queued for it. */
  pendingDefaultOf(clientId: string): string | undefined {
    return this.pendingDefaults.get(clientId);
  }

  /** Remembers that `requestId`, queued, will make the client's default session. */
  setPendingDefault(clientId: string, requestId: string): void {
    this.pendingDefaults.set(clientId, requestId);
  }
}

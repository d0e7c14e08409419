/**
 * The pool's warm sessions, oldest-returned first, each with the time it became idle: the newest is
 * lent first, so the others age towards the end of their demand window and the oldest are ended first.
 */
export class WarmSessions<S> {
  private readonly idle: S[] = [];
  private readonly idleSince = new Map<S, number>();

  get size(): number {
    return this.idle.length;
  }

  /** Keeps a session warm from `now`. */
  add(session: S, now: number): void {
    this.idle.push(session);
    this.idleSince.set(session, now);
  }

  /** The most recently returned session, taken out. */
  takeNewest(): S | undefined {
    const s = this.idle.pop();
    if (s !== undefined) this.idleSince.delete(s);
    return s;
  }

  /** Takes a session out; false when it was not warm. */
  remove(session: S): boolean {
    const i = this.idle.indexOf(session);
    this.idleSince.delete(session);
    if (i < 0) return false;
    this.idle.splice(i, 1);
    return true;
  }

  /** Takes out the oldest sessions beyond `keep` that have been unused for `windowMs` by `now`. */
  takeExpired(keep: number, windowMs: number, now: number): S[] {
    const expired: S[] = [];
    while (this.idle.length > keep) {
      const oldest = this.idle[0]!;
      if (now - (this.idleSince.get(oldest) ?? now) < windowMs) break;
      this.idle.shift();
      this.idleSince.delete(oldest);
      expired.push(oldest);
    }
    return expired;
  }

  /** Takes every session out. */
  takeAll(): S[] {
    this.idleSince.clear();
    return this.idle.splice(0);
  }
}

import type { EventInput } from '../events/EventBus.js';

/**
 * Whether a person has paused new sessions (the tray's "pause new sessions"), since when and by
 * whom. While paused, requests wait in the queue and no free slot is handed out; lent sessions go on.
 */
export class NewSessionsPause {
  private paused: { since: number; by: string } | null = null;

  get active(): boolean {
    return this.paused !== null;
  }

  /** Who paused new sessions, or null. */
  get by(): string | null {
    return this.paused?.by ?? null;
  }

  /** Pauses or resumes at `now`; the event to publish when that changed something, else undefined. */
  set(paused: boolean, by: string, now: number): EventInput | undefined {
    if (paused === this.active) return undefined;
    if (paused) {
      this.paused = { since: now, by };
      return { type: 'pool.paused', by };
    }
    const pausedMs = now - this.paused!.since;
    this.paused = null;
    return { type: 'pool.resumed', by, pausedMs };
  }
}

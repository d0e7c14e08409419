import type { PoshpoolConfig } from '../config/schema.js';
import type { SlotState } from './EtaEstimator.js';
import type { Lent } from './lent.js';

/** The idle-time settings the policy reads. */
export type IdleSettings = Pick<PoshpoolConfig, 'idleLimitSeconds' | 'reclaimAfterSeconds' | 'defaultSessionIdleSeconds' | 'defaultSessionYieldSeconds'>;

/** What to do with one lent session left idle. */
export type IdleAction<S> = { lent: Lent<S>; idleMs: number } & ({ action: 'abandoned' } | { action: 'reclaim'; detail: string });

/**
 * What idleness asks for now: a default session (kept on purpose between a client's calls, never
 * "abandoned") is ended after defaultSessionIdleSeconds unused; any other session is reported
 * abandoned once after idleLimitSeconds and ended reclaimAfterSeconds later (0: never).
 */
export function idleActions<S>(lents: Iterable<Lent<S>>, settings: IdleSettings, now: number): IdleAction<S>[] {
  const limitMs = settings.idleLimitSeconds * 1000;
  const reclaimMs = settings.reclaimAfterSeconds * 1000;
  const actions: IdleAction<S>[] = [];
  for (const lent of lents) {
    if (lent.ending || lent.currentCommand !== null) continue;
    const idleMs = now - lent.lastActivity;
    if (lent.kind === 'default') {
      if (idleMs >= settings.defaultSessionIdleSeconds * 1000) actions.push({ lent, idleMs, action: 'reclaim', detail: `default session unused for ${Math.round(idleMs / 1000)} s` });
      continue;
    }
    if (idleMs >= limitMs && !lent.abandoned) actions.push({ lent, idleMs, action: 'abandoned' });
    if (reclaimMs > 0 && idleMs >= limitMs + reclaimMs) actions.push({ lent, idleMs, action: 'reclaim', detail: `idle for ${Math.round(idleMs / 1000)} s` });
  }
  return actions;
}

/**
 * The default sessions that give way to `waiting` requests while every slot is lent: those unused
 * for defaultSessionYieldSeconds, the longest unused first, one per waiting request at most.
 */
export function defaultsToYield<S>(lents: Iterable<Lent<S>>, waiting: number, settings: IdleSettings, now: number): Lent<S>[] {
  if (waiting <= 0) return [];
  const yieldMs = settings.defaultSessionYieldSeconds * 1000;
  return [...lents]
    .filter((l) => l.kind === 'default' && !l.ending && l.currentCommand === null && now - l.lastActivity >= yieldMs)
    .sort((a, b) => a.lastActivity - b.lastActivity)
    .slice(0, waiting);
}

/**
 * The slots as the ETA sees them. A session running a command, or idle but in use, frees after the
 * mean hold; a session whose release is scheduled frees then: an abandoned one when reclaim ends it
 * (with reclaim off nothing ends it, so it is modelled like the rest), a default session when it gives
 * way to the queue (defaultSessionYieldSeconds; an ETA is asked only while requests wait); one whose
 * command waits for a person's approval starts its command when the wait can end (`approvalUntil`).
 */
export function slotStateOf<S>(lents: Iterable<Lent<S>>, total: number, settings: IdleSettings, now: number, approvalUntil: (lent: Lent<S>) => number | null | undefined): SlotState {
  const { idleLimitSeconds, reclaimAfterSeconds, defaultSessionYieldSeconds } = settings;
  const runningSince: number[] = [];
  const scheduledFreeIn: number[] = [];
  const startsWithin: number[] = [];
  for (const l of lents) {
    const idleMs = now - l.lastActivity;
    const approvalBy = l.approvalAbort ? approvalUntil(l) : null;
    if (approvalBy) startsWithin.push(approvalBy - now);
    else if (l.ending || l.currentCommand !== null) runningSince.push(l.lentAt);
    else if (l.kind === 'default') scheduledFreeIn.push(defaultSessionYieldSeconds * 1000 - idleMs);
    else if (l.abandoned && reclaimAfterSeconds > 0) scheduledFreeIn.push((idleLimitSeconds + reclaimAfterSeconds) * 1000 - idleMs);
    else runningSince.push(l.lentAt);
  }
  return { total, runningSince, scheduledFreeIn, startsWithin };
}

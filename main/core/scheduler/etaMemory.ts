import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_HOST } from '../../../common/scheduler.js';
import type { LearnedHolds } from './EtaEstimator.js';

/** File in the data dir that keeps the learned hold times between runs. */
export const ETA_MEMORY_FILE = 'eta.json';

const holdsSchema = z.object({ meanHoldMs: z.number().finite().min(0), holds: z.number().int().min(1) });
/** Version 1: this machine's holds only. */
const memoryV1Schema = holdsSchema.extend({ version: z.literal(1), savedAt: z.string() });
/** Version 2: each host's holds, by the host's name (`local`, or a config `hosts` name). */
const memoryV2Schema = z.object({ version: z.literal(2), hosts: z.record(z.string(), z.unknown()), savedAt: z.string() });

/** Hold times learned per host, by host name. */
export type LearnedHoldsByHost = Record<string, LearnedHolds>;

/**
 * What the last run learned about hold times, host by host; empty when there is nothing usable (no
 * file, unreadable, or not ours), and without a host whose entry is not usable: the estimator then
 * starts from its default, as on a first run.
 */
export function loadLearnedHolds(dataDir: string): LearnedHoldsByHost {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, ETA_MEMORY_FILE), 'utf8');
  } catch {
    // No file yet (first run) or unreadable: start from the default, as a first run does.
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (a partial write from another tool, a hand edit): ignored; the next save replaces it.
    return {};
  }
  const v1 = memoryV1Schema.safeParse(json);
  // Written before remote hosts: this machine's.
  if (v1.success) return { [LOCAL_HOST]: { meanHoldMs: v1.data.meanHoldMs, holds: v1.data.holds } };
  const v2 = memoryV2Schema.safeParse(json);
  if (!v2.success) return {};
  const byHost: LearnedHoldsByHost = {};
  for (const [host, value] of Object.entries(v2.data.hosts)) {
    const holds = holdsSchema.safeParse(value);
    if (holds.success) byHost[host] = { meanHoldMs: holds.data.meanHoldMs, holds: holds.data.holds };
  }
  return byHost;
}

/** A host's learned hold times; host names match as the config's do, case-insensitively. */
export function learnedFor(byHost: LearnedHoldsByHost, host: string): LearnedHolds | undefined {
  const key = Object.keys(byHost).find((k) => k.toLowerCase() === host.toLowerCase());
  return key === undefined ? undefined : byHost[key];
}

/** Keeps what was learned for the next run: user-only, written to a temp file and renamed over the old one. */
export function saveLearnedHolds(dataDir: string, byHost: LearnedHoldsByHost, now: Date = new Date()): { ok: true } | { ok: false; reason: string } {
  const file = path.join(dataDir, ETA_MEMORY_FILE);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ version: 2, hosts: byHost, savedAt: now.toISOString() })}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    return { ok: true };
  } catch (e) {
    rmSync(tmp, { force: true });
    return { ok: false, reason: `Could not save the learned hold times to ${file}: ${(e as Error).message}` };
  }
}

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LearnedHolds } from './EtaEstimator.js';

/** File in the data dir that keeps the learned hold times between runs. */
export const ETA_MEMORY_FILE = 'eta.json';

const memorySchema = z.object({
  version: z.literal(1),
  meanHoldMs: z.number().finite().min(0),
  holds: z.number().int().min(1),
  savedAt: z.string(),
});

/**
 * What the last run learned about hold times, or undefined when there is nothing usable (no file,
 * unreadable, or not ours): the estimator then starts from its default, as on a first run.
 */
export function loadLearnedHolds(dataDir: string): LearnedHolds | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, ETA_MEMORY_FILE), 'utf8');
  } catch {
    // No file yet (first run) or unreadable: start from the default, as a first run does.
    return undefined;
  }
  try {
    const parsed = memorySchema.safeParse(JSON.parse(text));
    return parsed.success ? { meanHoldMs: parsed.data.meanHoldMs, holds: parsed.data.holds } : undefined;
  } catch {
    // Not JSON (a partial write from another tool, a hand edit): ignored; the next save replaces it.
    return undefined;
  }
}

/** Keeps what was learned for the next run: user-only, written to a temp file and renamed over the old one. */
export function saveLearnedHolds(dataDir: string, learned: LearnedHolds, now: Date = new Date()): { ok: true } | { ok: false; reason: string } {
  const file = path.join(dataDir, ETA_MEMORY_FILE);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ version: 1, ...learned, savedAt: now.toISOString() })}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    return { ok: true };
  } catch (e) {
    rmSync(tmp, { force: true });
    return { ok: false, reason: `Could not save the learned hold times to ${file}: ${(e as Error).message}` };
  }
}

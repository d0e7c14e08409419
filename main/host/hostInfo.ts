import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { publisherRuns, systemProbes, type IdentityProbes } from '../core/platform/processIdentity.js';

/** Where a running host can be reached; written to <data dir>/host.json (user-only) when it is ready. */
export const hostInfoSchema = z.object({
  pid: z.number().int(),
  /** What tells the host's process apart from a later one with its pid (processIdentity.ts); absent on Windows. */
  processStart: z.string().optional(),
  version: z.string(),
  startedAt: z.string(),
  mcpUrl: z.string(),
  eventsUrl: z.string(),
  metricsUrl: z.string(),
  socketPath: z.string(),
  tokenFile: z.string(),
});

export type HostInfo = z.infer<typeof hostInfoSchema>;

export const HOST_INFO_FILE = 'host.json';

/** Writes host.json atomically with mode 0600. */
export function writeHostInfo(dataDir: string, info: HostInfo): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, HOST_INFO_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(info, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export type ReadHostInfo = { ok: true; info: HostInfo } | { ok: false; code: 'none' | 'stale' | 'invalid'; reason: string };

/** How {@link readHostInfo} checks that the host still runs (defaults: this OS, the real system). */
export interface ReadHostInfoOptions {
  platform?: Platform;
  probes?: IdentityProbes;
}

/**
 * Reads host.json of a running host; `stale` when the host that wrote it is gone, even when its pid
 * now belongs to another process (log-off on Windows, a reboot): see publisherRuns.
 */
export function readHostInfo(dataDir: string, options: ReadHostInfoOptions = {}): ReadHostInfo {
  const file = path.join(dataDir, HOST_INFO_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, code: 'none', reason: `No poshpool host is running (no ${file}). Start one with \`poshpool serve\`.` };
  }
  let parsed;
  try {
    parsed = hostInfoSchema.safeParse(JSON.parse(text));
  } catch (e) {
    return { ok: false, code: 'invalid', reason: `${file} is not valid JSON (${(e as Error).message}); delete it and start the host again.` };
  }
  if (!parsed.success) return { ok: false, code: 'invalid', reason: `${file} is not a poshpool host file; delete it and start the host again.` };
  const live = publisherRuns(options.platform ?? currentPlatform(), parsed.data, options.probes ?? systemProbes);
  if (!live.alive) return { ok: false, code: 'stale', reason: `The host that wrote ${file} is gone (${live.why}). Start one with \`poshpool serve\`.` };
  return { ok: true, info: parsed.data };
}

/** Removes host.json if it is this process's. */
export function removeHostInfo(dataDir: string, pid = process.pid, options: ReadHostInfoOptions = {}): void {
  const read = readHostInfo(dataDir, options);
  if (read.ok && read.info.pid !== pid) return;
  rmSync(path.join(dataDir, HOST_INFO_FILE), { force: true });
}

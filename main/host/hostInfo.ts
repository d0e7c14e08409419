import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Where a running host can be reached; written to <data dir>/host.json (user-only) when it is ready. */
export const hostInfoSchema = z.object({
  pid: z.number().int(),
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

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads host.json of a running host; `stale` when the host that wrote it is gone. */
export function readHostInfo(dataDir: string): ReadHostInfo {
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
  if (!alive(parsed.data.pid)) return { ok: false, code: 'stale', reason: `The host that wrote ${file} (pid ${parsed.data.pid}) is gone. Start one with \`poshpool serve\`.` };
  return { ok: true, info: parsed.data };
}

/** Removes host.json if it is this process's. */
export function removeHostInfo(dataDir: string, pid = process.pid): void {
  const read = readHostInfo(dataDir);
  if (read.ok && read.info.pid !== pid) return;
  rmSync(path.join(dataDir, HOST_INFO_FILE), { force: true });
}

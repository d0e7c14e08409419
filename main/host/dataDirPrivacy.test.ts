import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPosix } from '../../test/platformGates.js';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';

// Defect 5 of issue 14: a data dir that already existed with mode 0755 was kept as it was, and
// backups were written 0755/0644. A real host (real pwsh, real git) starts on such a dir; afterwards
// nothing in it may let the group or others in.

let dir: string;
let dataDir: string;
let folder: string;
let host: Host;
const logs: string[] = [];

/** Every entry under `root` whose mode lets the group or others in ("0644 logs/audit.jsonl"). */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      const child = path.join(abs, name);
      const st = lstatSync(child);
      if (st.isSymbolicLink()) continue;
      if ((st.mode & 0o077) !== 0) found.push(`0${(st.mode & 0o777).toString(8)} ${path.relative(root, child)}`);
      if (st.isDirectory()) walk(child);
    }
  };
  walk(root);
  return found;
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-datadir-'));
  dataDir = path.join(dir, 'data');
  folder = path.join(dir, 'project');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'README.md'), 'readme\n');
  writeFileSync(path.join(folder, '.env'), 'GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n', { mode: 0o600 });
  // What an earlier version left: a 0755 data dir with a 0644 log and a 0444 object under 0755 dirs.
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  mkdirSync(path.join(dataDir, 'old', 'objects', 'ab'), { recursive: true });
  writeFileSync(path.join(dataDir, 'logs', 'audit.jsonl'), '');
  writeFileSync(path.join(dataDir, 'old', 'objects', 'ab', 'cdef'), 'x', { mode: 0o444 });
  for (const d of [dataDir, path.join(dataDir, 'logs'), path.join(dataDir, 'old'), path.join(dataDir, 'old', 'objects'), path.join(dataDir, 'old', 'objects', 'ab')]) chmodSync(d, 0o755);
  chmodSync(path.join(dataDir, 'logs', 'audit.jsonl'), 0o644);
  const started = await Host.start({
    config: defaultConfig({ warmSessions: 1, maxSessions: 1, watchFolders: [folder], backupQuietSeconds: 60, shell: { outputCapBytes: 4096 } }),
    dataDir,
    port: 0,
    cwd: dir,
    log: (line) => logs.push(line),
  });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(onPosix)('the data dir is the user alone’s (POSIX modes; Windows: see userOnly and privateModes)', () => {
  it('an existing 0755 data dir is 0700 after start, what was inside is tightened, and the log says so', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(logs.join('\n')).toMatch(/the data dir .* had mode 0755 .* it is now 0700/);
    expect(logs.join('\n')).toMatch(/file\(s\) and folder\(s\) in the data dir that others could read are now yours alone/);
    expect(statSync(path.join(dataDir, 'old', 'objects', 'ab', 'cdef')).mode & 0o777).toBe(0o400);
  });

  it('after a command with stored output and a backup of a folder holding a 0600 .env, nothing under the data dir is open to others', async () => {
    const { manager } = host.core;
    const ticket = await manager.requestSession('privacy-test', { priority: 'sync' });
    const allocated = ticket.status === 'queued' ? await ticket.allocation : ticket;
    if (!('sessionId' in allocated) || !allocated.sessionId) throw new Error(`no session: ${JSON.stringify(allocated)}`);
    const ran = await manager.run('privacy-test', allocated.sessionId, "'x' * 20000; exit 3");
    if (!ran.ok) throw new Error(ran.reason);
    expect(ran.result.truncated).toBe(true);
    // The host gave its token to the audit log at start: a command that carries it is logged without it.
    const token = readFileSync(host.info.tokenFile, 'utf8').trim();
    const withToken = await manager.run('privacy-test', allocated.sessionId, `'${token}'.Length`);
    expect(withToken.ok && withToken.result.output).toBe(String(token.length));
    const backedUp = await host.core.backups.backupNow(folder);
    expect(backedUp).toMatchObject({ ok: true, results: [{ result: { ok: true, kind: 'created' } }] });
    // While the session lives too (its temp dir, what pwsh wrote there for `exit` and long end records).
    expect(openToOthers(dataDir)).toEqual([]);
    await manager.endSession('privacy-test', allocated.sessionId);

    const names = readdirSync(dataDir);
    expect(names).toEqual(expect.arrayContaining(['backups', 'outputs', 'logs', 'sessions', 'host.json']));
    expect(openToOthers(dataDir)).toEqual([]);
    const audit = readFileSync(path.join(dataDir, 'logs', 'audit.jsonl'), 'utf8');
    expect(audit).toContain("'«redacted:poshpool-token»'.Length");
    expect(audit).not.toContain(token);
  });
});

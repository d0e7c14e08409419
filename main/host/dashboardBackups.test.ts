import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';

// The backups view's side of the host, over the dashboard's HTTP API: a backup's diff against the
// files now, the restore preview a person confirms, and restoring one file (the same core restore as
// the MCP tool restore_backup: literal paths, never outside the folder), against a real git repo.

let dir: string;
let repo: string;
let host: Host;
let token: string;
let base: string;

/** Long enough that the watcher never backs up during a test: the tests make their backups themselves. */
const NEVER_S = 3_600;

async function api<T>(pathname: string, body?: unknown): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { headers: { authorization: `Bearer ${token}` } }
      : { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(`${base}${pathname}`, init);
  return (await res.json()) as T;
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();
const read = (rel: string): string => readFileSync(path.join(repo, rel), 'utf8');

async function backupNow(): Promise<string> {
  const r = await host.core.backups.backupNow(repo);
  if (!r.ok) throw new Error(r.reason);
  const [first] = r.results;
  if (first === undefined || !first.result.ok || first.result.kind !== 'created') throw new Error(`expected a backup: ${JSON.stringify(r)}`);
  return first.result.id;
}

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-dash-backups-'));
  repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: repo, env });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.invalid');
  writeFileSync(path.join(repo, 'a.txt'), 'one\n');
  writeFileSync(path.join(repo, 'b.txt'), 'b\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  const config = defaultConfig({ warmSessions: 0, maxSessions: 1, watchFolders: [repo], backupQuietSeconds: NEVER_S, backupMaxDelaySeconds: NEVER_S });
  const started = await Host.start({ config, dataDir: path.join(dir, 'data'), port: 0, cwd: dir, log: () => undefined, publish: false });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
  base = host.info.mcpUrl.replace(/\/mcp$/, '');
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('backups from the dashboard', () => {
  it('diffs a backup against now, previews a single-file restore, and restores that one file byte for byte', async () => {
    writeFileSync(path.join(repo, 'a.txt'), 'two\n');
    const backup = await backupNow();
    writeFileSync(path.join(repo, 'a.txt'), 'three\n');
    rmSync(path.join(repo, 'b.txt'));

    const diff = await api<{ ok: true; diff: string }>(`/api/backups/diff?${q({ folder: repo, id: backup, against: 'now', path: 'a.txt' })}`);
    expect(diff.ok).toBe(true);
    // a/ is the backup, b/ the file now.
    expect(diff.diff).toContain('--- a/a.txt\n+++ b/a.txt\n');
    expect(diff.diff).toContain('-two\n+three\n');
    const whole = await api<{ ok: true; diff: string }>(`/api/backups/diff?${q({ folder: repo, id: backup, against: 'now' })}`);
    expect(whole.diff).toMatch(/^deleted file mode .*\n[^]*--- a\/b\.txt\n\+\+\+ \/dev\/null/m);

    expect(await api(`/api/backups/restore-preview?${q({ folder: repo, id: backup, path: 'a.txt' })}`)).toEqual({ ok: true, backupId: backup, files: [{ path: 'a.txt', change: 'overwrite' }] });
    expect(await api(`/api/backups/restore-preview?${q({ folder: repo, id: backup, path: 'b.txt' })}`)).toEqual({ ok: true, backupId: backup, files: [{ path: 'b.txt', change: 'create' }] });
    const wholePreview = await api<{ ok: true; files: { path: string; change: string }[] }>(`/api/backups/restore-preview?${q({ folder: repo, id: backup })}`);
    expect([...wholePreview.files].sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'a.txt', change: 'overwrite' },
      { path: 'b.txt', change: 'create' },
    ]);

    const restored = await api<{ ok: true; restored: string[]; removed: string[]; undoId: string }>('/api/backups/restore', { folder: repo, id: backup, path: 'a.txt' });
    expect(restored).toMatchObject({ ok: true, restored: ['a.txt'], removed: [] });
    expect(readFileSync(path.join(repo, 'a.txt'))).toEqual(Buffer.from('two\n'));
    // One file only: the other stays as it was.
    expect(existsSync(path.join(repo, 'b.txt'))).toBe(false);
    // The safety backup holds the file as it was before the restore.
    const undo = await api<{ ok: true; diff: string }>(`/api/backups/diff?${q({ folder: repo, id: restored.undoId, against: 'now', path: 'a.txt' })}`);
    expect(undo.diff).toContain('-three\n+two\n');
  });

  it('refuses a path outside the folder, takes names literally, and never falls back to the whole folder', async () => {
    writeFileSync(path.join(repo, 'a.txt'), 'four\n');
    const backup = await backupNow();
    writeFileSync(path.join(repo, 'a.txt'), 'five\n');

    const outside = await api<{ ok: false; reason: string }>('/api/backups/restore', { folder: repo, id: backup, path: '../data/token' });
    expect(outside).toMatchObject({ ok: false, reason: expect.stringMatching(/outside the backed-up folder/) as unknown });
    const glob = await api<{ ok: false; reason: string }>('/api/backups/restore', { folder: repo, id: backup, path: '*.txt' });
    expect(glob).toMatchObject({ ok: false, reason: expect.stringMatching(/^\*\.txt is not in backup/) as unknown });
    const notAName = await api<{ ok: false; reason: string }>('/api/backups/restore', { folder: repo, id: backup, path: 5 });
    expect(notAName).toMatchObject({ ok: false, reason: expect.stringMatching(/^path must be a file or directory relative to the folder/) as unknown });
    const previewOutside = await api<{ ok: false; reason: string }>(`/api/backups/restore-preview?${q({ folder: repo, id: backup, path: '/etc/passwd' })}`);
    expect(previewOutside).toMatchObject({ ok: false, reason: expect.stringMatching(/outside the backed-up folder/) as unknown });
    expect(read('a.txt')).toBe('five\n');

    // DashboardActions checks what a transport let through, too.
    expect(await host.actions.restoreBackup(repo, backup, '')).toMatchObject({ ok: false, reason: expect.stringMatching(/^path must be/) as unknown });
    expect(await host.actions.backupDiff(repo, backup, 'later' as 'now')).toMatchObject({ ok: false, reason: expect.stringMatching(/^against must be/) as unknown });
    expect(read('a.txt')).toBe('five\n');
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { createCore, type Core } from '../core/createCore.js';
import { createMcpServer } from './createMcpServer.js';

// The backup tools with the SDK's Client: an agent's undo for its own edits, on a real git repo.

let dir: string;
let repo: string;
let core: Core;
let client: Client;
let dispose: () => Promise<void>;

function structured<T = Record<string, unknown>>(r: unknown): T {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

beforeEach(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-mcp-backup-'));
  repo = path.join(dir, 'repo');
  mkdirSync(repo);
  // SystemRoot: Windows programs need it in an environment given whole (absent elsewhere).
  const env = { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'T');
  git('config', 'user.email', 't@example.invalid');
  writeFileSync(path.join(repo, 'notes.txt'), 'original\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 2, watchFolders: [repo], backupQuietSeconds: 60 }), dataDir: path.join(dir, 'data'), cwd: repo });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  await core.backups.start();
  const mcp = createMcpServer({ core, clientId: 'agent' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(b);
  client = new Client({ name: 'agent', version: '1' });
  await client.connect(a);
  dispose = mcp.dispose;
});
afterEach(async () => {
  await client.close();
  await dispose();
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('backup tools', () => {
  it('backup_now, list_backups, diff_backup, restore_backup (undoable) on an agent’s bad edit', async () => {
    const saved = structured<{ results: { outcome: string; backupId: string }[] }>(await client.callTool({ name: 'backup_now', arguments: {} }));
    expect(saved.results).toMatchObject([{ outcome: 'created' }]);
    const good = saved.results[0]!.backupId;
    // The agent breaks the file through PowerShell.
    await client.callTool({ name: 'run_command', arguments: { command: "Set-Content -Path notes.txt -Value 'broken'" } });
    expect(readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('broken\n');
    const listed = structured<{ folders: { folder: string; backups: { backupId: string }[] }[] }>(await client.callTool({ name: 'list_backups', arguments: {} }));
    expect(listed.folders).toMatchObject([{ folder: repo }]);
    expect(listed.folders[0]!.backups.map((b) => b.backupId)).toContain(good);
    const diff = structured<{ diff: string }>(await client.callTool({ name: 'diff_backup', arguments: { folder: repo, backupId: good, against: 'now' } }));
    expect(diff.diff).toContain('-original');
    expect(diff.diff).toContain('+broken');
    const restored = structured<{ restored: string[]; undoBackupId: string }>(await client.callTool({ name: 'restore_backup', arguments: { folder: repo, backupId: good, path: 'notes.txt' } }));
    expect(restored.restored).toEqual(['notes.txt']);
    expect(readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('original\n');
    await client.callTool({ name: 'restore_backup', arguments: { folder: repo, backupId: restored.undoBackupId, path: 'notes.txt' } });
    expect(readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('broken\n');
  });

  it('says restore_backup is destructive, and names the watched folders when given another', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'restore_backup')?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    expect(tools.find((t) => t.name === 'list_backups')?.annotations).toMatchObject({ readOnlyHint: true });
    const r = (await client.callTool({ name: 'list_backups', arguments: { folder: '/not/watched' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect((r.content[0] as { text: string }).text).toContain(repo);
  });
});

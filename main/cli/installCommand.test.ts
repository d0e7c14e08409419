import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from '../host/Host.js';

const execFileAsync = promisify(execFile);
// The installed command, as a person runs it (npm test builds dist/ first).
const bin = path.resolve(import.meta.dirname, '../../bin/poshpool.js');

/** Runs `poshpool <args>` with HOME (and the XDG dirs) pointing into `home`. */
async function poshpool(home: string, cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), CODEX_HOME: '', COPILOT_HOME: '', CLAUDE_CONFIG_DIR: '' };
  return execFileAsync(process.execPath, [bin, ...args], { cwd, env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('poshpool install / uninstall (the installed bin)', () => {
  let home: string;
  let project: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'poshpool-install-cli-'));
    project = path.join(home, 'project');
    mkdirSync(project);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('writes an entry that starts this Node and this poshpool as the bridge, keeping what was there; again it changes nothing', async () => {
    const dir = path.join(home, '.codex');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.toml'), '# mine\nmodel = "o3"\n');
    const first = await poshpool(home, project, 'install', '--client', 'codex', '--data-dir', 'data');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Codex CLI: added poshpool to ${path.join(dir, 'config.toml')}.`);
    expect(first.stdout).toMatch(/The old file is kept as .*config\.toml\.poshpool-backup-\d{8}-\d{6}/);
    const text = readFileSync(path.join(dir, 'config.toml'), 'utf8');
    expect(text.startsWith('# mine\nmodel = "o3"\n\n[mcp_servers.poshpool]\n')).toBe(true);
    expect(text).toContain(`command = ${JSON.stringify(process.execPath)}`);
    expect(text).toContain(`args = [ ${JSON.stringify(bin)}, "bridge", "--data-dir", ${JSON.stringify(path.join(project, 'data'))} ]`);
    const again = await poshpool(home, project, 'install', '--client', 'codex', '--data-dir', 'data');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already has this poshpool entry; nothing changed') });
    expect(readdirSync(dir).filter((n) => n.includes('poshpool-backup'))).toHaveLength(1);
  });

  it('--workspace writes the project file; --print shows the entry and writes nothing; uninstall removes it', async () => {
    const printed = await poshpool(home, project, 'install', '--client', 'vscode', '--scope', 'workspace', '--print');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`VS Code: would add poshpool to ${path.join(project, '.vscode', 'mcp.json')} (a new file).`);
    const shown = JSON.parse(printed.stdout.slice(printed.stdout.indexOf('{')));
    expect(shown).toEqual({ servers: { poshpool: { type: 'stdio', command: process.execPath, args: [bin, 'bridge'] } } });
    expect(readdirSync(project)).toEqual([]);
    const written = await poshpool(home, home, 'install', '--client', 'vscode', '--workspace', project);
    expect(written).toMatchObject({ code: 0, stdout: expect.stringContaining(`VS Code: created ${path.join(project, '.vscode', 'mcp.json')}.`) });
    expect(JSON.parse(readFileSync(path.join(project, '.vscode', 'mcp.json'), 'utf8'))).toEqual(shown);
    const removed = await poshpool(home, project, 'uninstall', '--client', 'vscode', '--scope', 'workspace');
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringContaining('VS Code: removed poshpool from') });
    expect(JSON.parse(readFileSync(path.join(project, '.vscode', 'mcp.json'), 'utf8'))).toEqual({ servers: {} });
  });

  it('exits 1 saying where and what to do when the file does not parse, and 2 on bad usage', async () => {
    const dir = path.join(home, '.cursor');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'mcp.json'), '{ "mcpServers": { ');
    const broken = await poshpool(home, project, 'install', '--client', 'cursor');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`poshpool install: Cursor: ${path.join(dir, 'mcp.json')}: it is not valid JSON (comments and trailing commas are allowed): line 1, column`);
    expect(readFileSync(path.join(dir, 'mcp.json'), 'utf8')).toBe('{ "mcpServers": { ');
    const none = await poshpool(home, project, 'install');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say which client with --client <name>');
    expect(none.stderr).toContain('claude-desktop');
    const unknown = await poshpool(home, project, 'install', '--client', 'emacs');
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown client "emacs"') });
    const scope = await poshpool(home, project, 'install', '--client', 'cursor', '--scope', 'global');
    expect(scope).toMatchObject({ code: 2, stderr: expect.stringContaining('--scope is user or workspace') });
  });

  it('the entry it writes connects a real MCP client to the running host (tools listed, a command run)', async () => {
    requirePwsh();
    const dataDir = path.join(home, 'data');
    const started = await Host.start({ config: defaultConfig({ warmSessions: 0, maxSessions: 1 }), dataDir, port: 0, cwd: project, log: () => undefined });
    if (!started.ok) throw new Error(started.reason);
    const client = new Client({ name: 'installed-client', version: '1.0.0' });
    try {
      mkdirSync(path.join(home, '.cursor'));
      expect(await poshpool(home, project, 'install', '--client', 'cursor', '--data-dir', dataDir)).toMatchObject({ code: 0 });
      const entry = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers.poshpool as { command: string; args: string[] };
      await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, stderr: 'pipe' }));
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('run_command');
      const r = (await client.callTool({ name: 'run_command', arguments: { command: "'connected'" } })) as CallToolResult;
      expect(r.structuredContent).toMatchObject({ output: 'connected', success: true });
    } finally {
      await client.close();
      await started.host.dispose();
    }
  });
});

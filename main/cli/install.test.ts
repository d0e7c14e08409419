import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import type { BridgeLauncher } from './clientConfigs.js';
import { runInstall, type InstallContext, type InstallRequest } from './install.js';
import { CLIENT_IDS, CLIENTS, type ClientId, type LocateContext } from './installClients.js';

const launcher: BridgeLauncher = { kind: 'bridgeVerb', command: ['/usr/bin/node', '/opt/poshpool/bin/poshpool.js'] };

describe('where each client keeps its config, per OS (the documented paths)', () => {
  const at = (os: 'win32' | 'darwin' | 'linux', env: Record<string, string> = {}): LocateContext => ({
    platform: platformFor(os),
    env,
    home: os === 'win32' ? 'C:\\Users\\jane' : os === 'darwin' ? '/Users/jane' : '/home/jane',
    workspace: os === 'win32' ? 'D:\\src\\app' : '/src/app',
  });
  const file = (id: ClientId, ctx: LocateContext, scope: 'user' | 'workspace' = 'user'): string => CLIENTS[id].locate(scope, ctx).file;

  it('Windows: %APPDATA% for the Electron apps, %USERPROFILE% dot-folders for the rest', () => {
    const win = at('win32', { AppData: 'C:\\Users\\jane\\AppData\\Roaming' });
    expect(file('vscode', win)).toBe('C:\\Users\\jane\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(file('claude-desktop', win)).toBe('C:\\Users\\jane\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    expect(file('claude-code', win)).toBe('C:\\Users\\jane\\.claude.json');
    expect(file('cursor', win)).toBe('C:\\Users\\jane\\.cursor\\mcp.json');
    expect(file('copilot-cli', win)).toBe('C:\\Users\\jane\\.copilot\\mcp-config.json');
    expect(file('codex', win)).toBe('C:\\Users\\jane\\.codex\\config.toml');
    expect(file('windsurf', win)).toBe('C:\\Users\\jane\\.codeium\\windsurf\\mcp_config.json');
    expect(file('vscode', win, 'workspace')).toBe('D:\\src\\app\\.vscode\\mcp.json');
    expect(file('codex', win, 'workspace')).toBe('D:\\src\\app\\.codex\\config.toml');
    // Without APPDATA set: the profile's AppData\Roaming.
    expect(file('vscode', at('win32'))).toBe('C:\\Users\\jane\\AppData\\Roaming\\Code\\User\\mcp.json');
  });

  it('macOS: ~/Library/Application Support for the Electron apps', () => {
    const mac = at('darwin');
    expect(file('vscode', mac)).toBe('/Users/jane/Library/Application Support/Code/User/mcp.json');
    expect(file('claude-desktop', mac)).toBe('/Users/jane/Library/Application Support/Claude/claude_desktop_config.json');
    expect(file('cursor', mac)).toBe('/Users/jane/.cursor/mcp.json');
    expect(file('claude-code', mac, 'workspace')).toBe('/src/app/.mcp.json');
    expect(file('cursor', mac, 'workspace')).toBe('/src/app/.cursor/mcp.json');
  });

  it('Linux: $XDG_CONFIG_HOME (absolute only) or ~/.config for the Electron apps', () => {
    expect(file('vscode', at('linux'))).toBe('/home/jane/.config/Code/User/mcp.json');
    expect(file('vscode', at('linux', { XDG_CONFIG_HOME: '/xdg' }))).toBe('/xdg/Code/User/mcp.json');
    expect(file('vscode', at('linux', { XDG_CONFIG_HOME: 'relative' }))).toBe('/home/jane/.config/Code/User/mcp.json');
    expect(file('claude-desktop', at('linux'))).toBe('/home/jane/.config/Claude/claude_desktop_config.json');
  });

  it("honours the clients' own folder variables: CODEX_HOME, COPILOT_HOME, CLAUDE_CONFIG_DIR", () => {
    const env = { CODEX_HOME: '/c/codex', COPILOT_HOME: '/c/copilot', CLAUDE_CONFIG_DIR: '/c/claude' };
    expect(file('codex', at('linux', env))).toBe('/c/codex/config.toml');
    expect(file('copilot-cli', at('linux', env))).toBe('/c/copilot/mcp-config.json');
    expect(file('claude-code', at('linux', env))).toBe('/c/claude/.claude.json');
  });

  it("writes each client's own entry shape, all starting the stdio bridge (no token, no URL)", () => {
    const l = { command: 'node', args: ['poshpool.js', 'bridge'] };
    expect(CLIENTS.vscode.entry(l)).toEqual({ type: 'stdio', ...l });
    expect(CLIENTS['claude-code'].entry(l)).toEqual({ type: 'stdio', ...l });
    expect(CLIENTS['copilot-cli'].entry(l)).toEqual({ type: 'local', ...l, tools: ['*'] });
    for (const id of ['claude-desktop', 'cursor', 'codex', 'windsurf'] as const) expect(CLIENTS[id].entry(l)).toEqual(l);
    for (const id of CLIENT_IDS) expect(JSON.stringify(CLIENTS[id].entry(l))).not.toMatch(/token|http/i);
  });
});

describe('runInstall on real files', () => {
  let home: string;
  let ws: string;
  let ctx: InstallContext;
  const req = (client: ClientId, more: Partial<InstallRequest> = {}): InstallRequest => ({ client, action: 'install', scope: 'user', workspace: ws, ...more });
  const backups = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.poshpool-backup-'));

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'poshpool-install-'));
    ws = path.join(home, 'project');
    mkdirSync(ws);
    ctx = { platform: platformFor('linux'), env: {}, home, launcher, now: () => new Date('2026-11-25T10:15:00Z') };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('merges into an existing VS Code mcp.json with comments, backs the old file up beside it, keeps its mode, and is idempotent', () => {
    const user = path.join(home, '.config', 'Code', 'User');
    mkdirSync(user, { recursive: true });
    const file = path.join(user, 'mcp.json');
    const before = '{\n  // my servers\n  "servers": {\n    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" }\n  }\n}\n';
    writeFileSync(file, before);
    chmodSync(file, 0o600);
    const first = runInstall(req('vscode'), ctx);
    expect(first).toMatchObject({ ok: true, status: 'added', written: true, file, backup: `${file}.poshpool-backup-20261125-101500` });
    if (!first.ok) return;
    expect(first.message).toContain(`The old file is kept as ${file}.poshpool-backup-20261125-101500`);
    expect(readFileSync(first.backup!, 'utf8')).toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(first.backup!).mode & 0o777).toBe(0o600);
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith('{\n  // my servers\n  "servers": {\n    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },\n    "poshpool": {')).toBe(true);
    // Again: nothing written, no second backup, and it says so.
    const second = runInstall(req('vscode'), { ...ctx, now: () => new Date('2026-11-25T10:16:00Z') });
    expect(second).toMatchObject({ ok: true, status: 'unchanged', written: false });
    if (second.ok) expect(second.message).toContain('already has this poshpool entry; nothing changed');
    expect(readFileSync(file, 'utf8')).toBe(after);
    expect(backups(user)).toHaveLength(1);
    // No temp files left beside it.
    expect(readdirSync(user).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('uninstall removes only its entry, leaving the file as it was before install', () => {
    const dir = path.join(home, '.cursor');
    mkdirSync(dir);
    const file = path.join(dir, 'mcp.json');
    const before = '{\n  "mcpServers": {\n    "playwright": { "command": "npx", "args": ["@playwright/mcp@latest"] }\n  }\n}\n';
    writeFileSync(file, before);
    expect(runInstall(req('cursor'), ctx)).toMatchObject({ ok: true, status: 'added' });
    const removed = runInstall(req('cursor', { action: 'uninstall' }), { ...ctx, now: () => new Date('2026-11-25T10:20:00Z') });
    expect(removed).toMatchObject({ ok: true, status: 'removed', written: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(runInstall(req('cursor', { action: 'uninstall' }), ctx)).toMatchObject({ ok: true, status: 'absent', written: false });
    expect(backups(dir)).toHaveLength(2);
  });

  it('refuses an unparseable file with line and column, writing nothing and making no backup', () => {
    const dir = path.join(home, '.codeium', 'windsurf');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'mcp_config.json');
    writeFileSync(file, '{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}\n');
    const out = runInstall(req('windsurf'), ctx);
    expect(out).toMatchObject({ ok: false, file });
    if (!out.ok) expect(out.reason.startsWith(`${file}: it is not valid JSON (comments and trailing commas are allowed): line 4, column 5`)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('"b": {}');
    expect(backups(dir)).toEqual([]);
  });

  it('leaves a read-only file alone (even when run as root), saying how to allow it', () => {
    mkdirSync(path.join(home, '.cursor'));
    const file = path.join(home, '.cursor', 'mcp.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o444);
    expect(runInstall(req('cursor'), ctx)).toMatchObject({ ok: false, reason: `${file} is read-only. Make it writable if poshpool may change it, then run this again.` });
    expect(readFileSync(file, 'utf8')).toBe('{}');
    expect(backups(path.join(home, '.cursor'))).toEqual([]);
  });

  it('refuses a client that was never installed here (its folder is missing), creating nothing', () => {
    const out = runInstall(req('claude-desktop'), ctx);
    expect(out).toMatchObject({ ok: false, reason: expect.stringContaining('is Claude Desktop installed') });
    expect(readdirSync(home)).toEqual(['project']);
  });

  it('creates a workspace file and its folder; --print (dryRun) writes nothing and shows the entry', () => {
    const dry = runInstall(req('vscode', { scope: 'workspace', dryRun: true }), ctx);
    expect(dry).toMatchObject({ ok: true, status: 'added', written: false });
    if (dry.ok) expect(JSON.parse(dry.entry)).toEqual({ servers: { poshpool: { type: 'stdio', command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] } } });
    expect(readdirSync(ws)).toEqual([]);
    const real = runInstall(req('vscode', { scope: 'workspace' }), ctx);
    expect(real).toMatchObject({ ok: true, status: 'added', written: true, backup: undefined });
    expect(JSON.parse(readFileSync(path.join(ws, '.vscode', 'mcp.json'), 'utf8'))).toEqual({ servers: { poshpool: { type: 'stdio', command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] } } });
  });

  it('refuses a scope the client has no file for, and a workspace that does not exist', () => {
    expect(runInstall(req('windsurf', { scope: 'workspace' }), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('Windsurf has no workspace config') });
    expect(runInstall(req('cursor', { scope: 'workspace', workspace: path.join(home, 'nope') }), ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('does not exist') });
  });

  it("edits the file a symbolic link points at, keeping the link (a dotfiles manager's)", () => {
    const dots = path.join(home, 'dotfiles');
    mkdirSync(dots);
    writeFileSync(path.join(dots, 'claude.json'), '{ "numStartups": 3 }');
    symlinkSync(path.join(dots, 'claude.json'), path.join(home, '.claude.json'));
    const out = runInstall(req('claude-code'), ctx);
    expect(out).toMatchObject({ ok: true, status: 'added', file: path.join(dots, 'claude.json') });
    expect(JSON.parse(readFileSync(path.join(home, '.claude.json'), 'utf8'))).toMatchObject({ numStartups: 3, mcpServers: { poshpool: { type: 'stdio' } } });
  });

  it("merges into Codex's config.toml, keeping the user's tables and comments", () => {
    const dir = path.join(home, '.codex');
    mkdirSync(dir);
    const file = path.join(dir, 'config.toml');
    const before = '# mine\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-server"\n';
    writeFileSync(file, before);
    expect(runInstall(req('codex'), ctx)).toMatchObject({ ok: true, status: 'added' });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(parse(text)).toEqual({ model: 'o3', mcp_servers: { docs: { command: 'docs-server' }, poshpool: { command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] } } });
    expect(runInstall(req('codex'), ctx)).toMatchObject({ ok: true, status: 'unchanged' });
    writeFileSync(file, 'model = "o3\n');
    expect(runInstall(req('codex'), ctx)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid TOML at line 1, column \d+/) });
  });

  it('writes Copilot CLI its own shape under COPILOT_HOME', () => {
    const dir = path.join(home, 'copilot-home');
    mkdirSync(dir);
    expect(runInstall(req('copilot-cli'), { ...ctx, env: { COPILOT_HOME: dir } })).toMatchObject({ ok: true, status: 'added' });
    expect(JSON.parse(readFileSync(path.join(dir, 'mcp-config.json'), 'utf8'))).toEqual({
      mcpServers: { poshpool: { type: 'local', command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'], tools: ['*'] } },
    });
  });

  it('on Windows starts the relay script with Windows PowerShell (the tray app\'s launcher)', () => {
    mkdirSync(path.join(home, '.cursor'));
    const relay: BridgeLauncher = { kind: 'powershellRelay', script: 'C:\\poshpool\\resources\\relay.ps1', dataDir: 'C:\\data', app: ['C:\\poshpool\\poshpool.exe'] };
    expect(runInstall(req('cursor'), { ...ctx, launcher: relay })).toMatchObject({ ok: true, status: 'added' });
    const entry = JSON.parse(readFileSync(path.join(home, '.cursor', 'mcp.json'), 'utf8')).mcpServers.poshpool;
    expect(entry.command).toBe('powershell.exe');
    expect(entry.args.at(-1)).toContain("relay.ps1')))");
  });
});

import type { Platform } from '../core/platform/Platform.js';

/** The MCP clients `poshpool install --client <id>` knows. */
export const CLIENT_IDS = ['vscode', 'claude-desktop', 'claude-code', 'cursor', 'copilot-cli', 'codex', 'windsurf'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** Where an entry goes: the user's own config (every project), or one workspace's (project) file. */
export type InstallScope = 'user' | 'workspace';

/** The name of poshpool's entry in every client's config. */
export const SERVER_NAME = 'poshpool';

/** What the client runs: the stdio bridge (clientConfigs.ts bridgeCommand). */
export interface StdioLaunch {
  command: string;
  args: string[];
}

/** Environment variables paths are read from (`process.env` fits). */
export type ClientEnv = Readonly<Record<string, string | undefined>>;

/** What a client's location depends on. */
export interface LocateContext {
  platform: Pick<Platform, 'path' | 'userDirs' | 'envNamesIgnoreCase'>;
  env: ClientEnv;
  home: string;
  /** The project folder, for the workspace scope. */
  workspace: string;
}

/** A config file and what shows that the client is there. */
export interface ClientLocation {
  file: string;
  /**
   * Paths of which at least one exists when the client is installed (user scope): installing into a
   * client that was never run would make its folders and say nothing. Empty: no check (workspace).
   */
  evidence: string[];
}

/** How the entry is stored: a member of a JSON(C) object, or a TOML table under `mcp_servers`. */
export type ClientFormat = { kind: 'json'; container: 'servers' | 'mcpServers' } | { kind: 'toml'; container: 'mcp_servers' };

/** One client: where its config is on each OS, in which format, and what poshpool's entry looks like. */
export interface ClientSpec {
  id: ClientId;
  label: string;
  scopes: readonly InstallScope[];
  format: ClientFormat;
  /** The documentation the path and format come from. */
  source: string;
  locate(scope: InstallScope, ctx: LocateContext): ClientLocation;
  /** The members poshpool sets in its entry; members a user added to the entry are kept. */
  entry(launch: StdioLaunch): Record<string, unknown>;
  /** What the person does next for the client to see the change. */
  nextStep: string;
}

/** An environment variable, empty counting as unset; Windows names ignore case (`AppData` is `APPDATA`). */
export function readEnv(ctx: Pick<LocateContext, 'platform' | 'env'>, name: string): string | undefined {
  let value = ctx.env[name];
  if (value === undefined && ctx.platform.envNamesIgnoreCase) {
    const key = Object.keys(ctx.env).find((k) => k.toUpperCase() === name.toUpperCase());
    value = key === undefined ? undefined : ctx.env[key];
  }
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The folder Electron apps keep per-user data in (app.getPath('appData')): %APPDATA% on Windows,
 * ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or ~/.config elsewhere (a relative
 * XDG value is invalid and ignored, as the XDG spec says). VS Code and Claude Desktop are Electron apps.
 */
function appDataDir(ctx: LocateContext): string {
  const p = ctx.platform.path;
  switch (ctx.platform.userDirs) {
    case 'windowsAppData':
      return readEnv(ctx, 'APPDATA') ?? p.join(ctx.home, 'AppData', 'Roaming');
    case 'macLibrary':
      return p.join(ctx.home, 'Library', 'Application Support');
    case 'xdg': {
      const xdg = readEnv(ctx, 'XDG_CONFIG_HOME');
      return xdg !== undefined && xdg.startsWith('/') ? xdg : p.join(ctx.home, '.config');
    }
  }
}

/** A folder named by an environment variable, else one in the home dir. */
function homeOrEnv(ctx: LocateContext, name: string, ...fallback: string[]): string {
  return readEnv(ctx, name) ?? ctx.platform.path.join(ctx.home, ...fallback);
}

const bare = (l: StdioLaunch): Record<string, unknown> => ({ command: l.command, args: l.args });

/** The clients, each with the source of its path and format. */
export const CLIENTS: Readonly<Record<ClientId, ClientSpec>> = {
  // code.visualstudio.com/docs/agents/reference/mcp-configuration ("MCP configuration reference"):
  // .vscode/mcp.json in the workspace or mcp.json in the user profile, a top-level `servers` object,
  // stdio servers as { type: "stdio", command, args }. The default profile's folder is
  // <appData>/Code/User (VS Code's user data dir).
  vscode: {
    id: 'vscode',
    label: 'VS Code',
    scopes: ['user', 'workspace'],
    format: { kind: 'json', container: 'servers' },
    source: 'https://code.visualstudio.com/docs/agents/reference/mcp-configuration',
    locate(scope, ctx) {
      const p = ctx.platform.path;
      if (scope === 'workspace') return { file: p.join(ctx.workspace, '.vscode', 'mcp.json'), evidence: [] };
      const user = p.join(appDataDir(ctx), 'Code', 'User');
      return { file: p.join(user, 'mcp.json'), evidence: [user] };
    },
    entry: (l) => ({ type: 'stdio', command: l.command, args: l.args }),
    nextStep: 'VS Code starts it from the MCP servers list (or on the next chat that needs it).',
  },
  // modelcontextprotocol.io/quickstart/user: claude_desktop_config.json in
  // ~/Library/Application Support/Claude (macOS) and %APPDATA%\Claude (Windows), `mcpServers` of
  // { command, args }. Claude Desktop has no Linux release; the Linux builds of it are Electron apps
  // reading the same file from their appData folder, ~/.config/Claude.
  'claude-desktop': {
    id: 'claude-desktop',
    label: 'Claude Desktop',
    scopes: ['user'],
    format: { kind: 'json', container: 'mcpServers' },
    source: 'https://modelcontextprotocol.io/quickstart/user',
    locate(_scope, ctx) {
      const dir = ctx.platform.path.join(appDataDir(ctx), 'Claude');
      return { file: ctx.platform.path.join(dir, 'claude_desktop_config.json'), evidence: [dir] };
    },
    entry: bare,
    nextStep: 'Quit Claude Desktop completely and start it again.',
  },
  // docs.anthropic.com/en/docs/claude-code/mcp ("MCP installation scopes"): user scope in ~/.claude.json
  // (top-level `mcpServers`, what `claude mcp add --scope user` writes; anthropics/claude-code#4193),
  // project scope in .mcp.json at the project root; stdio entries { type: "stdio", command, args }.
  // With CLAUDE_CONFIG_DIR set, .claude.json is in that folder (anthropics/claude-code#48448).
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    scopes: ['user', 'workspace'],
    format: { kind: 'json', container: 'mcpServers' },
    source: 'https://docs.anthropic.com/en/docs/claude-code/mcp',
    locate(scope, ctx) {
      const p = ctx.platform.path;
      if (scope === 'workspace') return { file: p.join(ctx.workspace, '.mcp.json'), evidence: [] };
      const custom = readEnv(ctx, 'CLAUDE_CONFIG_DIR');
      const file = p.join(custom ?? ctx.home, '.claude.json');
      return { file, evidence: [file, custom ?? p.join(ctx.home, '.claude')] };
    },
    entry: (l) => ({ type: 'stdio', command: l.command, args: l.args }),
    nextStep: 'Start a new Claude Code session (/mcp lists it; a project .mcp.json asks for approval once).',
  },
  // cursor.com/docs/mcp: ~/.cursor/mcp.json for every project, .cursor/mcp.json in a project,
  // `mcpServers` of { command, args } (%USERPROFILE%\.cursor on Windows).
  cursor: {
    id: 'cursor',
    label: 'Cursor',
    scopes: ['user', 'workspace'],
    format: { kind: 'json', container: 'mcpServers' },
    source: 'https://cursor.com/docs/mcp',
    locate(scope, ctx) {
      const p = ctx.platform.path;
      if (scope === 'workspace') return { file: p.join(ctx.workspace, '.cursor', 'mcp.json'), evidence: [] };
      const dir = p.join(ctx.home, '.cursor');
      return { file: p.join(dir, 'mcp.json'), evidence: [dir] };
    },
    entry: bare,
    nextStep: "Cursor picks it up in Settings > MCP (refresh it there if it doesn't show).",
  },
  // docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers and the CLI
  // reference: mcp-config.json in $COPILOT_HOME, default ~/.copilot; `mcpServers` of
  // { type: "local", command, args, tools: ["*"] } (tools is required: which tools Copilot may call).
  'copilot-cli': {
    id: 'copilot-cli',
    label: 'GitHub Copilot CLI',
    scopes: ['user'],
    format: { kind: 'json', container: 'mcpServers' },
    source: 'https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers',
    locate(_scope, ctx) {
      const dir = homeOrEnv(ctx, 'COPILOT_HOME', '.copilot');
      return { file: ctx.platform.path.join(dir, 'mcp-config.json'), evidence: [dir] };
    },
    entry: (l) => ({ type: 'local', command: l.command, args: l.args, tools: ['*'] }),
    nextStep: 'Start a new copilot session (/mcp show lists it).',
  },
  // developers.openai.com/codex/mcp and /codex/config-reference: [mcp_servers.<name>] tables with
  // command and args in $CODEX_HOME/config.toml (default ~/.codex), or .codex/config.toml in a trusted project.
  codex: {
    id: 'codex',
    label: 'Codex CLI',
    scopes: ['user', 'workspace'],
    format: { kind: 'toml', container: 'mcp_servers' },
    source: 'https://developers.openai.com/codex/mcp',
    locate(scope, ctx) {
      const p = ctx.platform.path;
      if (scope === 'workspace') return { file: p.join(ctx.workspace, '.codex', 'config.toml'), evidence: [] };
      const dir = homeOrEnv(ctx, 'CODEX_HOME', '.codex');
      return { file: p.join(dir, 'config.toml'), evidence: [dir] };
    },
    entry: bare,
    nextStep: 'Start a new codex session (/mcp lists it; a project file counts only in a trusted project).',
  },
  // docs.windsurf.com/windsurf/cascade/mcp: ~/.codeium/windsurf/mcp_config.json, "the same schema as
  // the config file for Claude Desktop" (`mcpServers` of { command, args }); %USERPROFILE% on Windows.
  windsurf: {
    id: 'windsurf',
    label: 'Windsurf',
    scopes: ['user'],
    format: { kind: 'json', container: 'mcpServers' },
    source: 'https://docs.windsurf.com/windsurf/cascade/mcp',
    locate(_scope, ctx) {
      const dir = ctx.platform.path.join(ctx.home, '.codeium', 'windsurf');
      return { file: ctx.platform.path.join(dir, 'mcp_config.json'), evidence: [dir] };
    },
    entry: bare,
    nextStep: "Press refresh in Cascade's MCP panel.",
  },
};

/** The client named `name` (also `copilot` for copilot-cli), or undefined. */
export function clientById(name: string): ClientSpec | undefined {
  const id = name === 'copilot' ? 'copilot-cli' : name;
  return (CLIENT_IDS as readonly string[]).includes(id) ? CLIENTS[id as ClientId] : undefined;
}

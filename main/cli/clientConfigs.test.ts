import { describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import { appBridgeLauncher, bridgeCommand, clientConfigs, relayScriptCopy, type AppLocation } from './clientConfigs.js';

describe('clientConfigs', () => {
  const c = clientConfigs(['/usr/bin/node', '/opt/poshpool/bin/poshpool.js'], 'http://127.0.0.1:4100/mcp', '/home/me/.local/share/poshpool/auth/token', 'linux');

  it('starts the stdio bridge for VS Code, Claude Desktop and Claude Code', () => {
    expect(JSON.parse(c.vscode)).toEqual({ servers: { poshpool: { type: 'stdio', command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] } } });
    expect(JSON.parse(c.claudeDesktop)).toEqual({ mcpServers: { poshpool: { command: '/usr/bin/node', args: ['/opt/poshpool/bin/poshpool.js', 'bridge'] } } });
    expect(c.claudeCode).toBe('claude mcp add poshpool -- /usr/bin/node /opt/poshpool/bin/poshpool.js bridge');
  });

  it('asks for the token in a password prompt for HTTP instead of pasting it', () => {
    const http = JSON.parse(c.vscodeHttp);
    expect(http.servers.poshpool).toEqual({ type: 'http', url: 'http://127.0.0.1:4100/mcp', headers: { Authorization: 'Bearer ${input:poshpool-token}' } });
    expect(http.inputs[0]).toMatchObject({ id: 'poshpool-token', password: true });
    expect(http.inputs[0].description).toContain('/home/me/.local/share/poshpool/auth/token');
  });

  it('starts the installed app itself as the bridge where the app can read stdin (macOS, Linux)', () => {
    const app = clientConfigs({ kind: 'bridgeVerb', command: ['/Applications/poshpool.app/Contents/MacOS/poshpool'] }, 'http://127.0.0.1:1/mcp', 'x', 'darwin');
    expect(JSON.parse(app.vscode).servers.poshpool).toEqual({ type: 'stdio', command: '/Applications/poshpool.app/Contents/MacOS/poshpool', args: ['bridge'] });
    expect(app.claudeCode).toBe('claude mcp add poshpool -- /Applications/poshpool.app/Contents/MacOS/poshpool bridge');
  });

  it('passes bridge flags (an absolute --data-dir) after the bridge verb', () => {
    expect(bridgeCommand({ kind: 'bridgeVerb', command: ['/usr/bin/node', '/opt/p/bin/poshpool.js'], bridgeArgs: ['--data-dir', '/data'] })).toEqual({
      command: '/usr/bin/node',
      args: ['/opt/p/bin/poshpool.js', 'bridge', '--data-dir', '/data'],
    });
  });

  it("quotes paths with spaces for the platform's shell", () => {
    const win = clientConfigs(['C:\\Program Files\\nodejs\\node.exe', 'C:\\poshpool\\bin\\poshpool.js'], 'http://127.0.0.1:1/mcp', 'x', 'win32');
    expect(win.claudeCode).toBe('claude mcp add poshpool -- "C:\\Program Files\\nodejs\\node.exe" C:\\poshpool\\bin\\poshpool.js bridge');
    const mac = clientConfigs(['/Applications/My Node/node', '/opt/p$/poshpool.js'], 'http://127.0.0.1:1/mcp', 'x', 'darwin');
    expect(mac.claudeCode).toBe('claude mcp add poshpool -- "/Applications/My Node/node" "/opt/p\\$/poshpool.js" bridge');
  });
});

describe('the Windows app: Windows PowerShell running relay.ps1 (Electron\'s stdin is always at EOF there: electron/electron#4218, #21705)', () => {
  const installed: AppLocation = {
    packaged: true,
    execPath: "C:\\Users\\Jane O'Neil\\AppData\\Local\\Programs\\poshpool\\poshpool.exe",
    appPath: "C:\\Users\\Jane O'Neil\\AppData\\Local\\Programs\\poshpool\\resources\\app.asar",
    resourcesPath: "C:\\Users\\Jane O'Neil\\AppData\\Local\\Programs\\poshpool\\resources",
    sourceRoot: 'unused',
    dataDir: "C:\\Users\\Jane O'Neil\\AppData\\Local\\poshpool",
  };
  const launcher = appBridgeLauncher(platformFor('win32'), installed);
  const configs = clientConfigs(launcher, 'http://127.0.0.1:1/mcp', 'x', 'win32');
  const expectedText =
    "& ([ScriptBlock]::Create([IO.File]::ReadAllText('C:\\Users\\Jane O''Neil\\AppData\\Local\\Programs\\poshpool\\resources\\relay.ps1')))" +
    " -DataDir 'C:\\Users\\Jane O''Neil\\AppData\\Local\\poshpool'" +
    " -AppPath 'C:\\Users\\Jane O''Neil\\AppData\\Local\\Programs\\poshpool\\poshpool.exe'";

  it('runs the shipped relay.ps1 (resources\\relay.ps1) with the data dir and the app to start, paths with spaces and quotes intact', () => {
    expect(launcher).toEqual({
      kind: 'powershellRelay',
      script: "C:\\Users\\Jane O'Neil\\AppData\\Local\\Programs\\poshpool\\resources\\relay.ps1",
      dataDir: installed.dataDir,
      app: [installed.execPath],
    });
    const stdio = { command: 'powershell.exe', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', expectedText] };
    expect(JSON.parse(configs.vscode)).toEqual({ servers: { poshpool: { type: 'stdio', ...stdio } } });
    expect(JSON.parse(configs.claudeDesktop)).toEqual({ mcpServers: { poshpool: stdio } });
  });

  it('loads the script with -Command, not -File: Group Policy execution policy overrides -ExecutionPolicy for files only', () => {
    expect(bridgeCommand(launcher).args).not.toContain('-File');
    expect(bridgeCommand(launcher).args).not.toContain('-ExecutionPolicy');
  });

  it('gives Claude Code one double-quoted -Command argument that cmd and PowerShell pass on whole', () => {
    expect(configs.claudeCode).toBe(`claude mcp add poshpool -- powershell.exe -NoLogo -NoProfile -NonInteractive -Command "${expectedText}"`);
    // Nothing in it that either shell would expand or end early inside double quotes.
    expect(expectedText).not.toMatch(/["$`%]/);
  });

  it('puts no token on the command line', () => {
    expect(configs.vscode).not.toMatch(/token/i);
    expect(configs.claudeCode).not.toMatch(/token/i);
  });

  it('runs the checkout\'s relay.ps1 and starts electron with the app folder in a development run', () => {
    const dev = appBridgeLauncher(platformFor('win32'), {
      ...installed,
      packaged: false,
      execPath: 'D:\\src\\poshpool\\node_modules\\electron\\dist\\electron.exe',
      appPath: 'D:\\src\\poshpool',
      sourceRoot: 'D:\\src\\poshpool',
    });
    expect(dev).toMatchObject({ kind: 'powershellRelay', script: 'D:\\src\\poshpool\\main\\host\\socket\\relay.ps1', app: ['D:\\src\\poshpool\\node_modules\\electron\\dist\\electron.exe', 'D:\\src\\poshpool'] });
    expect(bridgeCommand(dev).args.at(-1)).toContain(" -AppPath 'D:\\src\\poshpool\\node_modules\\electron\\dist\\electron.exe' -AppArguments 'D:\\src\\poshpool'");
  });

  it('runs a portable build\'s relay from a copy in the data dir: its own resources are a temp copy deleted on exit', () => {
    const portable: AppLocation = {
      ...installed,
      portable: true,
      execPath: 'D:\\Tools\\poshpool 0.1.0.exe',
      resourcesPath: 'C:\\Users\\jane\\AppData\\Local\\Temp\\2abc\\resources',
    };
    expect(relayScriptCopy(platformFor('win32'), portable)).toEqual({
      from: 'C:\\Users\\jane\\AppData\\Local\\Temp\\2abc\\resources\\relay.ps1',
      to: "C:\\Users\\Jane O'Neil\\AppData\\Local\\poshpool\\relay.ps1",
    });
    expect(appBridgeLauncher(platformFor('win32'), portable)).toMatchObject({
      script: "C:\\Users\\Jane O'Neil\\AppData\\Local\\poshpool\\relay.ps1",
      app: ['D:\\Tools\\poshpool 0.1.0.exe'],
    });
    expect(relayScriptCopy(platformFor('win32'), installed)).toBeUndefined();
    expect(relayScriptCopy(platformFor('linux'), portable)).toBeUndefined();
  });

  it('keeps the app\'s own bridge verb on macOS and Linux', () => {
    expect(appBridgeLauncher(platformFor('darwin'), { ...installed, execPath: '/Applications/poshpool.app/Contents/MacOS/poshpool' })).toEqual({
      kind: 'bridgeVerb',
      command: ['/Applications/poshpool.app/Contents/MacOS/poshpool'],
    });
    expect(appBridgeLauncher(platformFor('linux'), { ...installed, packaged: false, execPath: '/src/node_modules/electron/dist/electron', appPath: '/src' })).toEqual({
      kind: 'bridgeVerb',
      command: ['/src/node_modules/electron/dist/electron', '/src'],
    });
  });
});

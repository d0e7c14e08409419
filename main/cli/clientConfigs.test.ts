import { describe, expect, it } from 'vitest';
import { clientConfigs } from './clientConfigs.js';

describe('clientConfigs', () => {
  const c = clientConfigs(['/usr/bin/node', '/opt/poshpool/bin/poshpool.js'], 'http://127.0.0.1:4100/mcp', '/home/me/.local/share/poshpool/auth/token');

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

  it('starts the installed app itself as the bridge when it has no Node beside it', () => {
    const app = clientConfigs(['C:\\Users\\me\\AppData\\Local\\Programs\\poshpool\\poshpool.exe'], 'http://127.0.0.1:1/mcp', 'x', 'win32');
    expect(JSON.parse(app.vscode).servers.poshpool).toEqual({ type: 'stdio', command: 'C:\\Users\\me\\AppData\\Local\\Programs\\poshpool\\poshpool.exe', args: ['bridge'] });
    expect(app.claudeCode).toBe('claude mcp add poshpool -- C:\\Users\\me\\AppData\\Local\\Programs\\poshpool\\poshpool.exe bridge');
  });

  it('quotes paths with spaces for the platform\'s shell', () => {
    const win = clientConfigs(['C:\\Program Files\\nodejs\\node.exe', 'C:\\poshpool\\bin\\poshpool.js'], 'http://127.0.0.1:1/mcp', 'x', 'win32');
    expect(win.claudeCode).toBe('claude mcp add poshpool -- "C:\\Program Files\\nodejs\\node.exe" C:\\poshpool\\bin\\poshpool.js bridge');
    const mac = clientConfigs(['/Applications/My Node/node', '/opt/p$/poshpool.js'], 'http://127.0.0.1:1/mcp', 'x', 'darwin');
    expect(mac.claudeCode).toBe('claude mcp add poshpool -- "/Applications/My Node/node" "/opt/p\\$/poshpool.js" bridge');
  });
});

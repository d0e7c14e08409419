/** Ready-to-paste MCP client configurations for a running host. */
export interface ClientConfigs {
  vscode: string;
  vscodeHttp: string;
  claudeDesktop: string;
  claudeCode: string;
}

/**
 * Configs that start `poshpool bridge` (stdio): the bridge reads the token from its file itself, so
 * no secret is pasted anywhere. The HTTP variant for VS Code asks for the token in a password prompt.
 * `launcher` is the command line before `bridge`: [node, bin/poshpool.js] from npm, or the installed
 * app's own executable alone.
 */
export function clientConfigs(launcher: readonly [string, ...string[]], mcpUrl: string, tokenFile: string, platform: NodeJS.Platform = process.platform): ClientConfigs {
  const [command, ...lead] = launcher;
  const stdio = { command, args: [...lead, 'bridge'] };
  // POSIX shells need \, ", $ and ` escaped inside double quotes; cmd and PowerShell take a Windows path as it is.
  const quote = (s: string): string => {
    if ((platform === 'win32' ? /^[\w./:@\\-]+$/ : /^[\w./:@-]+$/).test(s)) return s;
    return platform === 'win32' ? `"${s}"` : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
  };
  return {
    vscode: JSON.stringify({ servers: { poshpool: { type: 'stdio', ...stdio } } }, null, 2),
    vscodeHttp: JSON.stringify(
      {
        inputs: [{ id: 'poshpool-token', type: 'promptString', description: `poshpool token (the contents of ${tokenFile})`, password: true }],
        servers: { poshpool: { type: 'http', url: mcpUrl, headers: { Authorization: 'Bearer ${input:poshpool-token}' } } },
      },
      null,
      2,
    ),
    claudeDesktop: JSON.stringify({ mcpServers: { poshpool: stdio } }, null, 2),
    claudeCode: `claude mcp add poshpool -- ${launcher.map(quote).join(' ')} bridge`,
  };
}

import { describe, expect, it } from 'vitest';
import { defaultShellConfig } from '../config/shellConfig.js';
import { platformFor } from '../platform/Platform.js';
import { planRemoteLaunch, type RemoteTarget } from '../shell/remoteLaunch.js';
import { remoteHostSchema } from './hostConfig.js';
import { remoteTarget } from './sshCommand.js';

// What poshpool decides for a Windows host and for a Windows machine reaching one, without Windows:
// from the sources cited beside each decision (remoteLaunch.ts, launch.ts, sshCommand.ts).

function boot(target: RemoteTarget, os: 'linux' | 'win32'): Record<string, string> {
  const planned = planRemoteLaunch(
    {
      shell: { path: 'pwsh', kind: 'pwsh' },
      config: defaultShellConfig({}),
      platform: platformFor(os),
      tempDir: os === 'win32' ? 'C:\\Users\\me\\AppData\\Local\\poshpool\\sessions\\session-1' : '/tmp/session-1',
      nonce: 'n0nce',
      fence: '#poshpool-fence-x',
      baseEnv: {},
    },
    target,
  );
  const script = Buffer.from(planned.scriptLines.join(''), 'base64').toString('utf8');
  const line = script.split('\n')[0]!;
  return Object.fromEntries([...line.matchAll(/(\w+) = ('(?:[^']|'')*'|\d+)/g)].map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, '')]));
}

const host = (windows: boolean): RemoteTarget => remoteTarget(remoteHostSchema.parse({ name: 'vm', ssh: 'me@vm', windows, pwsh: windows ? 'C:\\Program Files\\PowerShell\\7\\pwsh.exe' : 'pwsh' }), 'ssh');

describe('a Windows host', () => {
  it("is read as ConPTY shapes it: no fresh screen per command (Win32-OpenSSH's sshd runs pwsh in a pseudo console)", () => {
    expect(boot(host(true), 'linux')).toMatchObject({ FreshScreen: '0', InBand: '1', TempDir: '' });
    expect(boot(host(false), 'linux')).toMatchObject({ FreshScreen: '1', InBand: '1', TempDir: '' });
  });

  it('gets a pwsh path with spaces as one double-quoted word of its shell (cmd.exe), the bootstrap as -EncodedCommand', () => {
    const planned = planRemoteLaunch(
      { shell: { path: 'pwsh', kind: 'pwsh' }, config: defaultShellConfig({}), platform: platformFor('win32'), tempDir: 'C:\\t', nonce: 'n0nce', fence: 'f', baseEnv: {} },
      host(true),
    );
    const remoteCommand = planned.args.at(-1)!;
    expect(remoteCommand.startsWith('"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoLogo -NoExit -NoProfile -ExecutionPolicy Bypass -EncodedCommand ')).toBe(true);
    expect(remoteCommand).toMatch(/-EncodedCommand [A-Za-z0-9+/=]+$/);
    // The nonce never goes on a command line the host's other users can list.
    expect(planned.commandLine).not.toContain('n0nce');
  });
});

describe('a Windows machine reaching a host', () => {
  it('is shaped by its own ConPTY whatever the host is (the local pseudo console repaints ssh.exe\'s output too)', () => {
    expect(boot(host(false), 'win32')).toMatchObject({ FreshScreen: '0' });
  });
});

import { existsSync } from 'node:fs';
import type { Platform } from '../platform/Platform.js';
import type { RemoteTarget } from '../shell/remoteLaunch.js';
import { destinationOf, type RemoteHostConfig } from './hostConfig.js';

/** Keep-alive probes unanswered before ssh gives the connection up (ServerAliveCountMax). */
const KEEPALIVE_MISSES = 3;

/**
 * The ssh client to run. Windows: the OpenSSH client that ships with Windows 10 1809 and later
 * (%SystemRoot%\System32\OpenSSH\ssh.exe, learn.microsoft.com/windows-server/administration/openssh/openssh_install_firstuse),
 * else ssh.exe on PATH (Git for Windows, a newer Win32-OpenSSH); elsewhere ssh on PATH. A full path
 * either way: node-pty's Windows backend does not search PATH the way a shell does.
 */
export function findSsh(platform: Platform, env: Record<string, string | undefined>, exists: (file: string) => boolean = existsSync): string | undefined {
  const get = (name: string): string | undefined => {
    const key = Object.keys(env).find((k) => (platform.envNamesIgnoreCase ? k.toUpperCase() === name : k === name));
    return key === undefined ? undefined : env[key];
  };
  const p = platform.path;
  const candidates: string[] = [];
  const windows = platform.sshClient === 'windowsOpenSsh';
  if (windows) {
    const root = get('SYSTEMROOT') ?? 'C:\\Windows';
    candidates.push(p.join(root, 'System32', 'OpenSSH', 'ssh.exe'));
  }
  const name = windows ? 'ssh.exe' : 'ssh';
  for (const dir of (get('PATH') ?? '').split(platform.pathListSeparator)) {
    if (dir.trim() !== '') candidates.push(p.join(dir.replace(/^"(.*)"$/, '$1'), name));
  }
  if (!windows) candidates.push('/usr/bin/ssh');
  return candidates.find((c) => exists(c));
}

/** An ssh -o value: quoted when it holds a blank (ssh's config parser splits lists such as UserKnownHostsFile at blanks). */
function optionValue(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

/**
 * The ssh arguments of a session on `host`, up to the destination (the remote command follows).
 * The safety floor is set on the command line, which wins over ~/.ssh/config (ssh_config(5): the
 * first value obtained is used):
 * - the host key is always verified and never added (StrictHostKeyChecking=yes, never "no" or
 *   "accept-new"); a changed or unknown key ends the start with ssh's error;
 * - no prompt can hang a start (BatchMode=yes: no password, passphrase or host key questions);
 * - nothing of this machine crosses but the session: no agent or X11 forwarding, no port forwards
 *   from the user's config, no local command; ssh's environment holds no POSHPOOL_* variable but the
 *   session tag (processTree.ts, not a secret; launch.ts), so no SendEnv can carry the token;
 * - each session is its own connection (no ControlMaster multiplexing), so losing one ends one;
 * - a silent network ends the session after keepAliveSeconds x 3 instead of hanging it.
 */
export function sshArgs(host: RemoteHostConfig): string[] {
  const args = ['-tt'];
  const option = (name: string, value: string): void => {
    args.push('-o', `${name}=${value}`);
  };
  option('BatchMode', 'yes');
  option('StrictHostKeyChecking', 'yes');
  if (host.knownHostsFile !== undefined) option('UserKnownHostsFile', optionValue(host.knownHostsFile));
  if (host.identityFile !== undefined) {
    args.push('-i', host.identityFile);
    // Only the key named: an agent holding many keys can exhaust the server's MaxAuthTries first.
    option('IdentitiesOnly', 'yes');
  }
  if (host.port !== undefined) args.push('-p', String(host.port));
  option('ConnectTimeout', String(host.connectTimeoutSeconds));
  option('ServerAliveInterval', String(host.keepAliveSeconds));
  option('ServerAliveCountMax', String(KEEPALIVE_MISSES));
  option('ControlMaster', 'no');
  option('ControlPath', 'none');
  option('ForwardAgent', 'no');
  option('ForwardX11', 'no');
  option('ClearAllForwardings', 'yes');
  option('PermitLocalCommand', 'no');
  args.push('--', host.ssh);
  return args;
}

/** The engine's view of a host: how to reach pwsh there. */
export function remoteTarget(host: RemoteHostConfig, sshFile: string): RemoteTarget {
  return {
    name: host.name,
    destination: destinationOf(host),
    ssh: { file: sshFile, args: sshArgs(host) },
    pwsh: host.pwsh,
    windows: host.windows,
    ...(host.knownHostsFile === undefined ? {} : { knownHostsFile: host.knownHostsFile }),
  };
}

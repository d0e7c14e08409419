import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentPlatform, platformFor } from '../platform/Platform.js';
import { remoteHostSchema, type RemoteHostConfig } from './hostConfig.js';
import { findSsh, remoteTarget, sshArgs } from './sshCommand.js';

const win = platformFor('win32');
const linux = platformFor('linux');
const mac = platformFor('darwin');

/** An `exists` that knows only these files (compared exactly: the test says what findSsh builds). */
function only(...files: string[]): (file: string) => boolean {
  return (file) => files.includes(file);
}

function host(fields: Record<string, unknown> = {}): RemoteHostConfig {
  return remoteHostSchema.parse({ name: 'box', ssh: 'ann@box.example', ...fields });
}

/** The value of each `-o Name=value` in args, by name. */
function options(args: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  args.forEach((a, i) => {
    if (a !== '-o') return;
    const [name, ...rest] = args[i + 1]!.split('=');
    found.set(name!, [...(found.get(name!) ?? []), rest.join('=')]);
  });
  return found;
}

describe('findSsh on Windows (path.win32 through the platform seam)', () => {
  it("takes the OpenSSH client that ships with Windows first, under %SystemRoot%, even when PATH has another", () => {
    const system = 'D:\\WINNT\\System32\\OpenSSH\\ssh.exe';
    const git = 'C:\\Program Files\\Git\\usr\\bin\\ssh.exe';
    const env = { SystemRoot: 'D:\\WINNT', Path: 'C:\\Program Files\\Git\\usr\\bin;C:\\Windows' };
    expect(findSsh(win, env, only(system, git))).toBe(system);
  });

  it('reads environment names whatever their case (Path, SYSTEMROOT, systemroot are one variable there)', () => {
    const system = 'E:\\Win\\System32\\OpenSSH\\ssh.exe';
    expect(findSsh(win, { systemroot: 'E:\\Win' }, only(system))).toBe(system);
    expect(findSsh(win, { SYSTEMROOT: 'E:\\Win' }, only(system))).toBe(system);
    const tools = 'C:\\Tools\\ssh.exe';
    expect(findSsh(win, { path: 'C:\\Tools' }, only(tools))).toBe(tools);
    expect(findSsh(win, { PATH: 'C:\\Tools' }, only(tools))).toBe(tools);
  });

  it('falls back to C:\\Windows when SystemRoot is not set', () => {
    const system = 'C:\\Windows\\System32\\OpenSSH\\ssh.exe';
    expect(findSsh(win, {}, only(system))).toBe(system);
  });

  it('searches PATH split at ";" in order, with quoted entries unquoted and empty ones skipped', () => {
    const first = 'C:\\Program Files\\OpenSSH\\ssh.exe';
    const second = 'C:\\Program Files\\Git\\usr\\bin\\ssh.exe';
    const env = { SystemRoot: 'C:\\Windows', Path: ';;"C:\\Program Files\\OpenSSH";C:\\Program Files\\Git\\usr\\bin; ;' };
    expect(findSsh(win, env, only(first, second))).toBe(first);
    expect(findSsh(win, env, only(second))).toBe(second);
    // The POSIX name is never taken on Windows, nor a POSIX fallback.
    expect(findSsh(win, { Path: 'C:\\bin' }, only('C:\\bin\\ssh', '/usr/bin/ssh'))).toBeUndefined();
  });

  it('returns a full path with backslashes (node-pty on Windows does not search PATH)', () => {
    const seen: string[] = [];
    findSsh(win, { SystemRoot: 'C:\\Windows', Path: 'C:\\a;"C:\\b c"' }, (f) => (seen.push(f), false));
    expect(seen).toEqual(['C:\\Windows\\System32\\OpenSSH\\ssh.exe', 'C:\\a\\ssh.exe', 'C:\\b c\\ssh.exe']);
  });
});

describe('findSsh on Linux and macOS', () => {
  it('searches PATH split at ":" for ssh, in order', () => {
    for (const platform of [linux, mac]) {
      expect(findSsh(platform, { PATH: '/opt/ssh/bin:/usr/local/bin:/usr/bin' }, only('/usr/local/bin/ssh', '/usr/bin/ssh'))).toBe('/usr/local/bin/ssh');
    }
  });

  it('falls back to /usr/bin/ssh when PATH does not lead to one (a service started with a bare environment)', () => {
    expect(findSsh(linux, {}, only('/usr/bin/ssh'))).toBe('/usr/bin/ssh');
    expect(findSsh(mac, { PATH: '/nowhere' }, only('/usr/bin/ssh'))).toBe('/usr/bin/ssh');
  });

  it('reads PATH by its exact name (environment names are case-sensitive there)', () => {
    expect(findSsh(linux, { path: '/opt/bin' }, only('/opt/bin/ssh'))).toBeUndefined();
  });

  it('finds nothing when there is no ssh client', () => {
    expect(findSsh(linux, { PATH: '/bin:/usr/bin' }, () => false)).toBeUndefined();
  });
});

describe('sshArgs: the safety floor on the command line', () => {
  const configs: Record<string, unknown>[] = [
    {},
    { port: 2222, identityFile: '/home/ann/.ssh/id_ed25519', knownHostsFile: '/home/ann/known_hosts' },
    { windows: true, pwsh: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', connectTimeoutSeconds: 300, keepAliveSeconds: 1 },
  ];

  it('always verifies the host key strictly and never prompts, whatever the host config', () => {
    for (const fields of configs) {
      const args = sshArgs(host(fields));
      const o = options(args);
      expect(o.get('StrictHostKeyChecking')).toEqual(['yes']);
      expect(o.get('BatchMode')).toEqual(['yes']);
      expect(args.join(' ')).not.toMatch(/StrictHostKeyChecking=(no|accept-new|off|ask)/i);
    }
  });

  it('has no config field through which host key checking could be turned down', () => {
    for (const extra of [{ strictHostKeyChecking: 'no' }, { sshOptions: ['StrictHostKeyChecking=accept-new'] }, { options: { StrictHostKeyChecking: 'no' } }]) {
      expect(remoteHostSchema.safeParse({ name: 'box', ssh: 'box', ...extra }).success).toBe(false);
    }
  });

  it('forwards nothing and shares no connection: no agent, no X11, no forwards of the user config, no local command, no ControlMaster', () => {
    const o = options(sshArgs(host()));
    expect(o.get('ControlMaster')).toEqual(['no']);
    expect(o.get('ControlPath')).toEqual(['none']);
    expect(o.get('ForwardAgent')).toEqual(['no']);
    expect(o.get('ForwardX11')).toEqual(['no']);
    expect(o.get('ClearAllForwardings')).toEqual(['yes']);
    expect(o.get('PermitLocalCommand')).toEqual(['no']);
  });

  it('asks ssh for a terminal (-tt) and ends with "--" then the destination, so the destination is never read as an option', () => {
    const args = sshArgs(host({ ssh: 'ann@box.example' }));
    expect(args[0]).toBe('-tt');
    expect(args.slice(-2)).toEqual(['--', 'ann@box.example']);
    expect(args.indexOf('--')).toBe(args.length - 2);
  });

  it('names the key with -i and IdentitiesOnly=yes (an agent with many keys cannot exhaust MaxAuthTries)', () => {
    const args = sshArgs(host({ identityFile: 'C:\\Users\\Ann Lee\\.ssh\\id_ed25519' }));
    expect(args[args.indexOf('-i') + 1]).toBe('C:\\Users\\Ann Lee\\.ssh\\id_ed25519');
    expect(options(args).get('IdentitiesOnly')).toEqual(['yes']);
    const none = sshArgs(host());
    expect(none).not.toContain('-i');
    expect(options(none).has('IdentitiesOnly')).toBe(false);
  });

  it('quotes a known_hosts path with a blank (ssh splits UserKnownHostsFile at blanks into several files)', () => {
    expect(options(sshArgs(host({ knownHostsFile: 'C:\\Users\\Ann Lee\\.ssh\\known_hosts' }))).get('UserKnownHostsFile')).toEqual(['"C:\\Users\\Ann Lee\\.ssh\\known_hosts"']);
    expect(options(sshArgs(host({ knownHostsFile: '/home/ann/kh' }))).get('UserKnownHostsFile')).toEqual(['/home/ann/kh']);
    expect(options(sshArgs(host())).has('UserKnownHostsFile')).toBe(false);
  });

  it('passes the port, the connect timeout and the keep-alive (3 missed probes end the session)', () => {
    const args = sshArgs(host({ port: 2222, connectTimeoutSeconds: 7, keepAliveSeconds: 11 }));
    expect(args[args.indexOf('-p') + 1]).toBe('2222');
    const o = options(args);
    expect(o.get('ConnectTimeout')).toEqual(['7']);
    expect(o.get('ServerAliveInterval')).toEqual(['11']);
    expect(o.get('ServerAliveCountMax')).toEqual(['3']);
    expect(sshArgs(host())).not.toContain('-p');
  });

  it('makes the engine target: destination as people write it, the ssh file and these args', () => {
    const h = host({ port: 2222, windows: true, pwsh: 'powershell' });
    expect(remoteTarget(h, '/usr/bin/ssh')).toEqual({ name: 'box', destination: 'ann@box.example:2222', ssh: { file: '/usr/bin/ssh', args: sshArgs(h) }, pwsh: 'powershell', windows: true });
  });
});

describe("sshArgs as this machine's OpenSSH client reads them (ssh -G: the effective config, nothing connects)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-sshargs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The effective options ssh would use with a hostile user config, lower-cased names as ssh -G prints them. */
  function effective(h: RemoteHostConfig): Map<string, string[]> {
    const ssh = findSsh(currentPlatform(), process.env);
    if (!ssh) throw new Error('This test needs the OpenSSH client (ssh) on PATH.');
    const userConfig = path.join(dir, 'config');
    writeFileSync(
      userConfig,
      [
        'Host *',
        '  StrictHostKeyChecking no',
        '  BatchMode no',
        '  ForwardAgent yes',
        '  ForwardX11 yes',
        '  ControlMaster auto',
        `  ControlPath ${dir}/cm-%r@%h`,
        '  LocalForward 8080 localhost:80',
        '  PermitLocalCommand yes',
        '  LocalCommand touch /tmp/poshpool-should-not-run',
        '  IdentitiesOnly no',
        '',
      ].join('\n'),
    );
    const args = sshArgs(h);
    // -G and -F go before the "--" that ends the options.
    const r = spawnSync(ssh, ['-G', '-F', userConfig, ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status, r.stderr).toBe(0);
    const seen = new Map<string, string[]>();
    for (const line of r.stdout.split('\n')) {
      const [name, ...value] = line.split(' ');
      if (name) seen.set(name, [...(seen.get(name) ?? []), value.join(' ')]);
    }
    return seen;
  }

  it('wins over a user config that turns host key checking off and forwards the agent, X11 and ports', () => {
    const key = path.join(dir, 'id_test');
    writeFileSync(key, 'not a real key', { mode: 0o600 });
    const knownDir = path.join(dir, 'known hosts dir');
    mkdirSync(knownDir);
    const known = path.join(knownDir, 'known_hosts');
    writeFileSync(known, '');
    const g = effective(host({ ssh: 'ann@box.example', port: 2222, identityFile: key, knownHostsFile: known }));
    expect(g.get('stricthostkeychecking')).toEqual(['true']);
    expect(g.get('batchmode')).toEqual(['yes']);
    expect(g.get('forwardagent')).toEqual(['no']);
    expect(g.get('forwardx11')).toEqual(['no']);
    expect(g.get('controlmaster')).toEqual(['false']);
    expect(g.has('controlpath')).toBe(false);
    expect(g.get('clearallforwardings')).toEqual(['yes']);
    expect(g.has('localforward')).toBe(false);
    expect(g.get('permitlocalcommand')).toEqual(['no']);
    expect(g.get('identitiesonly')).toEqual(['yes']);
    expect(g.get('identityfile')).toEqual([key]);
    expect(g.get('userknownhostsfile')).toEqual([known]);
    expect(g.get('user')).toEqual(['ann']);
    expect(g.get('hostname')).toEqual(['box.example']);
    expect(g.get('port')).toEqual(['2222']);
    expect(g.get('serveraliveinterval')).toEqual(['15']);
    expect(g.get('serveralivecountmax')).toEqual(['3']);
    expect(g.get('connecttimeout')).toEqual(['15']);
  });
});

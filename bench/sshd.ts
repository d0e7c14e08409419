import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { currentPlatform } from '../main/core/platform/Platform.js';
import { discoverShell, hostDiscoveryEnv } from '../main/core/shell/discovery.js';

/** Debian's OpenSSH server (TOOLCHAIN item 14); .ci/run installs it when missing. */
const SSHD = '/usr/sbin/sshd';

/**
 * A throwaway OpenSSH server on 127.0.0.1 for tests and the bench (test/sshd.ts re-exports it): its own host key, a user key for the current
 * user, a known_hosts file that holds the host key (and one that holds another key, for the "host
 * key changed" case). Tests that need it fail loudly when sshd is missing: they are never skipped.
 */
export class SshdFixture {
  readonly dir: string;
  readonly port: number;
  /** The private key the login uses. */
  readonly userKey: string;
  /** known_hosts with this server's host key. */
  readonly knownHosts: string;
  /** known_hosts where this server's address has another host key (what a reinstalled server or a man in the middle looks like). */
  readonly wrongKnownHosts: string;
  /** An empty known_hosts (the server was never connected to). */
  readonly emptyKnownHosts: string;
  /** The user ssh logs in as. */
  readonly user = userInfo().username;
  /** The full path of pwsh for the login (its PATH may not hold ~/.dotnet/tools). */
  readonly pwsh: string;
  private daemon: ChildProcess | undefined;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    this.userKey = path.join(dir, 'user_key');
    this.knownHosts = path.join(dir, 'known_hosts');
    this.wrongKnownHosts = path.join(dir, 'known_hosts_wrong');
    this.emptyKnownHosts = path.join(dir, 'known_hosts_empty');
    const found = discoverShell('', hostDiscoveryEnv());
    if (!found.ok) throw new Error(`A session over ssh needs real PowerShell. ${found.reason}`);
    this.pwsh = found.shell.path;
  }

  /** Starts sshd on a free port of 127.0.0.1 and waits until it accepts connections. */
  static async start(): Promise<SshdFixture> {
    if (!existsSync(SSHD)) throw new Error(`These tests need OpenSSH's server at ${SSHD}: apt-get install -y openssh-server (.ci/run does it).`);
    const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-sshd-'));
    const fixture = new SshdFixture(dir, await freePort());
    await fixture.launch();
    return fixture;
  }

  /** The config entry of a host for this server (override any field). */
  host(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: 'box',
      ssh: `${this.user}@127.0.0.1`,
      port: this.port,
      identityFile: this.userKey,
      knownHostsFile: this.knownHosts,
      pwsh: this.pwsh,
      warmSessions: 0,
      maxSessions: 2,
      connectTimeoutSeconds: 5,
      ...overrides,
    };
  }

  /**
   * Ends every connection's session process (sshd's per-connection children), as a dropped network
   * or a rebooting server would: the listener stays up, so new connections work again.
   */
  killConnections(): number {
    const ours = this.daemon?.pid;
    if (ours === undefined) return 0;
    let listed = '';
    try {
      listed = execFileSync('pgrep', ['-P', String(ours)], { encoding: 'utf8' });
    } catch {
      // pgrep exits 1 when it lists nothing: no connection.
    }
    const children = listed
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return children.length;
  }

  /** Stops the server (connections end). */
  async stop(): Promise<void> {
    this.killConnections();
    const daemon = this.daemon;
    this.daemon = undefined;
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      const gone = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await gone;
    }
  }

  /** Starts the server again on the same port and keys. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const dir = this.dir;
    const hostKey = path.join(dir, 'host_key');
    if (!existsSync(hostKey)) {
      keygen(hostKey);
      keygen(this.userKey);
      keygen(path.join(dir, 'other_host_key'));
      writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${this.userKey}.pub`));
      const hostLine = (file: string): string => readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      writeFileSync(this.knownHosts, `[127.0.0.1]:${this.port} ${hostLine(hostKey)}\n`);
      writeFileSync(this.wrongKnownHosts, `[127.0.0.1]:${this.port} ${hostLine(path.join(dir, 'other_host_key'))}\n`);
      writeFileSync(this.emptyKnownHosts, '');
      writeFileSync(
        path.join(dir, 'sshd_config'),
        [
          `Port ${this.port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${hostKey}`,
          `PidFile ${path.join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
          'StrictModes no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'PermitRootLogin prohibit-password',
          'MaxStartups 100',
          'MaxSessions 100',
          // The login's environment: pwsh through its full path; nothing from the test's own env.
          'PermitUserEnvironment no',
          // Whatever a client sends is taken: a test proves poshpool's ssh sends no POSHPOOL_ variable even when asked to.
          'AcceptEnv *',
          '',
        ].join('\n'),
      );
    }
    // Debian's sshd wants its privilege separation directory (macOS's does not use one).
    if (currentPlatform().os === 'linux') mkdirSync('/run/sshd', { recursive: true });
    // -D: stays in the foreground (a child of this process, ended with it); -e: its log to stderr.
    const daemon = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    daemon.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8000);
    });
    this.daemon = daemon;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start (exit ${daemon.exitCode}): ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', file], { stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port nobody listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  return freePort();
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

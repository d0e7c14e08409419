import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requirePwsh } from '../../../test/pwsh.js';
import { describeSshFailure } from './sshErrors.js';

// The texts are OpenSSH's own (openssh/openssh-portable, read at 0ef0f5a8, 2026-08), as its client
// prints them on the session's terminal (error()/fatal() lines end with \r\n on a pty), each with the
// source line it comes from. The shells' texts are produced by running the shells here.

const DEST = 'ann@build.lan:2222';
const PWSH = 'pwsh';
const lines = (...l: string[]): string => `${l.join('\r\n')}\r\n`;

describe('a host key that changed', () => {
  // sshconnect.c warn_changed_key(), then check_host_key() "Host key for %.200s has changed and you
  // have requested strict checking.", then sshconnect2.c verify_host_key_callback() "Host key verification failed."
  const text = lines(
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    'The fingerprint for the ED25519 key sent by the remote host is',
    'SHA256:2bq0Dq3f0m8p6wWq5b8c3m0J8q7m0c6J1Ww5yq3b7Zs.',
    'Please contact your system administrator.',
    'Add correct host key in /home/ann/.ssh/known_hosts to get rid of this message.',
    'Offending ED25519 key in /home/ann/.ssh/known_hosts:3',
    'Host key for [build.lan]:2222 has changed and you have requested strict checking.',
    'Host key verification failed.',
  );

  it('is hostKeyChanged, not an unknown key (both texts end with "Host key verification failed.")', () => {
    expect(describeSshFailure(text, DEST, PWSH, 255)?.kind).toBe('hostKeyChanged');
  });

  it("tells how to remove the old key by the name ssh gave it and how to connect with ssh's own syntax (-p, not host:port)", () => {
    const m = describeSshFailure(text, DEST, PWSH, 255)!.message;
    expect(m).toContain('ssh-keygen -R "[build.lan]:2222"');
    expect(m).toContain('ssh -p 2222 ann@build.lan');
    expect(m).not.toContain('ssh ann@build.lan:2222');
  });

  it('names the known_hosts entry [host]:port for a port other than 22 when ssh printed only the banner', () => {
    const banner = text.split('\r\n').slice(0, 3).join('\r\n');
    expect(describeSshFailure(banner, DEST, PWSH, 255)!.message).toContain('ssh-keygen -R "[build.lan]:2222"');
    expect(describeSshFailure(banner, 'ann@build.lan', PWSH, 255)!.message).toContain('ssh-keygen -R build.lan)');
    expect(describeSshFailure(banner, 'build.lan:22', PWSH, 255)!.message).toContain('ssh-keygen -R build.lan)');
  });
});

describe('an unknown host key (StrictHostKeyChecking=yes never adds one)', () => {
  it('is hostKeyUnknown from sshconnect.c check_host_key() "No %s host key is known for %.200s and you have requested strict checking."', () => {
    const text = lines('No ED25519 host key is known for [build.lan]:2222 and you have requested strict checking.', 'Host key verification failed.');
    const f = describeSshFailure(text, DEST, PWSH, 255)!;
    expect(f.kind).toBe('hostKeyUnknown');
    expect(f.message).toContain('never accepts a host key by itself');
    expect(f.message).toContain('Connect once with ssh -p 2222 ann@build.lan');
  });

  it('is hostKeyUnknown from sshconnect2.c "Host key verification failed." alone', () => {
    expect(describeSshFailure(lines('Host key verification failed.'), 'box', PWSH, 255)?.kind).toBe('hostKeyUnknown');
    expect(describeSshFailure(lines('Host key verification failed.'), 'box', PWSH, 255)?.message).toContain('Connect once with ssh box to');
  });
});

describe('authentication', () => {
  it('is authFailed from sshconnect2.c ssh_userauth2() "%s@%s: Permission denied (%s).", naming the methods the server takes', () => {
    const f = describeSshFailure(lines('ann@build.lan: Permission denied (publickey,keyboard-interactive).'), DEST, PWSH, 255)!;
    expect(f.kind).toBe('authFailed');
    expect(f.message).toContain('the server accepts: publickey,keyboard-interactive');
    expect(f.message).toContain('BatchMode');
  });

  it('does not take a file\'s "Permission denied" from the host\'s shell for an authentication failure', () => {
    expect(describeSshFailure(lines('bash: /opt/pwsh: Permission denied'), DEST, '/opt/pwsh', 126)?.kind).not.toBe('authFailed');
  });
});

describe('connecting', () => {
  // sshconnect.c ssh_connect_direct(): error("ssh: connect to host %s port %s: %s", host, strport, strerror(errno)).
  it('is refused from "Connection refused" (ECONNREFUSED)', () => {
    const f = describeSshFailure(lines('ssh: connect to host build.lan port 2222: Connection refused'), DEST, PWSH, 255)!;
    expect(f.kind).toBe('refused');
    expect(f.message).toContain('no ssh server listens');
  });

  it('is timedOut from "Connection timed out" (ETIMEDOUT, Linux) and "Operation timed out" (macOS)', () => {
    expect(describeSshFailure(lines('ssh: connect to host build.lan port 2222: Connection timed out'), DEST, PWSH, 255)?.kind).toBe('timedOut');
    expect(describeSshFailure(lines('ssh: connect to host build.lan port 2222: Operation timed out'), DEST, PWSH, 255)?.kind).toBe('timedOut');
  });

  it('is timedOut from kex.c "Connection timed out during banner exchange" (and packet.c\'s line after it)', () => {
    const text = lines('Connection timed out during banner exchange', 'Connection to 10.0.0.5 port 2222 timed out');
    expect(describeSshFailure(text, DEST, PWSH, 255)?.kind).toBe('timedOut');
  });

  it('is unreachable from "No route to host" and "Network is unreachable"', () => {
    expect(describeSshFailure(lines('ssh: connect to host 10.0.0.5 port 22: No route to host'), 'ann@10.0.0.5', PWSH, 255)?.kind).toBe('unreachable');
    expect(describeSshFailure(lines('ssh: connect to host 10.0.0.5 port 22: Network is unreachable'), 'ann@10.0.0.5', PWSH, 255)?.kind).toBe('unreachable');
  });

  // ssh.c resolve_host(): "%s: Could not resolve hostname %.100s: %s" with ssh_gai_strerror() (glibc, macOS, Windows texts).
  it('is unresolved from "Could not resolve hostname", naming the host without the user and port', () => {
    for (const why of ['Name or service not known', 'Temporary failure in name resolution', 'nodename nor servname provided, or not known', 'No such host is known. ']) {
      const f = describeSshFailure(lines(`ssh: Could not resolve hostname build.lan: ${why}`), DEST, PWSH, 255)!;
      expect(f.kind).toBe('unresolved');
      expect(f.message).toContain('the name build.lan could not be resolved');
    }
  });
});

describe('a connection lost in a session', () => {
  it('is connectionLost from clientloop.c, packet.c texts and from ssh exit code 255, quoting ssh', () => {
    for (const said of [
      'Timeout, server build.lan not responding.', // clientloop.c server_alive_check()
      'Connection to build.lan closed by remote host.', // clientloop.c client_process_net_input()
      'Connection reset by 10.0.0.5 port 2222', // packet.c sshpkt_vfatal() ECONNRESET
      'client_loop: send disconnect: Broken pipe', // clientloop.c client_loop() fatal_fr(r, "send disconnect")
      'Connection closed by 10.0.0.5 port 2222', // packet.c sshpkt_vfatal() SSH_ERR_CONN_CLOSED
    ]) {
      const f = describeSshFailure(lines('PS /home/ann> ', said), DEST, PWSH, 255)!;
      expect(f.kind).toBe('connectionLost');
      expect(f.message).toBe(`the connection to ${DEST} was lost (ssh: ${said}).`);
    }
  });

  it('is connectionLost from clientloop.c\'s "Connection to %s closed." only with ssh\'s own exit code 255', () => {
    expect(describeSshFailure(lines('Connection to build.lan closed.'), DEST, PWSH, 255)?.kind).toBe('connectionLost');
  });

  it('is no lost connection when pwsh on the host ended by itself: ssh says "Connection to %s closed." at every end and exits with its code', () => {
    // E.g. pwsh there is not executable: the start failure then shows the screen instead of blaming the network.
    expect(describeSshFailure(lines('bash: /opt/pwsh: Permission denied', 'Connection to build.lan closed.'), DEST, '/opt/pwsh', 126)).toBeUndefined();
    expect(describeSshFailure(lines('PS /home/ann> exit 3', 'Connection to build.lan closed.'), DEST, PWSH, 3)).toBeUndefined();
  });

  it('sees nothing in ordinary output with an ordinary exit', () => {
    expect(describeSshFailure(lines('PS /home/ann> Get-Date', 'Sunday, 6 December 2026 06:00:00'), DEST, PWSH, 0)).toBeUndefined();
  });
});

describe('pwsh missing on the host (the texts of the shell sshd runs the command with)', () => {
  /** What `shell -c "<pwsh> -NoLogo"` prints and its exit code, as sshd runs the remote command. */
  function run(shell: string, pwsh: string): { text: string; code: number } {
    const r = spawnSync(shell, ['-c', `${pwsh} -NoLogo -NoExit`], { encoding: 'utf8' });
    // ssh -tt ends with clientloop.c's "Connection to %s closed." after the remote command.
    return { text: lines(r.stderr.trimEnd(), 'Connection to build.lan closed.'), code: r.status ?? -1 };
  }

  it("is pwshMissing from bash's \"command not found\" (exit 127)", () => {
    const { text, code } = run('bash', 'pwsh-missing-here');
    expect(text).toContain('command not found');
    expect(code).toBe(127);
    expect(describeSshFailure(text, DEST, 'pwsh-missing-here', code)?.kind).toBe('pwshMissing');
  });

  it('is pwshMissing from bash\'s "No such file or directory" for a full path (exit 127), naming the path', () => {
    const { text, code } = run('bash', '/opt/no-such/pwsh');
    expect(text).toContain('No such file or directory');
    const f = describeSshFailure(text, DEST, '/opt/no-such/pwsh', code)!;
    expect(f.kind).toBe('pwshMissing');
    expect(f.message).toContain('as "/opt/no-such/pwsh"');
  });

  it('is pwshMissing from sh\'s (dash) "not found"', () => {
    const { text, code } = run('sh', 'pwsh-missing-here');
    expect(text).toContain('not found');
    expect(describeSshFailure(text, DEST, 'pwsh-missing-here', code)?.kind).toBe('pwshMissing');
  });

  it("is pwshMissing from Windows cmd.exe's text (Win32-OpenSSH's default shell; quoted in CPython's Doc/using/windows.rst)", () => {
    const text = lines("'pwsh' is not recognized as an internal or external command,", 'operable program or batch file.', 'Connection to build.lan closed.');
    // cmd.exe exits 9009; ssh here reports it modulo 256.
    expect(describeSshFailure(text, DEST, PWSH, 9009 % 256)?.kind).toBe('pwshMissing');
    const path = 'C:\\Program Files\\PowerShell\\7\\pwsh.exe';
    const quoted = lines(`'"${path}"' is not recognized as an internal or external command,`, 'operable program or batch file.');
    expect(describeSshFailure(quoted, DEST, path, 1)?.kind).toBe('pwshMissing');
  });

  it('is pwshMissing from PowerShell\'s CommandNotFoundException when it is the host\'s DefaultShell (7: run here; 5.1: "as the name of")', () => {
    const r = spawnSync(requirePwsh().path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', "$PSStyle.OutputRendering = 'PlainText'; pwsh-missing-here -NoLogo"], { encoding: 'utf8' });
    const text = lines(`${r.stdout}${r.stderr}`.trimEnd(), 'Connection to build.lan closed.');
    expect(text).toContain('is not recognized as a name of a cmdlet');
    expect(describeSshFailure(text, DEST, 'pwsh-missing-here', r.status ?? -1)?.kind).toBe('pwshMissing');
    const ps51 = lines("pwsh : The term 'pwsh' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the", 'spelling of the name, or if a path was included, verify that the path is correct and try again.');
    expect(describeSshFailure(ps51, DEST, PWSH, 1)?.kind).toBe('pwshMissing');
  });
});

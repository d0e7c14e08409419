/**
 * What went wrong with a connection, in plain words, from what the OpenSSH client printed (it shares
 * the session's terminal) and its exit code (255: ssh's own error, not the remote command's). The
 * texts matched are OpenSSH's (sshconnect.c, ssh.c, sshconnect2.c, clientloop.c, packet.c); Windows'
 * ssh.exe is OpenSSH too. A missing pwsh is told by the host's shell: sh, bash, cmd.exe or PowerShell
 * (sshErrors.test.ts has each text and where it comes from).
 */
export interface SshFailure {
  kind: 'hostKeyChanged' | 'hostKeyUnknown' | 'authFailed' | 'timedOut' | 'refused' | 'unresolved' | 'unreachable' | 'connectionLost' | 'pwshMissing' | 'other';
  /** What happened and what to do, in words. */
  message: string;
}

/** Recognizes an ssh failure in `text` (the terminal's last rows); undefined when the text shows none. */
export function describeSshFailure(text: string, destination: string, pwsh: string, exitCode?: number, knownHostsFile?: string): SshFailure | undefined {
  const { login, host, port } = splitDestination(destination);
  // ssh's own command for it: ssh takes no user@host:port (the port is -p); with the host's own
  // known_hosts file, that file is where the key must be recorded (and removed from).
  const file = knownHostsFile === undefined ? '' : /\s/.test(knownHostsFile) ? `"${knownHostsFile}"` : knownHostsFile;
  const connect = `ssh${file ? ` -o UserKnownHostsFile=${file}` : ''}${port === undefined ? '' : ` -p ${port}`} ${login}`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(text)) {
    const known = knownHostsName(/Host key for (\S+) has changed/i.exec(text)?.[1], host, port);
    return {
      kind: 'hostKeyChanged',
      message: `the host key of ${destination} is not the one recorded in known_hosts (the server was reinstalled, or someone is in between). poshpool does not connect. If the change is expected, remove the old key (ssh-keygen -R ${known}${file ? ` -f ${file}` : ''}) and connect once with ${connect} to check and record the new one.`,
    };
  }
  if (/No \S+ host key is known for|Host key verification failed/i.test(text)) {
    return {
      kind: 'hostKeyUnknown',
      message: `${destination}'s host key is not in ${file || 'known_hosts'}, and poshpool never accepts a host key by itself. Connect once with ${connect} to check and record it${file ? '' : ' (or set knownHostsFile of this host)'}.`,
    };
  }
  const denied = /Permission denied \(([^)]*)\)/i.exec(text);
  if (denied) {
    return {
      kind: 'authFailed',
      message: `authentication failed at ${destination} (the server accepts: ${denied[1]}). poshpool connects without prompts (BatchMode): check the user name, the identityFile, or that ssh-agent holds the key, and that the key is in the host's authorized_keys.`,
    };
  }
  if (/Connection timed out|Operation timed out|timed out during banner exchange/i.test(text)) {
    return { kind: 'timedOut', message: `connecting to ${destination} timed out: the host is down, asleep, or a firewall drops the connection.` };
  }
  if (/Connection refused/i.test(text)) {
    return { kind: 'refused', message: `${destination} refused the connection: no ssh server listens there (check that sshd runs and the port).` };
  }
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(text)) {
    return { kind: 'unresolved', message: `the name ${host} could not be resolved (check the host name or ~/.ssh/config).` };
  }
  if (/No route to host|Network is unreachable/i.test(text)) {
    return { kind: 'unreachable', message: `${destination} cannot be reached from here (no route to the host).` };
  }
  // sh and bash (exit 127), cmd.exe (Win32-OpenSSH's default shell), PowerShell 7 and 5.1 when they are the host's DefaultShell.
  if (/(No such file or directory|command not found|is not recognized as an internal or external command|is not recognized as (a|the) name of a cmdlet|not found)/i.test(text) && (exitCode === 127 || exitCode === 1 || text.includes(pwsh))) {
    if (text.includes(pwsh) || /pwsh/i.test(text)) {
      return { kind: 'pwshMissing', message: `pwsh was not found on ${destination} as "${pwsh}": install PowerShell there, or set this host's "pwsh" to its full path.` };
    }
  }
  // Not "Connection to %s closed." alone: ssh prints it at every end of a session with a terminal
  // (clientloop.c), and exits with the remote command's code; a lost connection exits with 255.
  if (/closed by remote host|Connection reset|Broken pipe|Timeout, server .* not responding|client_loop: send disconnect/i.test(text) || exitCode === 255) {
    const said = lastSshLine(text);
    return { kind: 'connectionLost', message: `the connection to ${destination} was lost${said ? ` (ssh: ${said})` : ''}.` };
  }
  return undefined;
}

/** user@host:port (hostConfig.ts destinationOf) in parts: `login` is what ssh takes as its destination. */
function splitDestination(destination: string): { login: string; host: string; port: string | undefined } {
  const m = /^(.*):(\d+)$/.exec(destination);
  // An IPv6 address without a port ends in :digits too: a port follows a host without a colon.
  const login = m && !m[1]!.slice(m[1]!.lastIndexOf('@') + 1).includes(':') ? m[1]! : destination;
  const port = login === destination ? undefined : m![2];
  const at = login.lastIndexOf('@');
  return { login, host: at >= 0 ? login.slice(at + 1) : login, port };
}

/**
 * The name the host's key has in known_hosts, for ssh-keygen -R: as ssh printed it, else the host,
 * `[host]:port` for a port other than 22 (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT), quoted for the shell.
 */
function knownHostsName(printed: string | undefined, host: string, port: string | undefined): string {
  const name = printed ?? (port === undefined || port === '22' ? host : `[${host}]:${port}`);
  return name.includes('[') ? `"${name}"` : name;
}

/** The last line that looks like ssh's own message. */
function lastSshLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /ssh|connection|closed|timeout|reset|pipe/i.test(l));
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

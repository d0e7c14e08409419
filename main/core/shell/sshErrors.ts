/**
 * What went wrong with a connection, in plain words, from what the OpenSSH client printed (it shares
 * the session's terminal) and its exit code (255: ssh's own error, not the remote command's). The
 * texts matched are OpenSSH's (sshconnect.c, ssh.c, sshconnect2.c); Windows' ssh.exe is OpenSSH too.
 */
export interface SshFailure {
  kind: 'hostKeyChanged' | 'hostKeyUnknown' | 'authFailed' | 'timedOut' | 'refused' | 'unresolved' | 'unreachable' | 'connectionLost' | 'pwshMissing' | 'other';
  /** What happened and what to do, in words. */
  message: string;
}

/** Recognizes an ssh failure in `text` (the terminal's last rows); undefined when the text shows none. */
export function describeSshFailure(text: string, destination: string, pwsh: string, exitCode?: number): SshFailure | undefined {
  const host = hostPart(destination);
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(text)) {
    return {
      kind: 'hostKeyChanged',
      message: `the host key of ${destination} is not the one recorded in known_hosts (the server was reinstalled, or someone is in between). poshpool does not connect. If the change is expected, remove the old key (ssh-keygen -R ${host}) and connect once with ssh to check and record the new one.`,
    };
  }
  if (/No \S+ host key is known for|Host key verification failed/i.test(text)) {
    return {
      kind: 'hostKeyUnknown',
      message: `${destination}'s host key is not in known_hosts, and poshpool never accepts a host key by itself. Connect once with ssh ${destination} to check and record it (or set knownHostsFile of this host).`,
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
  if (/(No such file or directory|command not found|is not recognized as an internal or external command|not found)/i.test(text) && (exitCode === 127 || exitCode === 1 || text.includes(pwsh))) {
    if (text.includes(pwsh) || /pwsh/i.test(text)) {
      return { kind: 'pwshMissing', message: `pwsh was not found on ${destination} as "${pwsh}": install PowerShell there, or set this host's "pwsh" to its full path.` };
    }
  }
  if (/closed by remote host|Connection reset|Broken pipe|Timeout, server .* not responding|client_loop: send disconnect|Connection to .* closed/i.test(text) || exitCode === 255) {
    const said = lastSshLine(text);
    return { kind: 'connectionLost', message: `the connection to ${destination} was lost${said ? ` (ssh: ${said})` : ''}.` };
  }
  return undefined;
}

/** The host part of user@host:port. */
function hostPart(destination: string): string {
  const at = destination.lastIndexOf('@');
  const rest = at >= 0 ? destination.slice(at + 1) : destination;
  return rest.replace(/:\d+$/, '');
}

/** The last line that looks like ssh's own message. */
function lastSshLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /ssh|connection|closed|timeout|reset|pipe/i.test(l));
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

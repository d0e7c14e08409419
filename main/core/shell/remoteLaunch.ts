import { randomBytes } from 'node:crypto';
import { bootLine, CANNOT_START, commandLineOf, EXIT_LANGUAGE_MODE, EXIT_LOAD_FAILED, EXIT_NO_VT, launchEnv, loadIntegrationScript, type LaunchInput } from './launch.js';

/**
 * A session on another host: a pty running the system's ssh client (`ssh -tt`), which runs pwsh
 * there. The engine is the same; what it reads from local files elsewhere travels in-band: the
 * integration script goes over the session's own input after pwsh is up (nothing is written or
 * installed on the host), end records too long for one marker come in `rec` markers.
 */
export interface RemoteTarget {
  /** The host's name (config hosts[].name). */
  name: string;
  /** Where ssh connects, as people write it (user@host:port). */
  destination: string;
  /** The ssh client and its arguments up to the destination (hosts/sshCommand.ts); the remote command is appended. */
  ssh: { file: string; args: string[] };
  /** pwsh on that host: a command on its PATH or a full path. */
  pwsh: string;
  /** The known_hosts file the host key is checked against, when the config names one (for the advice on a key problem). */
  knownHostsFile?: string;
  /**
   * The host runs Windows: its sshd runs pwsh in a pseudo console (ConPTY: PowerShell/openssh-portable#358,
   * PowerShell/Win32-OpenSSH#1290), so the stream arrives repainted as from a local ConPTY.
   */
  windows: boolean;
}

/** Characters of the integration script per input line: well under every console's line limit (4096 for .NET, the tty's canonical buffer). */
const BOOT_LINE_CHARS = 1000;
/** Lines sent ahead of the bootstrap's acknowledgements (the input in flight stays under 4 KiB). */
const BOOT_WINDOW = 3;
/** The line that ends the integration script. */
const BOOT_END = '#poshpool-boot-end';
/** The first field of the bootstrap's acknowledgement OSC: `<osc>;poshpool-boot;<bootId>;<lines read>`. */
const BOOT_TAG = 'poshpool-boot';

/** Everything needed to start a session on another host. */
export interface RemoteLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  commandLine: string;
  /** What the bootstrap reads from its input: the boot line and the integration script, base64, in lines. */
  scriptLines: string[];
  /** Random id of this start, in the bootstrap's acknowledgements (not a secret: the nonce travels in the script only). */
  bootId: string;
}

/**
 * The bootstrap pwsh runs on the host (its -EncodedCommand, so no shell there, cmd.exe or sh, can
 * misread a character): the checks of the local bootstrap, then it reads the integration script from
 * its input line by line, acknowledging each, and dot-sources it. The nonce is not on the command line
 * (the host's other users can list command lines); it arrives with the script. Windows PowerShell 5.1 syntax.
 */
export function remoteBootstrap(osc: number, bootId: string): string {
  const mode = '$ExecutionContext.SessionState.LanguageMode';
  const ack = (count: string): string => `[Console]::Out.Write([string][char]27 + ']${osc};${BOOT_TAG};${bootId};' + ${count} + [string][char]7); [Console]::Out.Flush()`;
  return (
    `if (${mode} -ne 'FullLanguage') { '${CANNOT_START} PowerShell runs in ' + ${mode} + ' mode (an application control policy such as WDAC, AppLocker or __PSLockdownPolicy sets it); poshpool needs FullLanguage.'; exit ${EXIT_LANGUAGE_MODE} }; ` +
    `if (-not $Host.UI.SupportsVirtualTerminal) { '${CANNOT_START} this console does not process virtual terminal sequences (Windows 10 or later is needed).'; exit ${EXIT_NO_VT} }; ` +
    // What NO_COLOR in the local launch environment does: ssh carries no environment to the host.
    `$env:NO_COLOR = '1'; try { $PSStyle.OutputRendering = 'PlainText' } catch { $null = $_ }; ` +
    `$__ppB = New-Object System.Text.StringBuilder; $__ppN = 0; ${ack("'0'")}; ` +
    `while ($true) { $__ppL = [Console]::In.ReadLine(); if ($null -eq $__ppL -or $__ppL -eq '${BOOT_END}') { break }; [void]$__ppB.Append($__ppL.Trim()); $__ppN++; ${ack('[string]$__ppN')} }; ` +
    `try { . ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($__ppB.ToString())))) } ` +
    `catch { '${CANNOT_START} the integration script failed to load: ' + $_; exit ${EXIT_LOAD_FAILED} }; ` +
    `Remove-Variable __ppB, __ppN, __ppL -ErrorAction Ignore`
  );
}

/** pwsh's path as a word of the host's shell (sh or cmd.exe): double-quoted when it holds a blank (hostConfig refuses quotes, $, ` and %). */
export function remoteWord(text: string): string {
  return /\s/.test(text) ? `"${text}"` : text;
}

/** -EncodedCommand's argument: the UTF-16LE bytes of the command, base64. */
export function encodedCommand(text: string): string {
  return Buffer.from(text, 'utf16le').toString('base64');
}

/** The ssh launch of a session on `remote`; the integration script goes over the pty afterwards ({@link BootFeeder}). */
export function planRemoteLaunch(input: LaunchInput, remote: RemoteTarget): RemoteLaunch {
  const bootId = randomBytes(6).toString('hex');
  const pwshArgs = ['-NoLogo', '-NoExit'];
  if (!input.config.loadProfile) pwshArgs.push('-NoProfile');
  pwshArgs.push('-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodedCommand(remoteBootstrap(input.config.oscNumber, bootId)));
  // ssh joins its remaining arguments with spaces into one command for the host's shell: one word it is.
  const remoteCommand = [remoteWord(remote.pwsh), ...pwshArgs].join(' ');
  const args = [...remote.ssh.args, remoteCommand];
  const script = Buffer.from(bootLine({ ...input, remote: { windows: remote.windows } }) + loadIntegrationScript(true), 'utf8').toString('base64');
  const scriptLines: string[] = [];
  for (let i = 0; i < script.length; i += BOOT_LINE_CHARS) scriptLines.push(script.slice(i, i + BOOT_LINE_CHARS));
  return {
    file: remote.ssh.file,
    args,
    env: launchEnv(input),
    commandLine: commandLineOf(remote.ssh.file, args, input.platform),
    scriptLines,
    bootId,
  };
}

/**
 * Types the integration script into a starting remote session, a few lines ahead of what the
 * bootstrap has acknowledged, so the host's console input never holds more than a few KiB.
 */
export class BootFeeder {
  private sent = 0;
  private done = false;

  constructor(
    private readonly lines: readonly string[],
    private readonly bootId: string,
    private readonly write: (data: string) => void,
  ) {}

  /** Handles one OSC's data; true when it was the bootstrap's acknowledgement (not a marker). */
  handle(data: string): boolean {
    const prefix = `${BOOT_TAG};${this.bootId};`;
    if (!data.startsWith(prefix)) return false;
    const read = Number(data.slice(prefix.length));
    if (!Number.isInteger(read) || this.done) return true;
    while (this.sent < this.lines.length && this.sent < read + BOOT_WINDOW) {
      this.write(`${this.lines[this.sent]}\r`);
      this.sent++;
    }
    if (this.sent === this.lines.length && read === this.lines.length) {
      this.write(`${BOOT_END}\r`);
      this.done = true;
    }
    return true;
  }
}

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../../test/pwsh.js';
import { defaultShellConfig } from '../config/shellConfig.js';
import { platformFor } from '../platform/Platform.js';
import { bootLine, loadIntegrationScript, type LaunchInput } from './launch.js';
import { SESSION_TAG_VARIABLE } from './processTree.js';
import { BootFeeder, encodedCommand, planRemoteLaunch, remoteBootstrap, remoteWord, type RemoteTarget } from './remoteLaunch.js';

const NONCE = '0123456789abcdef0123456789abcdef';
const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-remotelaunch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(overrides: Partial<LaunchInput> = {}): LaunchInput {
  return {
    shell: { path: '/usr/bin/pwsh', kind: 'pwsh' },
    config: defaultShellConfig(),
    platform: platformFor('linux'),
    tempDir: '/tmp/poshpool/sessions/session-1',
    nonce: NONCE,
    fence: '#poshpool-fence-0123456789ab',
    baseEnv: { PATH: '/usr/bin', HOME: '/home/ann', POSHPOOL_TOKEN: 'secret' },
    sessionTag: 'tag-1',
    ...overrides,
  };
}

function target(overrides: Partial<RemoteTarget> = {}): RemoteTarget {
  return { name: 'box', destination: 'ann@box:2222', ssh: { file: '/usr/bin/ssh', args: ['-tt', '-o', 'BatchMode=yes', '--', 'ann@box'] }, pwsh: 'pwsh', windows: false, ...overrides };
}

/** The -EncodedCommand argument inside the remote command word. */
function encodedArg(remoteCommand: string): string {
  const m = /-EncodedCommand (\S+)$/.exec(remoteCommand);
  if (!m) throw new Error(`no -EncodedCommand in ${remoteCommand}`);
  return m[1]!;
}

/** Runs real pwsh on a script file; its stdout lines. */
function pwshFile(script: string, args: string[] = []): string[] {
  const file = path.join(dir, `probe-${Math.random().toString(36).slice(2)}.ps1`);
  writeFileSync(file, script);
  const r = spawnSync(requirePwsh().path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', file, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pwsh failed (${r.status}): ${r.stderr}`);
  return r.stdout.split(/\r?\n/).filter(Boolean);
}

/** Parse errors of PowerShell source in a file, by pwsh's own parser ([Parser]::ParseInput). */
const PARSE_ERRORS = `param([string]$File, [string]$Encoding)
$text = [IO.File]::ReadAllText($File)
if ($Encoding -eq 'utf16base64') { $text = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($text.Trim())) }
if ($Encoding -eq 'utf8base64') { $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($text.Trim())) }
$tokens = $null; $errors = $null
$null = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$tokens, [ref]$errors)
"chars:$($text.Length)"
foreach ($e in $errors) { "error:$($e.Extent.StartLineNumber): $($e.Message)" }
`;

describe('remoteBootstrap, the -EncodedCommand pwsh runs on the host', () => {
  it('decodes as pwsh decodes -EncodedCommand (UTF-16LE base64) to the bootstrap, and parses without errors', () => {
    const plan = planRemoteLaunch(input(), target());
    const b64 = encodedArg(plan.args.at(-1)!);
    const file = path.join(dir, 'encoded.txt');
    writeFileSync(file, b64);
    const out = pwshFile(PARSE_ERRORS, ['-File', file, '-Encoding', 'utf16base64']);
    expect(out.filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(out[0]).toBe(`chars:${remoteBootstrap(defaultShellConfig().oscNumber, plan.bootId).length}`);
    expect(Buffer.from(b64, 'base64').toString('utf16le')).toBe(remoteBootstrap(defaultShellConfig().oscNumber, plan.bootId));
  });

  it('uses no syntax Windows PowerShell 5.1 lacks (scripts/ps51-syntax.ps1)', () => {
    const file = path.join(dir, 'remote-bootstrap.ps1');
    writeFileSync(file, remoteBootstrap(7717, 'abcdef012345'));
    const checker = path.resolve(import.meta.dirname, '../../../scripts/ps51-syntax.ps1');
    const r = spawnSync(requirePwsh().path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', checker, file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('acknowledges with an OSC of its own tag and boot id, never the nonce', () => {
    const text = remoteBootstrap(7717, 'abcdef012345');
    expect(text).toContain("']7717;poshpool-boot;abcdef012345;'");
    expect(text).toContain('#poshpool-boot-end');
  });

  it('sends the script the bootstrap will dot-source: the boot line then the integration script, which parse without errors', () => {
    const plan = planRemoteLaunch(input(), target({ windows: true }));
    const script = Buffer.from(plan.scriptLines.join(''), 'base64').toString('utf8');
    expect(script).toBe(bootLine({ ...input(), remote: { windows: true } }) + loadIntegrationScript(true));
    // In band: no shared directory, and a Windows host's ConPTY repaints (no fresh screen per command).
    expect(script).toMatch(/TempDir = ''; InBand = 1;/);
    expect(script).toMatch(/FreshScreen = 0; Tag = 'tag-1' }/);
    // The tag (not a secret) goes into pwsh's own environment there; what ends a stopped command's processes comes along.
    expect(script).toContain("if ($global:__poshpool.InBand -and $__poshpoolBoot.Tag) { $env:POSHPOOL_SESSION = [string]$__poshpoolBoot.Tag }");
    expect(script).toContain('$global:__poshpool.EndLeftovers = {');
    const file = path.join(dir, 'script.txt');
    writeFileSync(file, plan.scriptLines.join(''));
    expect(pwshFile(PARSE_ERRORS, ['-File', file, '-Encoding', 'utf8base64']).filter((l) => l.startsWith('error:'))).toEqual([]);
  });
});

describe('planRemoteLaunch', () => {
  it('keeps the nonce off every command line (the host\'s other users can list them): it travels in the script lines only', () => {
    const plan = planRemoteLaunch(input(), target());
    expect(plan.commandLine).not.toContain(NONCE);
    for (const a of plan.args) expect(a).not.toContain(NONCE);
    expect(Buffer.from(encodedArg(plan.args.at(-1)!), 'base64').toString('utf16le')).not.toContain(NONCE);
    expect(Object.values(plan.env).join('\n')).not.toContain(NONCE);
    expect(Buffer.from(plan.scriptLines.join(''), 'base64').toString('utf8')).toContain(`Nonce = '${NONCE}'`);
  });

  it('cuts the script into lines of at most 1000 characters, none of them the end line', () => {
    const plan = planRemoteLaunch(input(), target());
    expect(plan.scriptLines.length).toBeGreaterThan(3);
    for (const line of plan.scriptLines) {
      expect(line.length).toBeLessThanOrEqual(1000);
      expect(line).toMatch(/^[A-Za-z0-9+/=]+$/);
    }
    expect(plan.scriptLines.slice(0, -1).every((l) => l.length === 1000)).toBe(true);
  });

  it('runs ssh with its arguments, then one word for the host: pwsh and its arguments', () => {
    const t = target();
    const plan = planRemoteLaunch(input(), t);
    expect(plan.file).toBe('/usr/bin/ssh');
    expect(plan.args.slice(0, -1)).toEqual(t.ssh.args);
    expect(plan.args.at(-1)).toMatch(/^pwsh -NoLogo -NoExit -NoProfile -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(plan.commandLine).toBe(['/usr/bin/ssh', ...plan.args].join(' '));
    expect(planRemoteLaunch(input({ config: defaultShellConfig({ loadProfile: true }) }), t).args.at(-1)).not.toContain('-NoProfile');
  });

  it('gives each start its own boot id', () => {
    expect(planRemoteLaunch(input(), target()).bootId).not.toBe(planRemoteLaunch(input(), target()).bootId);
  });

  it("passes ssh no POSHPOOL_ variable of poshpool's (the token) but the session tag that finds ssh's processes here", () => {
    const env = planRemoteLaunch(input(), target()).env;
    expect(Object.keys(env).filter((k) => k.startsWith('POSHPOOL_'))).toEqual([SESSION_TAG_VARIABLE]);
    expect(env[SESSION_TAG_VARIABLE]).toBe('tag-1');
    expect(Object.values(env)).not.toContain('secret');
  });

  it('quotes a pwsh path with blanks as one word of the host\'s shell, and leaves a plain one as it is', () => {
    expect(remoteWord('pwsh')).toBe('pwsh');
    expect(remoteWord('/opt/microsoft/powershell/7/pwsh')).toBe('/opt/microsoft/powershell/7/pwsh');
    expect(remoteWord('C:\\Program Files\\PowerShell\\7\\pwsh.exe')).toBe('"C:\\Program Files\\PowerShell\\7\\pwsh.exe"');
    const plan = planRemoteLaunch(input(), target({ pwsh: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', windows: true }));
    expect(plan.args.at(-1)).toMatch(/^"C:\\Program Files\\PowerShell\\7\\pwsh\.exe" -NoLogo /);
  });

  it('reaches the program whole through sh, as sshd runs the remote command ($SHELL -c)', () => {
    const bin = path.join(dir, 'Power Shell 7');
    mkdirSync(bin);
    const fake = path.join(bin, 'pwsh');
    const argsFile = path.join(dir, 'args.txt');
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}'\n`);
    chmodSync(fake, 0o755);
    const plan = planRemoteLaunch(input(), target({ pwsh: fake }));
    const r = spawnSync('sh', ['-c', plan.args.at(-1)!], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const received = readFileSync(argsFile, 'utf8').trimEnd().split('\n');
    expect(received).toEqual(['-NoLogo', '-NoExit', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodedArg(plan.args.at(-1)!)]);
  });

  it('encodes as -EncodedCommand wants: UTF-16LE, base64', () => {
    expect(encodedCommand('é$')).toBe(Buffer.from([0xe9, 0x00, 0x24, 0x00]).toString('base64'));
  });
});

describe('BootFeeder', () => {
  const ack = (id: string, n: number | string): string => `poshpool-boot;${id};${n}`;

  function feeder(count: number, id = 'b00t1d'): { f: BootFeeder; written: string[] } {
    const written: string[] = [];
    const lines = Array.from({ length: count }, (_, i) => `L${i}`);
    return { f: new BootFeeder(lines, id, (d) => written.push(d)), written };
  }

  it('sends at most 3 lines ahead of what the bootstrap has acknowledged', () => {
    const { f, written } = feeder(10);
    expect(f.handle(ack('b00t1d', 0))).toBe(true);
    expect(written).toEqual(['L0\r', 'L1\r', 'L2\r']);
    f.handle(ack('b00t1d', 1));
    expect(written).toEqual(['L0\r', 'L1\r', 'L2\r', 'L3\r']);
    f.handle(ack('b00t1d', 3));
    expect(written.slice(4)).toEqual(['L4\r', 'L5\r']);
  });

  it('sends no line twice when acknowledgements repeat or come late', () => {
    const { f, written } = feeder(6);
    f.handle(ack('b00t1d', 0));
    f.handle(ack('b00t1d', 0));
    f.handle(ack('b00t1d', 2));
    f.handle(ack('b00t1d', 1));
    expect(written).toEqual(['L0\r', 'L1\r', 'L2\r', 'L3\r', 'L4\r']);
  });

  it('sends the end line only after the last line is acknowledged, and then nothing more', () => {
    const { f, written } = feeder(4);
    for (let n = 0; n <= 3; n++) f.handle(ack('b00t1d', n));
    expect(written).toEqual(['L0\r', 'L1\r', 'L2\r', 'L3\r']);
    f.handle(ack('b00t1d', 4));
    expect(written.at(-1)).toBe('#poshpool-boot-end\r');
    expect(written).toHaveLength(5);
    expect(f.handle(ack('b00t1d', 4))).toBe(true);
    expect(written).toHaveLength(5);
  });

  it('ends an empty script at once', () => {
    const { f, written } = feeder(0);
    f.handle(ack('b00t1d', 0));
    expect(written).toEqual(['#poshpool-boot-end\r']);
  });

  it("ignores other OSC data (markers, another start's boot id) and says it was not its own", () => {
    const { f, written } = feeder(5);
    expect(f.handle(`${NONCE};1;ready;e30=`)).toBe(false);
    expect(f.handle(ack('other1', 0))).toBe(false);
    expect(f.handle('poshpool-boot;b00t1d')).toBe(false);
    expect(f.handle(`x${ack('b00t1d', 0)}`)).toBe(false);
    expect(written).toEqual([]);
  });

  it('takes an acknowledgement that is not a count as its own but sends nothing for it', () => {
    const { f, written } = feeder(5);
    expect(f.handle(ack('b00t1d', 'x'))).toBe(true);
    expect(f.handle(ack('b00t1d', '1.5'))).toBe(true);
    expect(written).toEqual([]);
  });
});

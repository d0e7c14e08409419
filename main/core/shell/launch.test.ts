import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh, SessionFixture } from '../../../test/pwsh.js';
import { onLinux } from '../../../test/platformGates.js';
import { defaultShellConfig } from '../config/shellConfig.js';
import { platformFor } from '../platform/Platform.js';
import { bootstrapCommand, CANNOT_START, commandLineOf, EXIT_LANGUAGE_MODE, launchEnv, modulePathFor51, planLaunch, psQuote, quoteWindowsArg, SESSION_SCRIPT_NAME, type LaunchInput } from './launch.js';
import { SESSION_TAG_VARIABLE } from './processTree.js';

const win = platformFor('win32');
const linux = platformFor('linux');
/** The limit the issue sets for pwsh's whole command line. */
const SHORT = 2000;

function winInput(overrides: Partial<LaunchInput> = {}): LaunchInput {
  return {
    shell: { path: 'C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe', kind: 'pwsh' },
    config: defaultShellConfig(),
    platform: win,
    tempDir: 'C:\\Users\\ann\\AppData\\Local\\poshpool\\sessions\\session-AbC123',
    nonce: 'f'.repeat(32),
    fence: '#poshpool-fence-0123456789ab',
    baseEnv: { Path: 'C:\\Windows\\system32', POSHPOOL_DATA_DIR: 'C:\\pp', PSModulePath: 'C:\\Program Files\\WindowsPowerShell\\Modules' },
    ...overrides,
  };
}

describe('the launch command line (Windows, built on Linux through the platform seam)', () => {
  it('stays under 2,000 characters for the longest configured paths (CreateProcess takes 32,767)', () => {
    // A data dir at Windows' classic MAX_PATH and a shell in a deep folder with spaces and quotes.
    const deepDir = `C:\\Users\\O'Brien Smith\\${'very long folder name '.repeat(9).trim()}\\poshpool\\sessions\\session-Zz9`;
    const shell = { path: `D:\\Tools With Spaces\\${'PowerShell 7 '.repeat(12).trim()}\\pwsh.exe`, kind: 'pwsh' as const };
    expect(deepDir.length).toBeGreaterThan(200);
    const plan = planLaunch(winInput({ tempDir: deepDir, shell, config: defaultShellConfig({ loadProfile: true }) }));
    expect(plan.commandLine.length).toBeLessThan(SHORT);
    expect(plan.commandLine.length).toBeLessThan(win.maxCommandLineChars);
    // The script is loaded from the private dir, and the bootstrap names it with the quote doubled.
    expect(plan.scriptFile).toBe(`${deepDir}\\${SESSION_SCRIPT_NAME}`);
    expect(plan.args.at(-1)).toContain(psQuote(plan.scriptFile));
    expect(plan.args.at(-1)).toContain("O''Brien");
    // Nothing secret on the command line: the nonce and the fence live in the script only.
    expect(plan.commandLine).not.toContain('f'.repeat(32));
    expect(plan.commandLine).not.toContain('0123456789ab');
    expect(plan.scriptText).toContain('f'.repeat(32));
    expect(plan.scriptText).toContain('Enter-PoshpoolCommand');
  });

  it('is the same bootstrap on Linux (so the Linux tests exercise it)', () => {
    const plan = planLaunch({ ...winInput(), platform: linux, shell: { path: '/usr/bin/pwsh', kind: 'pwsh' }, tempDir: '/home/ann/.local/share/poshpool/sessions/session-x' });
    expect(plan.args).toEqual(['-NoLogo', '-NoExit', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-Command', bootstrapCommand('/home/ann/.local/share/poshpool/sessions/session-x/session.ps1')]);
  });

  it('starts what discovery resolved: the real entry with its arguments ahead of pwsh\'s (the dotnet tool without its shim)', () => {
    const dll = 'C:\\Users\\ann\\.dotnet\\tools\\.store\\powershell\\7.6.9\\powershell\\7.6.9\\tools\\net10.0\\any\\win\\pwsh.dll';
    const shell = { path: 'C:\\Users\\ann\\.dotnet\\tools\\pwsh.exe', kind: 'pwsh' as const, run: { file: 'C:\\Program Files\\dotnet\\dotnet.exe', args: [dll] } };
    const plan = planLaunch(winInput({ shell }));
    expect(plan.file).toBe('C:\\Program Files\\dotnet\\dotnet.exe');
    expect(plan.args.slice(0, 3)).toEqual([dll, '-NoLogo', '-NoExit']);
    expect(plan.commandLine.startsWith(`"C:\\Program Files\\dotnet\\dotnet.exe" ${dll} -NoLogo`)).toBe(true);
    expect(plan.commandLine.length).toBeLessThan(SHORT);
  });

  it('refuses a launch that would be over the OS limit, saying what to change', () => {
    const tempDir = `C:\\${'x'.repeat(33_000)}`;
    expect(() => planLaunch(winInput({ tempDir }))).toThrow(/over this OS's limit of 32767; choose a shorter data directory/);
  });

  it('quotes arguments as the Microsoft C runtime parses them (what node-pty hands CreateProcess)', () => {
    expect(quoteWindowsArg('plain')).toBe('plain');
    expect(quoteWindowsArg('')).toBe('""');
    expect(quoteWindowsArg('C:\\Program Files\\x.exe')).toBe('"C:\\Program Files\\x.exe"');
    expect(quoteWindowsArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteWindowsArg('C:\\dir with space\\')).toBe('"C:\\dir with space\\\\"');
    expect(quoteWindowsArg('a\\\\"b c')).toBe('"a\\\\\\\\\\"b c"');
    expect(commandLineOf('C:\\p s\\pwsh.exe', ['-NoLogo', 'a b'], win)).toBe('"C:\\p s\\pwsh.exe" -NoLogo "a b"');
  });
});

describe('the environment pwsh starts with', () => {
  it('carries no POSHPOOL_* variable and no nonce', () => {
    const env = launchEnv(winInput());
    expect(Object.keys(env).filter((k) => k.toUpperCase().startsWith('POSHPOOL'))).toEqual([]);
    expect(Object.values(env).join('\n')).not.toContain('f'.repeat(32));
    expect(env).toMatchObject({ TERM: 'xterm-256color', NO_COLOR: '1', POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' });
  });

  it("keeps PowerShell 7's module folders away from Windows PowerShell 5.1 (PowerShell/PowerShell#18530)", () => {
    const inherited = [
      'C:\\Users\\ann\\Documents\\PowerShell\\Modules',
      'C:\\Program Files\\PowerShell\\Modules',
      'c:\\program files\\powershell\\7\\Modules\\',
      'C:\\Program Files\\WindowsPowerShell\\Modules',
      'C:\\WINDOWS\\system32\\WindowsPowerShell\\v1.0\\Modules',
      'D:\\corp\\modules',
    ].join(';');
    expect(modulePathFor51(inherited, win)).toBe('C:\\Program Files\\WindowsPowerShell\\Modules;C:\\WINDOWS\\system32\\WindowsPowerShell\\v1.0\\Modules;D:\\corp\\modules');
    expect(modulePathFor51('C:\\Program Files\\PowerShell\\7\\Modules', win)).toBeUndefined();
    const for51 = launchEnv(winInput({ shell: { path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', kind: 'powershell' }, baseEnv: { PSMODULEPATH: inherited } }));
    expect(for51.PSMODULEPATH).not.toMatch(/PowerShell\\7|Documents\\PowerShell/i);
    // pwsh 7 itself keeps what it inherits (it fixes up its own path).
    expect(launchEnv(winInput({ baseEnv: { PSModulePath: inherited } })).PSModulePath).toBe(inherited);
  });
});

// ---- real pwsh ----------------------------------------------------------------------------------

describe('the bootstrap in real pwsh', () => {
  it('refuses a restricted language mode with a line that says so, and exit code 86', () => {
    const shell = requirePwsh();
    const command = `$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; ${bootstrapCommand('/nonexistent/session.ps1')}`;
    const r = spawnSync(shell.path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', command], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(EXIT_LANGUAGE_MODE);
    expect(r.stdout).toContain(`${CANNOT_START} PowerShell runs in ConstrainedLanguage mode`);
    expect(r.stdout).toContain('needs FullLanguage');
  });

  it('says the integration failed to load when the script is missing', () => {
    const shell = requirePwsh();
    const r = spawnSync(shell.path, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', bootstrapCommand('/nonexistent/session.ps1')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(87);
    expect(r.stdout).toContain(`${CANNOT_START} the integration script failed to load`);
  });
});

describe('a live session', () => {
  let fx: SessionFixture;
  beforeAll(() => {
    fx = new SessionFixture();
  });
  afterAll(async () => {
    await fx.dispose();
  });

  it('says what PowerShell it is at its first prompt, and removes its start-up script (it holds the nonce)', async () => {
    const s = await fx.start();
    // pwsh 7 here; Windows PowerShell 5.1 on the workflow's 5.1 leg (POSHPOOL_PWSH=powershell.exe).
    const legacy = fx.shell.kind === 'powershell';
    expect(s.facts).toMatchObject({ edition: legacy ? 'Desktop' : 'Core', languageMode: 'FullLanguage' });
    expect(s.facts!.version).toMatch(legacy ? /^5\.1\./ : /^7\.\d+\.\d+/);
    expect(s.commandLine!.length).toBeLessThan(SHORT);
    const sessionDirs = readdirSync(fx.dir).filter((n) => n.startsWith('session-'));
    for (const d of sessionDirs) expect(existsSync(`${fx.dir}/${d}/${SESSION_SCRIPT_NAME}`)).toBe(false);
  });

  it('runs what discovery described: one process when pwsh runs without a launcher, the launcher and pwsh when one is kept', async () => {
    const s = await fx.start();
    const launcherKept = fx.shell.description?.includes(', run through ') ?? false;
    expect(s.ptyPid === s.pid).toBe(!launcherKept);
    if (fx.shell.run) expect(s.commandLine).toContain(fx.shell.run.file);
  });

  it.runIf(onLinux)('pwsh runs with a command line under 2,000 characters and no secret in it or its environment (Linux-only: reads /proc)', async () => {
    const s = await fx.start();
    for (const pid of new Set([s.pid!, s.ptyPid!])) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      expect(cmdline.length).toBeLessThan(SHORT);
      expect(cmdline).toContain('-Command');
      expect(cmdline).not.toContain((s as unknown as { nonce: string }).nonce);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      // The session's tag (not a secret: it finds the session's processes) is the only POSHPOOL_ variable.
      expect(environ.split('\0').filter((e) => e.startsWith('POSHPOOL_')).map((e) => e.split('=')[0])).toEqual([SESSION_TAG_VARIABLE]);
      expect(environ).not.toContain((s as unknown as { nonce: string }).nonce);
    }
    const r = await s.run('Get-Variable __poshpoolBoot -ErrorAction Ignore; "env:" + ((Get-ChildItem env: | Where-Object Name -like "POSHPOOL*").Name -join ",")');
    expect(r.output).toBe(`env:${SESSION_TAG_VARIABLE}`);
  });
});

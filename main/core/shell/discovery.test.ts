import { describe, expect, it } from 'vitest';
import { discoverShell, windowsRunnable, type DiscoveryEnv } from './discovery.js';
import { platformFor } from '../platform/Platform.js';

/** A machine where exactly the given files are executable. */
function machine(os: NodeJS.Platform, env: Record<string, string | undefined>, executables: string[], homedir = '/home/ann'): DiscoveryEnv {
  const platform = platformFor(os);
  const files = new Set(executables);
  return { platform, env, homedir, isExecutable: (file) => files.has(file) };
}

const WIN_LEGACY = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

describe('discoverShell: a configured path', () => {
  it('uses the configured path when it is executable, and looks nowhere else', () => {
    const d = machine('linux', { PATH: '/usr/bin' }, ['/opt/pwsh/pwsh', '/usr/bin/pwsh']);
    expect(discoverShell('/opt/pwsh/pwsh', d)).toMatchObject({
      ok: true,
      shell: { path: '/opt/pwsh/pwsh', kind: 'pwsh' },
      tried: ['/opt/pwsh/pwsh'],
    });
  });

  it('trims blanks around the configured path', () => {
    const d = machine('linux', {}, ['/opt/pwsh/pwsh']);
    const r = discoverShell('  /opt/pwsh/pwsh \n', d);
    expect(r).toMatchObject({ ok: true, shell: { path: '/opt/pwsh/pwsh', kind: 'pwsh' } });
  });

  it('fails with the path tried and how to configure it, without falling back to PATH', () => {
    const d = machine('linux', { PATH: '/usr/bin' }, ['/usr/bin/pwsh']);
    const r = discoverShell('/opt/missing/pwsh', d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.tried).toEqual(['/opt/missing/pwsh']);
    expect(r.reason).toContain('PowerShell was not found at "/opt/missing/pwsh" (from "shell.path" in the config)');
    expect(r.reason).toContain('tried: /opt/missing/pwsh.');
    expect(r.reason).toContain('"shell.path"');
    expect(r.reason).toContain('POSHPOOL_PWSH');
    expect(r.reason).toContain('https://aka.ms/powershell');
  });

  it('looks a configured bare command name up on PATH', () => {
    const d = machine('linux', { PATH: '/usr/local/bin:/usr/bin' }, ['/usr/bin/pwsh-preview']);
    expect(discoverShell('pwsh-preview', d)).toMatchObject({
      ok: true,
      shell: { path: '/usr/bin/pwsh-preview', kind: 'pwsh' },
      tried: ['/usr/local/bin/pwsh-preview', '/usr/bin/pwsh-preview'],
    });
  });

  it('reports Windows PowerShell when the configured file is powershell.exe', () => {
    const d = machine('win32', {}, ['D:\\PS\\powershell.exe']);
    expect(discoverShell('D:\\PS\\powershell.exe', d)).toMatchObject({
      ok: true,
      shell: { path: 'D:\\PS\\powershell.exe', kind: 'powershell' },
      tried: ['D:\\PS\\powershell.exe'],
    });
  });

  it('adds PATHEXT extensions to a configured Windows path without an extension', () => {
    const d = machine('win32', { PATHEXT: '.COM;.EXE' }, ['C:\\Tools\\pwsh.exe']);
    expect(discoverShell('C:\\Tools\\pwsh', d)).toMatchObject({
      ok: true,
      shell: { path: 'C:\\Tools\\pwsh.exe', kind: 'pwsh' },
      tried: ['C:\\Tools\\pwsh.com', 'C:\\Tools\\pwsh.exe'],
    });
  });

  it('names every Windows candidate it tried when the configured path is missing', () => {
    const d = machine('win32', { PATHEXT: '.COM;.EXE' }, [WIN_LEGACY]);
    const r = discoverShell('C:\\Tools\\pwsh', d);
    expect(r).toMatchObject({ ok: false, tried: ['C:\\Tools\\pwsh.com', 'C:\\Tools\\pwsh.exe'] });
    if (r.ok) return;
    expect(r.reason).toContain('PowerShell was not found at "C:\\Tools\\pwsh"');
    expect(r.reason).toContain('tried: C:\\Tools\\pwsh.com, C:\\Tools\\pwsh.exe.');
  });
});

describe('discoverShell: POSHPOOL_PWSH', () => {
  it('uses POSHPOOL_PWSH when no path is configured', () => {
    const d = machine('linux', { POSHPOOL_PWSH: '/custom/pwsh', PATH: '/usr/bin' }, ['/custom/pwsh', '/usr/bin/pwsh']);
    expect(discoverShell('', d)).toMatchObject({ ok: true, shell: { path: '/custom/pwsh', kind: 'pwsh' }, tried: ['/custom/pwsh'] });
  });

  it('prefers the configured path over POSHPOOL_PWSH', () => {
    const d = machine('linux', { POSHPOOL_PWSH: '/custom/pwsh' }, ['/custom/pwsh', '/configured/pwsh']);
    expect(discoverShell('/configured/pwsh', d)).toMatchObject({ ok: true, shell: { path: '/configured/pwsh' } });
  });

  it('names POSHPOOL_PWSH as the source when its path is missing', () => {
    const d = machine('linux', { POSHPOOL_PWSH: '/custom/pwsh', PATH: '/usr/bin' }, ['/usr/bin/pwsh']);
    const r = discoverShell('', d);
    expect(r).toMatchObject({ ok: false, tried: ['/custom/pwsh'] });
    if (r.ok) return;
    expect(r.reason).toContain('PowerShell was not found at "/custom/pwsh" (from POSHPOOL_PWSH)');
    expect(r.reason).toContain('"shell.path"');
  });

  it('ignores a blank POSHPOOL_PWSH', () => {
    const d = machine('linux', { POSHPOOL_PWSH: '   ', PATH: '/usr/bin' }, ['/usr/bin/pwsh']);
    expect(discoverShell('', d)).toMatchObject({ ok: true, shell: { path: '/usr/bin/pwsh', kind: 'pwsh' } });
  });
});

describe('discoverShell: win32 rules', () => {
  it('finds pwsh on PATH with PATHEXT, splitting PATH on semicolons', () => {
    const d = machine(
      'win32',
      { PATH: 'C:\\Windows\\system32;;C:\\Program Files\\PowerShell\\7', PATHEXT: '.COM;.EXE;.BAT' },
      ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', WIN_LEGACY],
    );
    expect(discoverShell('', d)).toMatchObject({
      ok: true,
      shell: { path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', kind: 'pwsh' },
      tried: [
        'C:\\Windows\\system32\\pwsh.com',
        'C:\\Windows\\system32\\pwsh.exe',
        'C:\\Windows\\system32\\pwsh.bat',
        'C:\\Program Files\\PowerShell\\7\\pwsh.com',
        'C:\\Program Files\\PowerShell\\7\\pwsh.exe',
      ],
    });
  });

  it('reads the PATH variable spelled "Path"', () => {
    const d = machine('win32', { Path: 'D:\\bin', PATHEXT: '.EXE' }, ['D:\\bin\\pwsh.exe']);
    expect(discoverShell('', d)).toMatchObject({ ok: true, shell: { path: 'D:\\bin\\pwsh.exe', kind: 'pwsh' } });
  });

  it('uses .EXE;.CMD;.BAT;.COM when PATHEXT is not set', () => {
    const d = machine('win32', { PATH: 'D:\\bin' }, []);
    const r = discoverShell('', d);
    expect(r.tried.slice(0, 4)).toEqual(['D:\\bin\\pwsh.exe', 'D:\\bin\\pwsh.cmd', 'D:\\bin\\pwsh.bat', 'D:\\bin\\pwsh.com']);
  });

  it('finds pwsh in Program Files when it is not on PATH', () => {
    const d = machine('win32', { PATH: 'C:\\Windows', PATHEXT: '.EXE', ProgramFiles: 'E:\\Apps' }, ['E:\\Apps\\PowerShell\\7\\pwsh.exe']);
    expect(discoverShell('', d)).toMatchObject({
      ok: true,
      shell: { path: 'E:\\Apps\\PowerShell\\7\\pwsh.exe', kind: 'pwsh' },
      tried: ['C:\\Windows\\pwsh.exe', 'E:\\Apps\\PowerShell\\7\\pwsh.exe'],
    });
  });

  it('finds the preview build under C:\\Program Files by default', () => {
    const d = machine('win32', { PATHEXT: '.EXE' }, ['C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe']);
    expect(discoverShell('', d)).toMatchObject({
      ok: true,
      shell: { path: 'C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe', kind: 'pwsh' },
      tried: ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe'],
    });
  });

  it('prefers pwsh over Windows PowerShell when both are installed', () => {
    const d = machine('win32', { PATHEXT: '.EXE' }, ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', WIN_LEGACY]);
    expect(discoverShell('', d)).toMatchObject({ ok: true, shell: { kind: 'pwsh' } });
  });

  it('falls back to Windows PowerShell 5.1 under SystemRoot', () => {
    const legacy = 'D:\\WINNT\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    const d = machine('win32', { PATH: 'C:\\bin', PATHEXT: '.EXE', SystemRoot: 'D:\\WINNT', LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, [legacy], 'C:\\Users\\ann');
    const r = discoverShell('', d);
    const pwshPlaces = [
      'C:\\bin\\pwsh.exe',
      'C:\\Program Files\\PowerShell\\7\\pwsh.exe',
      'C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe',
      'C:\\Users\\ann\\AppData\\Local\\Microsoft\\WindowsApps\\pwsh.exe',
      'C:\\Users\\ann\\scoop\\shims\\pwsh.exe',
      'C:\\Users\\ann\\.dotnet\\tools\\pwsh.exe',
    ];
    expect(r).toMatchObject({ ok: true, shell: { path: legacy, kind: 'powershell' }, tried: [...pwshPlaces, legacy] });
    // Falling back to 5.1 is said, with where pwsh was looked for.
    if (!r.ok) return;
    expect(r.warning).toContain('Windows PowerShell 5.1');
    expect(r.warning).toContain('winget install Microsoft.PowerShell');
    for (const place of pwshPlaces) expect(r.warning).toContain(place);
  });

  it('finds the Microsoft Store pwsh (an App Execution Alias in WindowsApps) before falling back to 5.1', () => {
    const alias = 'C:\\Users\\ann\\AppData\\Local\\Microsoft\\WindowsApps\\pwsh.exe';
    const d = machine('win32', { PATHEXT: '.EXE', localappdata: 'C:\\Users\\ann\\AppData\\Local' }, [alias, WIN_LEGACY], 'C:\\Users\\ann');
    const r = discoverShell('', d);
    expect(r).toMatchObject({ ok: true, shell: { path: alias, kind: 'pwsh' } });
    expect(r.ok && r.warning).toBeFalsy();
  });

  it('uses windir when SystemRoot is not set, and C:\\Windows when neither is', () => {
    const viaWindir = 'F:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    expect(discoverShell('', machine('win32', { windir: 'F:\\Win' }, [viaWindir]))).toMatchObject({
      ok: true,
      shell: { path: viaWindir, kind: 'powershell' },
    });
    expect(discoverShell('', machine('win32', {}, [WIN_LEGACY]))).toMatchObject({
      ok: true,
      shell: { path: WIN_LEGACY, kind: 'powershell' },
    });
  });

  it('finds powershell.exe on PATH as the last resort', () => {
    const d = machine('win32', { PATH: 'G:\\ps', PATHEXT: '.EXE' }, ['G:\\ps\\powershell.exe']);
    const r = discoverShell('', d);
    expect(r).toMatchObject({ ok: true, shell: { path: 'G:\\ps\\powershell.exe', kind: 'powershell' } });
    expect(r.tried.at(-2)).toBe(WIN_LEGACY);
    expect(r.tried.at(-1)).toBe('G:\\ps\\powershell.exe');
  });

  it('fails with a hint when nothing is installed', () => {
    const d = machine('win32', { PATH: 'C:\\bin', PATHEXT: '.EXE' }, [], '');
    const r = discoverShell('', d);
    expect(r).toMatchObject({
      ok: false,
      tried: [
        'C:\\bin\\pwsh.exe',
        'C:\\Program Files\\PowerShell\\7\\pwsh.exe',
        'C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe',
        WIN_LEGACY,
        'C:\\bin\\powershell.exe',
      ],
    });
    if (r.ok) return;
    expect(r.reason).toContain('No PowerShell found');
    expect(r.reason).toContain('C:\\Program Files\\PowerShell\\7\\pwsh.exe');
    expect(r.reason).toContain('"shell.path"');
    expect(r.reason).toContain('POSHPOOL_PWSH');
  });
});

describe('discoverShell: darwin rules', () => {
  it('finds pwsh on PATH, splitting on colons, first hit wins', () => {
    const d = machine('darwin', { PATH: '/usr/bin:/opt/homebrew/bin:/usr/local/bin' }, ['/opt/homebrew/bin/pwsh', '/usr/local/bin/pwsh']);
    expect(discoverShell('', d)).toMatchObject({
      ok: true,
      shell: { path: '/opt/homebrew/bin/pwsh', kind: 'pwsh' },
      tried: ['/usr/bin/pwsh', '/opt/homebrew/bin/pwsh'],
    });
  });

  it('does not use PATHEXT or semicolons outside Windows', () => {
    const d = machine('darwin', { PATH: '/a;/b', PATHEXT: '.EXE' }, []);
    expect(discoverShell('', d).tried[0]).toBe('/a;/b/pwsh');
  });

  it('finds pwsh in Homebrew and dotnet-tool locations missing from PATH', () => {
    expect(discoverShell('', machine('darwin', { PATH: '/usr/bin' }, ['/opt/homebrew/bin/pwsh']))).toMatchObject({
      ok: true,
      shell: { path: '/opt/homebrew/bin/pwsh', kind: 'pwsh' },
      tried: ['/usr/bin/pwsh', '/usr/local/bin/pwsh', '/opt/homebrew/bin/pwsh'],
    });
    const dotnet = '/Users/ann/.dotnet/tools/pwsh';
    expect(discoverShell('', machine('darwin', {}, [dotnet], '/Users/ann'))).toMatchObject({
      ok: true,
      shell: { path: dotnet, kind: 'pwsh' },
    });
  });

  it('has no Windows PowerShell fallback and fails with a hint', () => {
    const r = discoverShell('', machine('darwin', { PATH: '/usr/bin' }, [], '/Users/ann'));
    expect(r).toMatchObject({
      ok: false,
      tried: ['/usr/bin/pwsh', '/usr/local/bin/pwsh', '/opt/homebrew/bin/pwsh', '/Users/ann/.dotnet/tools/pwsh'],
    });
    if (r.ok) return;
    expect(r.reason).toContain('No PowerShell found (looked for pwsh on PATH and in /usr/local/bin/pwsh, /opt/homebrew/bin/pwsh');
    expect(r.reason).toContain('"shell.path"');
  });
});

describe('discoverShell: linux rules', () => {
  it('finds pwsh on PATH', () => {
    const d = machine('linux', { PATH: '/home/ann/bin::/usr/bin' }, ['/usr/bin/pwsh']);
    expect(discoverShell('', d)).toMatchObject({
      ok: true,
      shell: { path: '/usr/bin/pwsh', kind: 'pwsh' },
      tried: ['/home/ann/bin/pwsh', '/usr/bin/pwsh'],
    });
  });

  it('checks the package, snap and dotnet-tool locations in order', () => {
    const r = discoverShell('', machine('linux', {}, ['/home/ann/.dotnet/tools/pwsh']));
    expect(r).toMatchObject({
      ok: true,
      shell: { path: '/home/ann/.dotnet/tools/pwsh', kind: 'pwsh' },
      tried: ['/usr/bin/pwsh', '/opt/microsoft/powershell/7/pwsh', '/snap/bin/pwsh', '/home/ann/.dotnet/tools/pwsh'],
    });
    expect(discoverShell('', machine('linux', {}, ['/opt/microsoft/powershell/7/pwsh']))).toMatchObject({
      ok: true,
      shell: { path: '/opt/microsoft/powershell/7/pwsh' },
    });
  });

  it('never checks a relative dotnet-tool path when the home directory is unknown', () => {
    const r = discoverShell('', machine('linux', {}, ['.dotnet/tools/pwsh'], ''));
    expect(r.ok).toBe(false);
    expect(r.tried).toEqual(['/usr/bin/pwsh', '/opt/microsoft/powershell/7/pwsh', '/snap/bin/pwsh']);
  });

  it('has no powershell fallback and fails with a hint', () => {
    const r = discoverShell('', machine('linux', { PATH: '/usr/bin' }, ['/usr/bin/powershell']));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/^No PowerShell found \(looked for pwsh on PATH and in \/usr\/bin\/pwsh, /);
    expect(r.reason).toContain('"shell.path" in the poshpool config (or the POSHPOOL_PWSH environment variable)');
  });
});

describe('windowsRunnable (App Execution Aliases)', () => {
  const eacces = (): never => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  };
  const enoent = (): never => {
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  it('counts a file stat cannot open (EACCES) but lstat sees as runnable: the Store alias (nodejs/node#36790)', () => {
    expect(windowsRunnable('C:\\Users\\ann\\AppData\\Local\\Microsoft\\WindowsApps\\pwsh.exe', eacces, () => ({}))).toBe(true);
  });
  it('counts a missing file, a directory, and an unreadable missing file as not runnable', () => {
    expect(windowsRunnable('C:\\x\\pwsh.exe', enoent, () => ({}))).toBe(false);
    expect(windowsRunnable('C:\\x', () => ({ isFile: () => false }), () => ({}))).toBe(false);
    expect(windowsRunnable('C:\\x\\pwsh.exe', eacces, enoent)).toBe(false);
  });
  it('counts a regular file as runnable', () => {
    expect(windowsRunnable('C:\\x\\pwsh.exe', () => ({ isFile: () => true }), enoent)).toBe(true);
  });
});

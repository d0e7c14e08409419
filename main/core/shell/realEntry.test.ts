import { describe, expect, it } from 'vitest';
import { platformFor, type Platform } from '../platform/Platform.js';
import { discoverShell, resolveShell, type DiscoveryEnv } from './discovery.js';
import { dotnetToolEntry, scoopShimEntry, type EntryFiles } from './realEntry.js';

const linux = platformFor('linux');
const win = platformFor('win32');

/** Files by path; a string is the file's text. */
function files(map: Record<string, string | Buffer>): EntryFiles {
  return {
    read: (file, maxBytes) => {
      const v = map[file];
      if (v === undefined) return undefined;
      const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      return b.subarray(0, maxBytes);
    },
    isFile: (file) => file in map,
  };
}

/** An apphost as the .NET SDK writes it: machine code around the app's path, NUL-terminated. */
function apphost(embedded: string): Buffer {
  return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0]), Buffer.from(embedded, 'utf8'), Buffer.alloc(16), Buffer.from('more code')]);
}

const SETTINGS = '<DotNetCliTool Version="1"><Commands><Command Name="pwsh" EntryPoint="Microsoft.PowerShell.GlobalTool.Shim.dll" Runner="dotnet" /></Commands></DotNetCliTool>';
const RUNTIMECONFIG = JSON.stringify({ runtimeOptions: { tfm: 'net10.0', framework: { name: 'Microsoft.NETCore.App', version: '10.0.0' } } });
const STORE_REL = '.store/powershell/7.6.9/powershell/7.6.9/tools/net10.0/any/Microsoft.PowerShell.GlobalTool.Shim.dll';
const LINUX_TOOL = '/home/ann/.dotnet/tools/.store/powershell/7.6.9/powershell/7.6.9/tools/net10.0/any';

/** The dotnet tool's files on Linux as `dotnet tool install -g PowerShell` lays them out (7.6.9 checked on this machine). */
function linuxTool(overrides: Record<string, string | Buffer | undefined> = {}): EntryFiles {
  const map: Record<string, string | Buffer> = {
    '/home/ann/.dotnet/tools/pwsh': apphost(STORE_REL),
    [`${LINUX_TOOL}/DotnetToolSettings.xml`]: SETTINGS,
    [`${LINUX_TOOL}/unix/pwsh.dll`]: 'MZ',
    [`${LINUX_TOOL}/unix/pwsh.runtimeconfig.json`]: RUNTIMECONFIG,
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete map[k];
    else map[k] = v;
  }
  return files(map);
}

const onPath = (found: string | undefined) => () => found;

describe('the dotnet tool pwsh is run without its shim', () => {
  it('runs the tool\'s pwsh.dll with the dotnet on PATH, as the shim itself would (GlobalToolShim.cs), and says so', () => {
    const r = dotnetToolEntry('/home/ann/.dotnet/tools/pwsh', linux, linuxTool(), onPath('/usr/bin/dotnet'));
    expect(r).toEqual({
      ok: true,
      file: '/usr/bin/dotnet',
      args: [`${LINUX_TOOL}/unix/pwsh.dll`],
      description: `dotnet tool pwsh 7.6.9, run without its shim: /usr/bin/dotnet ${LINUX_TOOL}/unix/pwsh.dll`,
    });
  });

  it('picks win\\pwsh.dll on Windows, where the apphost embeds a backslash path', () => {
    const tool = 'C:\\Users\\ann\\.dotnet\\tools\\.store\\powershell\\7.5.4\\powershell\\7.5.4\\tools\\net9.0\\any';
    const f = files({
      'C:\\Users\\ann\\.dotnet\\tools\\pwsh.exe': apphost(STORE_REL.replace(/\//g, '\\').replace('7.6.9', '7.5.4').replace('7.6.9', '7.5.4').replace('net10.0', 'net9.0')),
      [`${tool}\\DotnetToolSettings.xml`]: SETTINGS,
      [`${tool}\\win\\pwsh.dll`]: 'MZ',
      [`${tool}\\win\\pwsh.runtimeconfig.json`]: RUNTIMECONFIG,
    });
    const r = dotnetToolEntry('C:\\Users\\ann\\.dotnet\\tools\\pwsh.exe', win, f, onPath('C:\\Program Files\\dotnet\\dotnet.exe'));
    expect(r).toMatchObject({ ok: true, file: 'C:\\Program Files\\dotnet\\dotnet.exe', args: [`${tool}\\win\\pwsh.dll`] });
    if (r.ok) expect(r.description).toContain('dotnet tool pwsh 7.5.4, run without its shim');
  });

  it('leaves a file that is no dotnet tool apphost alone (an installed pwsh, a script)', () => {
    const f = files({ '/usr/bin/pwsh': Buffer.from('\x7fELF ... System.Management.Automation ...') });
    expect(dotnetToolEntry('/usr/bin/pwsh', linux, f, onPath('/usr/bin/dotnet'))).toEqual({ ok: false });
    expect(dotnetToolEntry('/missing/pwsh', linux, f, onPath('/usr/bin/dotnet'))).toEqual({ ok: false });
  });

  const keepsShim: [string, Record<string, string | Buffer | undefined>, string | undefined, RegExp][] = [
    ['a tool manifest that names another entry point', { [`${LINUX_TOOL}/DotnetToolSettings.xml`]: SETTINGS.replace('GlobalTool.Shim', 'Other') }, '/usr/bin/dotnet', /tool manifest/],
    ['no pwsh.dll', { [`${LINUX_TOOL}/unix/pwsh.dll`]: undefined }, '/usr/bin/dotnet', /pwsh\.dll is missing/],
    ['a self-contained runtimeconfig', { [`${LINUX_TOOL}/unix/pwsh.runtimeconfig.json`]: JSON.stringify({ runtimeOptions: { includedFrameworks: [] } }) }, '/usr/bin/dotnet', /Microsoft\.NETCore\.App/],
    ['a runtimeconfig that is not JSON', { [`${LINUX_TOOL}/unix/pwsh.runtimeconfig.json`]: '{ not json' }, '/usr/bin/dotnet', /Microsoft\.NETCore\.App/],
    ['no dotnet on PATH', {}, undefined, /no dotnet host is on PATH/],
  ];
  for (const [what, overrides, dotnet, why] of keepsShim) {
    it(`keeps the shim, saying why, when anything is not as expected: ${what}`, () => {
      const r = dotnetToolEntry('/home/ann/.dotnet/tools/pwsh', linux, linuxTool(overrides), onPath(dotnet));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.launcher).toBe('the dotnet tool pwsh');
      expect(r.why).toMatch(why);
    });
  }
});

describe('a Scoop shim is seen through on Windows (ScoopInstaller/Shim: a .shim file beside it names the target)', () => {
  const shim = 'C:\\Users\\ann\\scoop\\shims\\pwsh.exe';
  const target = 'C:\\Users\\ann\\scoop\\apps\\pwsh\\current\\pwsh.exe';
  it('runs the target of a shim that holds only its path (quoted or not)', () => {
    for (const line of [`path = "${target}"`, `path = ${target}\r\n`]) {
      const r = scoopShimEntry(shim, win, files({ 'C:\\Users\\ann\\scoop\\shims\\pwsh.shim': line, [target]: 'MZ' }));
      expect(r).toEqual({ ok: true, file: target, args: [], description: `pwsh ${target}, run without the Scoop shim ${shim}` });
    }
  });

  it('keeps a shim that adds arguments or environment of its own, or whose target is gone', () => {
    const withArgs = scoopShimEntry(shim, win, files({ 'C:\\Users\\ann\\scoop\\shims\\pwsh.shim': `path = "${target}"\r\nargs = -NoLogo`, [target]: 'MZ' }));
    expect(withArgs).toMatchObject({ ok: false, launcher: 'the Scoop shim', why: expect.stringContaining('more than a path') });
    const gone = scoopShimEntry(shim, win, files({ 'C:\\Users\\ann\\scoop\\shims\\pwsh.shim': `path = "${target}"` }));
    expect(gone).toMatchObject({ ok: false, why: expect.stringContaining('is not there') });
  });

  it('is no shim without a .shim file (an MSI, winget or Store pwsh.exe runs as it is)', () => {
    expect(scoopShimEntry('C:\\Program Files\\PowerShell\\7\\pwsh.exe', win, files({}))).toEqual({ ok: false });
  });
});

function machine(platform: Platform, env: Record<string, string>, executables: string[], f: EntryFiles | undefined, homedir: string): DiscoveryEnv {
  const set = new Set(executables);
  return { platform, env, homedir, isExecutable: (file) => set.has(file), files: f };
}

describe('discovery describes what it runs', () => {
  it('finds the dotnet tool in ~/.dotnet/tools and runs its pwsh.dll with the dotnet on PATH', () => {
    const d = machine(linux, { PATH: '/usr/bin' }, ['/home/ann/.dotnet/tools/pwsh', '/usr/bin/dotnet'], linuxTool(), '/home/ann');
    const r = discoverShell('', d);
    expect(r).toMatchObject({
      ok: true,
      shell: { path: '/home/ann/.dotnet/tools/pwsh', kind: 'pwsh', run: { file: '/usr/bin/dotnet', args: [`${LINUX_TOOL}/unix/pwsh.dll`] } },
    });
    if (r.ok) expect(r.shell.description).toMatch(/^dotnet tool pwsh 7\.6\.9, run without its shim/);
  });

  it('runs the shim, and says why, when its target is not as expected', () => {
    const d = machine(linux, { PATH: '/usr/bin' }, ['/home/ann/.dotnet/tools/pwsh'], linuxTool(), '/home/ann');
    const shell = resolveShell('/home/ann/.dotnet/tools/pwsh', 'pwsh', d);
    expect(shell.run).toBeUndefined();
    expect(shell.description).toBe('pwsh /home/ann/.dotnet/tools/pwsh, run through the dotnet tool pwsh because no dotnet host is on PATH');
  });

  it('runs an installed pwsh and Windows PowerShell 5.1 as found, and never reads a 5.1 file', () => {
    const d = machine(linux, {}, [], files({ '/usr/bin/pwsh': 'ELF' }), '/home/ann');
    expect(resolveShell('/usr/bin/pwsh', 'pwsh', d)).toEqual({ path: '/usr/bin/pwsh', kind: 'pwsh', description: 'pwsh /usr/bin/pwsh' });
    const legacy = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    const noReads: EntryFiles = { read: () => expect.fail('5.1 is never read'), isFile: () => expect.fail('5.1 is never read') };
    expect(resolveShell(legacy, 'powershell', machine(win, {}, [], noReads, 'C:\\Users\\ann'))).toEqual({ path: legacy, kind: 'powershell', description: `Windows PowerShell ${legacy}` });
  });

  it('sees through a Scoop shim only on Windows', () => {
    const shimFiles = files({ '/home/ann/scoop/shims/pwsh.shim': 'path = /opt/pwsh/pwsh', '/opt/pwsh/pwsh': 'ELF' });
    expect(resolveShell('/home/ann/scoop/shims/pwsh', 'pwsh', machine(linux, {}, [], shimFiles, '/home/ann')).run).toBeUndefined();
  });
});

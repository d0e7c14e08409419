import { describe, expect, it } from 'vitest';
import { currentPlatform, platformFor } from './Platform.js';

describe('the platform seam', () => {
  it('decides the Windows differences in one place', () => {
    const win = platformFor('win32');
    expect(win).toMatchObject({
      isWindows: true,
      pathListSeparator: ';',
      maxCommandLineChars: 32_767,
      stopSignals: ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'],
      forwardsSignals: false,
      pty: { module: 'node-pty', spawnOptions: { useConptyDll: true }, conpty: true },
      fileSecurity: 'acl',
      hostChannel: 'namedPipe',
      appStdioBridge: 'powershellRelay',
      folderWatch: 'recursiveRoot',
      processTable: 'cim',
      forceKill: 'taskkill',
      sshClient: 'windowsOpenSsh',
    });
    expect(win.path.sep).toBe('\\');
  });

  it('decides Linux and macOS as POSIX, with their own process tables', () => {
    for (const os of ['linux', 'darwin'] as const) {
      expect(platformFor(os)).toMatchObject({
        isWindows: false,
        pathListSeparator: ':',
        forwardsSignals: true,
        pty: { module: '@lydell/node-pty', conpty: false },
        fileSecurity: 'mode',
        hostChannel: 'unixSocket',
        folderWatch: 'perDirectory',
        forceKill: 'sigkill',
        sshClient: 'path',
      });
    }
    expect(platformFor('linux').processTable).toBe('proc');
    expect(platformFor('darwin').processTable).toBe('ps');
  });

  it('compares paths without case where the OS does, and never keeps a trailing separator but a root', () => {
    const win = platformFor('win32');
    expect(win.pathKey('C:\\src\\App\\')).toBe(win.pathKey('c:\\SRC\\app'));
    expect(win.pathKey('c:/src/app/../app')).toBe('c:\\src\\app');
    expect(win.pathKey('C:\\')).toBe('c:\\');
    const linux = platformFor('linux');
    expect(linux.pathKey('/src/App/')).toBe('/src/App');
    expect(linux.pathKey('/src/App')).not.toBe(linux.pathKey('/src/app'));
    expect(linux.pathKey('/')).toBe('/');
    expect(platformFor('darwin').pathKey('/Users/Ann/Src')).toBe('/users/ann/src');
  });

  it('describes the machine it runs on', () => {
    expect(currentPlatform().os).toBe(process.platform);
  });

  it("runs the dotnet tool's pwsh.dll from the folder its shim would pick: win on Windows, unix elsewhere (PowerShell's GlobalToolShim.cs)", () => {
    expect(platformFor('win32').dotnetToolPwshDir).toBe('win');
    expect(platformFor('linux').dotnetToolPwshDir).toBe('unix');
    expect(platformFor('darwin').dotnetToolPwshDir).toBe('unix');
  });
});

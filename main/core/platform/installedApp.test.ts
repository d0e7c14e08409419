import { describe, expect, it } from 'vitest';
import { installedExecutable, PORTABLE_EXECUTABLE_ENV } from './installedApp.js';
import { platformFor } from './Platform.js';

const win = platformFor('win32');
const temp = 'C:\\Users\\Ann Lee\\AppData\\Local\\Temp';
const unpacked = `${temp}\\2bYhC3kQx9\\poshpool.exe`;
const launcher = 'D:\\Tools\\poshpool 0.1.0.exe';

describe('installedExecutable', () => {
  it('is the portable launcher (PORTABLE_EXECUTABLE_FILE) when the app runs from the temp copy the launcher deletes on exit', () => {
    expect(PORTABLE_EXECUTABLE_ENV).toBe('PORTABLE_EXECUTABLE_FILE');
    expect(installedExecutable(win, { execPath: unpacked, tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: launcher } })).toBe(launcher);
    // Paths on Windows ignore case.
    expect(installedExecutable(win, { execPath: unpacked.toUpperCase(), tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: launcher } })).toBe(launcher);
  });

  it('is process.execPath for the installed app (no variable, or one inherited from another portable app)', () => {
    const installed = 'C:\\Users\\ann\\AppData\\Local\\Programs\\poshpool\\poshpool.exe';
    expect(installedExecutable(win, { execPath: installed, tempDir: temp, env: {} })).toBe(installed);
    expect(installedExecutable(win, { execPath: installed, tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: 'D:\\Tools\\OtherApp.exe' } })).toBe(installed);
  });

  it('ignores an empty or relative PORTABLE_EXECUTABLE_FILE', () => {
    expect(installedExecutable(win, { execPath: unpacked, tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: '  ' } })).toBe(unpacked);
    expect(installedExecutable(win, { execPath: unpacked, tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: 'poshpool.exe' } })).toBe(unpacked);
  });

  it('ignores the variable off Windows (the portable target is Windows-only)', () => {
    const linux = platformFor('linux');
    expect(installedExecutable(linux, { execPath: '/tmp/x/poshpool', tempDir: '/tmp', env: { PORTABLE_EXECUTABLE_FILE: '/opt/p' } })).toBe('/tmp/x/poshpool');
  });
});

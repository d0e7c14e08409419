import { describe, expect, it } from 'vitest';
import { configDir, configFilePath, dataDir } from './paths.js';
import { platformFor } from '../platform/Platform.js';

const winHome = 'C:\\Users\\ada';
const winEnv = { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' };

describe('paths on Windows', () => {
  it('puts the config in %APPDATA%\\poshpool and the data in %LOCALAPPDATA%\\poshpool', () => {
    expect(configDir(platformFor('win32'), winEnv, winHome)).toBe('C:\\Users\\ada\\AppData\\Roaming\\poshpool');
    expect(configFilePath(platformFor('win32'), winEnv, winHome)).toBe('C:\\Users\\ada\\AppData\\Roaming\\poshpool\\config.json');
    expect(dataDir(platformFor('win32'), winEnv, winHome)).toBe('C:\\Users\\ada\\AppData\\Local\\poshpool');
  });

  it('reads environment names case-insensitively, as Windows does', () => {
    const env = { AppData: 'D:\\Roam', localAppData: 'D:\\Local' };
    expect(configDir(platformFor('win32'), env, winHome)).toBe('D:\\Roam\\poshpool');
    expect(dataDir(platformFor('win32'), env, winHome)).toBe('D:\\Local\\poshpool');
  });

  it('falls back to the profile folders when APPDATA and LOCALAPPDATA are unset or empty', () => {
    expect(configDir(platformFor('win32'), {}, winHome)).toBe('C:\\Users\\ada\\AppData\\Roaming\\poshpool');
    expect(dataDir(platformFor('win32'), { LOCALAPPDATA: '' }, winHome)).toBe('C:\\Users\\ada\\AppData\\Local\\poshpool');
  });

  it('lets POSHPOOL_CONFIG name the file and POSHPOOL_DATA_DIR the data dir', () => {
    const env = { ...winEnv, POSHPOOL_CONFIG: 'E:/cfg/pp.json', POSHPOOL_DATA_DIR: 'E:\\data\\pp\\' };
    expect(configFilePath(platformFor('win32'), env, winHome)).toBe('E:\\cfg\\pp.json');
    expect(dataDir(platformFor('win32'), env, winHome)).toBe('E:\\data\\pp\\');
    // The config dir itself is not moved by POSHPOOL_CONFIG (it names a file, not a folder).
    expect(configDir(platformFor('win32'), env, winHome)).toBe('C:\\Users\\ada\\AppData\\Roaming\\poshpool');
  });
});

describe('paths on Linux', () => {
  it('uses ~/.config/poshpool and ~/.local/share/poshpool by default', () => {
    expect(configDir(platformFor('linux'), {}, '/home/ada')).toBe('/home/ada/.config/poshpool');
    expect(configFilePath(platformFor('linux'), {}, '/home/ada')).toBe('/home/ada/.config/poshpool/config.json');
    expect(dataDir(platformFor('linux'), {}, '/home/ada')).toBe('/home/ada/.local/share/poshpool');
  });

  it('follows XDG_CONFIG_HOME and XDG_DATA_HOME', () => {
    const env = { XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data' };
    expect(configDir(platformFor('linux'), env, '/home/ada')).toBe('/xdg/config/poshpool');
    expect(configFilePath(platformFor('linux'), env, '/home/ada')).toBe('/xdg/config/poshpool/config.json');
    expect(dataDir(platformFor('linux'), env, '/home/ada')).toBe('/xdg/data/poshpool');
  });

  it('ignores relative or empty XDG values, as the XDG spec requires', () => {
    const env = { XDG_CONFIG_HOME: 'relative/config', XDG_DATA_HOME: '' };
    expect(configDir(platformFor('linux'), env, '/home/ada')).toBe('/home/ada/.config/poshpool');
    expect(dataDir(platformFor('linux'), env, '/home/ada')).toBe('/home/ada/.local/share/poshpool');
  });

  it('lets POSHPOOL_CONFIG and POSHPOOL_DATA_DIR override, XDG or not', () => {
    const env = { XDG_CONFIG_HOME: '/xdg/config', POSHPOOL_CONFIG: '/etc/pp//my.json', POSHPOOL_DATA_DIR: '/var/lib/pp' };
    expect(configFilePath(platformFor('linux'), env, '/home/ada')).toBe('/etc/pp/my.json');
    expect(dataDir(platformFor('linux'), env, '/home/ada')).toBe('/var/lib/pp');
  });

  it('keeps a relative POSHPOOL_CONFIG relative (to the working directory)', () => {
    expect(configFilePath(platformFor('linux'), { POSHPOOL_CONFIG: './pp.json' }, '/home/ada')).toBe('pp.json');
  });

  it('ignores an empty or blank override', () => {
    const env = { POSHPOOL_CONFIG: '', POSHPOOL_DATA_DIR: '  ' };
    expect(configFilePath(platformFor('linux'), env, '/home/ada')).toBe('/home/ada/.config/poshpool/config.json');
    expect(dataDir(platformFor('linux'), env, '/home/ada')).toBe('/home/ada/.local/share/poshpool');
  });

  it('treats other Unix platforms like Linux', () => {
    expect(configDir(platformFor('freebsd'), {}, '/usr/home/ada')).toBe('/usr/home/ada/.config/poshpool');
  });
});

describe('paths on macOS', () => {
  it('keeps config and data together in ~/Library/Application Support/poshpool', () => {
    expect(configDir(platformFor('darwin'), {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/poshpool');
    expect(configFilePath(platformFor('darwin'), {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/poshpool/config.json');
    expect(dataDir(platformFor('darwin'), {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/poshpool');
  });

  it('ignores XDG variables and honours the poshpool overrides', () => {
    const env = { XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data' };
    expect(configDir(platformFor('darwin'), env, '/Users/ada')).toBe('/Users/ada/Library/Application Support/poshpool');
    expect(dataDir(platformFor('darwin'), env, '/Users/ada')).toBe('/Users/ada/Library/Application Support/poshpool');
    const over = { POSHPOOL_CONFIG: '/tmp/c.json', POSHPOOL_DATA_DIR: '/tmp/d' };
    expect(configFilePath(platformFor('darwin'), over, '/Users/ada')).toBe('/tmp/c.json');
    expect(dataDir(platformFor('darwin'), over, '/Users/ada')).toBe('/tmp/d');
  });
});

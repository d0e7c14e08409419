import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import { AUTOSTART_FILE, autostartEntry, loginItemFor, type LoginItem, type LoginItemApp, type LoginItemDeps } from './loginItem.js';

/** A fake of Electron's login item settings that records what it was told. */
class FakeApp implements LoginItemApp {
  openAtLogin = false;
  readonly calls: { openAtLogin: boolean; path?: string; args?: string[] }[] = [];
  readonly queries: ({ path?: string; args?: string[] } | undefined)[] = [];
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean } {
    this.queries.push(options);
    return { openAtLogin: this.openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void {
    this.calls.push(settings);
    this.openAtLogin = settings.openAtLogin;
  }
}

let home: string;
let app: FakeApp;

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'poshpool-login-'));
  app = new FakeApp();
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function deps(overrides: Partial<LoginItemDeps> = {}): LoginItemDeps {
  return { app, env: {}, homedir: home, execPath: '/opt/poshpool/poshpool', tempDir: '/tmp', isPackaged: true, ...overrides };
}

function supported(item: LoginItem): Extract<LoginItem, { supported: true }> {
  if (!item.supported) throw new Error(`expected a supported login item, got: ${item.reason}`);
  return item;
}

/** The value of a key in the [Desktop Entry] group. */
function entryValue(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

/**
 * Reads an Exec value back as the Desktop Entry spec says a launcher does: first the string-value
 * escapes (\\ is one backslash), then the quoting rule for one argument, then %% is one %.
 */
function unquoteArg(value: string): string {
  const unescaped = value.replace(/\\\\/g, '\\');
  let arg = unescaped;
  if (unescaped.startsWith('"')) {
    expect(unescaped.endsWith('"')).toBe(true);
    arg = unescaped.slice(1, -1).replace(/\\(["`$\\])/g, '$1');
  } else {
    expect(unescaped).not.toMatch(/[\s"'\\><~|&;$*?#()`]/);
  }
  return arg.replace(/%%/g, '%');
}

/** The text of an entry that must have been made. */
function made(entry: ReturnType<typeof autostartEntry>): string {
  if (!entry.ok) throw new Error(entry.reason);
  return entry.text;
}

describe('loginItemFor on Windows and macOS', () => {
  it('win32 reads and sets the login item with the executable as path', () => {
    const item = supported(loginItemFor(platformFor('win32'), deps({ execPath: 'C:\\Program Files\\poshpool\\poshpool.exe' })));
    expect(item.isEnabled()).toBe(false);
    expect(item.setEnabled(true)).toEqual({ ok: true });
    expect(app.calls).toEqual([{ openAtLogin: true, path: 'C:\\Program Files\\poshpool\\poshpool.exe', args: [] }]);
    expect(item.isEnabled()).toBe(true);
    expect(item.setEnabled(false)).toEqual({ ok: true });
    expect(app.calls[1]).toEqual({ openAtLogin: false, path: 'C:\\Program Files\\poshpool\\poshpool.exe', args: [] });
    expect(item.isEnabled()).toBe(false);
  });

  it('win32 reads the entry back with the path and args it was set with (Electron compares against them)', () => {
    const item = supported(loginItemFor(platformFor('win32'), deps({ execPath: 'C:\\Program Files\\poshpool\\poshpool.exe' })));
    item.isEnabled();
    expect(app.queries).toEqual([{ path: 'C:\\Program Files\\poshpool\\poshpool.exe', args: [] }]);
  });

  it('win32 portable build registers the portable launcher (PORTABLE_EXECUTABLE_FILE), not the temp copy that is deleted on exit', () => {
    const temp = 'C:\\Users\\Ann Lee\\AppData\\Local\\Temp';
    const item = supported(
      loginItemFor(
        platformFor('win32'),
        deps({ execPath: `${temp}\\2bYhC3kQx\\poshpool.exe`, tempDir: temp, env: { PORTABLE_EXECUTABLE_FILE: 'D:\\Tools\\poshpool 0.1.0.exe' } }),
      ),
    );
    item.setEnabled(true);
    expect(app.calls).toEqual([{ openAtLogin: true, path: 'D:\\Tools\\poshpool 0.1.0.exe', args: [] }]);
    item.isEnabled();
    expect(app.queries).toEqual([{ path: 'D:\\Tools\\poshpool 0.1.0.exe', args: [] }]);
  });

  it('darwin sets the login item without a path', () => {
    const item = supported(loginItemFor(platformFor('darwin'), deps({ execPath: '/Applications/poshpool.app/Contents/MacOS/poshpool' })));
    expect(item.setEnabled(true)).toEqual({ ok: true });
    expect(app.calls).toEqual([{ openAtLogin: true }]);
    expect(app.calls[0]).not.toHaveProperty('path');
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(app.calls[1]).toEqual({ openAtLogin: false });
    expect(item.isEnabled()).toBe(false);
  });

  it('isEnabled follows what the system reports, not what was last set', () => {
    const item = supported(loginItemFor(platformFor('darwin'), deps()));
    app.openAtLogin = true; // turned on in System Settings
    expect(item.isEnabled()).toBe(true);
    app.openAtLogin = false;
    expect(item.isEnabled()).toBe(false);
  });

  it('writes no autostart file on win32 or darwin', () => {
    supported(loginItemFor(platformFor('win32'), deps())).setEnabled(true);
    supported(loginItemFor(platformFor('darwin'), deps())).setEnabled(true);
    expect(existsSync(path.join(home, '.config', 'autostart'))).toBe(false);
  });
});

describe('loginItemFor on Linux', () => {
  const defaultFile = (): string => path.join(home, '.config', 'autostart', AUTOSTART_FILE);

  it('writes a valid XDG autostart entry under ~/.config, and removes it', () => {
    const item = supported(loginItemFor(platformFor('linux'), deps()));
    expect(item.isEnabled()).toBe(false);
    expect(item.setEnabled(true)).toEqual({ ok: true });
    const text = readFileSync(defaultFile(), 'utf8');
    expect(text.split('\n')[0]).toBe('[Desktop Entry]');
    expect(entryValue(text, 'Type')).toBe('Application');
    expect(entryValue(text, 'Name')).toBe('poshpool');
    expect(entryValue(text, 'Exec')).toBe('/opt/poshpool/poshpool');
    expect(text.endsWith('\n')).toBe(true);
    expect(item.isEnabled()).toBe(true);
    expect(app.calls).toEqual([]);

    expect(item.setEnabled(false)).toEqual({ ok: true });
    expect(existsSync(defaultFile())).toBe(false);
    expect(item.isEnabled()).toBe(false);
  });

  it('disabling when there is no entry succeeds', () => {
    expect(supported(loginItemFor(platformFor('linux'), deps())).setEnabled(false)).toEqual({ ok: true });
  });

  it('uses an absolute XDG_CONFIG_HOME', () => {
    const configHome = path.join(home, 'xdg-config');
    const item = supported(loginItemFor(platformFor('linux'), deps({ env: { XDG_CONFIG_HOME: configHome } })));
    expect(item.setEnabled(true)).toEqual({ ok: true });
    expect(existsSync(path.join(configHome, 'autostart', AUTOSTART_FILE))).toBe(true);
    expect(existsSync(defaultFile())).toBe(false);
    expect(item.isEnabled()).toBe(true);
  });

  it('ignores a relative XDG_CONFIG_HOME (the spec says to)', () => {
    const item = supported(loginItemFor(platformFor('linux'), deps({ env: { XDG_CONFIG_HOME: 'relative/config' } })));
    expect(item.setEnabled(true)).toEqual({ ok: true });
    expect(existsSync(defaultFile())).toBe(true);
    expect(existsSync(path.resolve('relative'))).toBe(false);
  });

  it('starts the AppImage when APPIMAGE is set', () => {
    const item = supported(loginItemFor(platformFor('linux'), deps({ env: { APPIMAGE: '/home/me/Apps/poshpool-0.1.0.AppImage' } })));
    item.setEnabled(true);
    expect(entryValue(readFileSync(defaultFile(), 'utf8'), 'Exec')).toBe('/home/me/Apps/poshpool-0.1.0.AppImage');
  });

  it('quotes an executable path with spaces', () => {
    const item = supported(loginItemFor(platformFor('linux'), deps({ execPath: '/opt/My Apps/poshpool' })));
    item.setEnabled(true);
    expect(entryValue(readFileSync(defaultFile(), 'utf8'), 'Exec')).toBe('"/opt/My Apps/poshpool"');
  });

  it('isEnabled follows the file on disk', () => {
    const item = supported(loginItemFor(platformFor('linux'), deps()));
    mkdirSync(path.dirname(defaultFile()), { recursive: true });
    writeFileSync(defaultFile(), '[Desktop Entry]\nType=Application\nExec=/usr/bin/poshpool\n');
    expect(item.isEnabled()).toBe(true);
    writeFileSync(defaultFile(), '[Desktop Entry]\nType=Application\n');
    expect(item.isEnabled()).toBe(false);
    rmSync(defaultFile());
    expect(item.isEnabled()).toBe(false);
  });

  it('reports a failure to write, naming the file, instead of throwing', () => {
    // A file where the autostart directory should be.
    mkdirSync(path.join(home, '.config'));
    writeFileSync(path.join(home, '.config', 'autostart'), 'not a directory');
    const item = supported(loginItemFor(platformFor('linux'), deps()));
    const result = item.setEnabled(true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(defaultFile());
    expect(result.reason).toMatch(/^Could not write /);
    expect(item.isEnabled()).toBe(false);
  });
});

describe('loginItemFor when unsupported', () => {
  it('is unsupported in a development run on every platform, with a reason', () => {
    for (const platform of ['win32', 'darwin', 'linux', 'freebsd'] as const) {
      const item = loginItemFor(platformFor(platform), deps({ isPackaged: false }));
      expect(item.supported, platform).toBe(false);
      if (!item.supported) expect(item.reason.length, platform).toBeGreaterThan(0);
    }
    expect(app.calls).toEqual([]);
    expect(existsSync(path.join(home, '.config'))).toBe(false);
  });

  it('is unsupported on an unknown platform, naming it', () => {
    const item = loginItemFor(platformFor('freebsd'), deps());
    expect(item.supported).toBe(false);
    if (!item.supported) expect(item.reason).toContain('freebsd');
  });
});

describe('autostartEntry', () => {
  it('leaves a plain path unquoted', () => {
    expect(entryValue(made(autostartEntry('/usr/bin/poshpool')), 'Exec')).toBe('/usr/bin/poshpool');
  });

  it('quotes reserved characters, escapes inside quotes, doubles backslashes for the string value and % for the field codes', () => {
    const cases: [string, string][] = [
      ['/opt/a"b/poshpool', '"/opt/a\\\\"b/poshpool"'],
      ['/opt/$HOME/poshpool', '"/opt/\\\\$HOME/poshpool"'],
      ['/opt/a\\b/poshpool', '"/opt/a\\\\\\\\b/poshpool"'],
      ['/opt/`id`/poshpool', '"/opt/\\\\`id\\\\`/poshpool"'],
      ["/opt/it's/poshpool", '"/opt/it\'s/poshpool"'],
      ['/opt/tab\there', '"/opt/tab\there"'],
      ['/opt/a(1)/poshpool', '"/opt/a(1)/poshpool"'],
      ['/opt/a&b;c/poshpool', '"/opt/a&b;c/poshpool"'],
      ['/opt/100%/poshpool', '/opt/100%%/poshpool'],
    ];
    for (const [exec, expected] of cases) {
      const value = entryValue(made(autostartEntry(exec)), 'Exec')!;
      expect(value, exec).toBe(expected);
      expect(unquoteArg(value), exec).toBe(exec);
    }
  });

  it('round-trips a path mixing every escaped character', () => {
    const exec = '/home/me/"weird" $dir\\`x`/100% (a|b)~#*?<>/poshpool';
    expect(unquoteArg(entryValue(made(autostartEntry(exec)), 'Exec')!)).toBe(exec);
  });

  it('refuses a path with a line break (it would add keys of its own)', () => {
    expect(autostartEntry('/opt/x\nHidden=true/poshpool')).toMatchObject({ ok: false, reason: expect.stringContaining('line break') });
  });

  it('is a complete [Desktop Entry] group', () => {
    const text = made(autostartEntry('/usr/bin/poshpool'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    for (const line of lines.slice(1)) expect(line).toMatch(/^[A-Za-z0-9-]+=/);
    expect(entryValue(text, 'Terminal')).toBe('false');
  });
});

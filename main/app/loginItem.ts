import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { installedExecutable } from '../core/platform/installedApp.js';
import type { Platform } from '../core/platform/Platform.js';

/** Start at login, as the tray menu switches it. */
export type LoginItem =
  | { supported: true; isEnabled(): boolean; setEnabled(enabled: boolean): { ok: true } | { ok: false; reason: string } }
  | { supported: false; reason: string };

/** The part of Electron's app the login item uses on Windows and macOS. */
export interface LoginItemApp {
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface LoginItemDeps {
  app: LoginItemApp;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /**
   * The running executable (process.execPath). What is registered is the installed one: on Windows the
   * portable launcher's path when the app runs from its temp copy (installedApp.ts), on Linux an
   * AppImage's path from $APPIMAGE.
   */
  execPath: string;
  /** The temp dir (os.tmpdir()), where a portable launcher unpacks the app. */
  tempDir: string;
  /** Whether the app runs installed (a development run has no stable executable to register). */
  isPackaged: boolean;
}

/** Name of the XDG autostart entry on Linux. */
export const AUTOSTART_FILE = 'poshpool.desktop';

/**
 * The XDG autostart entry that starts `exec` at login. Exec follows the Desktop Entry spec: `%` is
 * doubled, an argument with a reserved character is quoted (with `"`, `` ` ``, `$` and `\` escaped
 * inside), and then, as for every string value, each backslash is doubled. A path with a line
 * break cannot be written (it would add keys of its own) and is refused.
 */
export function autostartEntry(exec: string): { ok: true; text: string } | { ok: false; reason: string } {
  if (/[\r\n]/.test(exec)) return { ok: false, reason: `the executable's path has a line break, which an autostart entry cannot hold: ${JSON.stringify(exec)}` };
  let arg = exec.replace(/%/g, '%%');
  if (/[\s"'\\><~|&;$*?#()`]/.test(arg)) arg = `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
  arg = arg.replace(/\\/g, '\\\\');
  const text = ['[Desktop Entry]', 'Type=Application', 'Name=poshpool', 'Comment=Warm PowerShell sessions for AI coding agents', `Exec=${arg}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
  return { ok: true, text };
}

/**
 * Start at login as the platform does it (platform.loginItem): Windows and macOS through Electron's
 * login item settings (the Run key, with the installed executable's path; the macOS login items),
 * Linux through an XDG autostart entry (Electron has no login items there). Unsupported in a
 * development run, which has no installed executable to register.
 */
export function loginItemFor(platform: Platform, deps: LoginItemDeps): LoginItem {
  if (!deps.isPackaged) return { supported: false, reason: 'only in the installed app' };
  if (platform.loginItem === 'runKey') {
    // The Run key gets an explicit path: the portable target's running copy is deleted on exit. Electron
    // compares the entry against the path and args given to getLoginItemSettings, process.execPath and
    // [] by default: "If you provided path and args options to app.setLoginItemSettings, then you need
    // to pass the same arguments here for openAtLogin to be set correctly" (Electron, app docs).
    const entry = { path: installedExecutable(platform, { execPath: deps.execPath, env: deps.env, tempDir: deps.tempDir }), args: [] };
    return {
      supported: true,
      isEnabled: () => deps.app.getLoginItemSettings(entry).openAtLogin,
      setEnabled: (enabled) => {
        deps.app.setLoginItemSettings({ openAtLogin: enabled, ...entry });
        return { ok: true };
      },
    };
  }
  if (platform.loginItem === 'macLoginItems') {
    return {
      supported: true,
      isEnabled: () => deps.app.getLoginItemSettings().openAtLogin,
      setEnabled: (enabled) => {
        deps.app.setLoginItemSettings({ openAtLogin: enabled });
        return { ok: true };
      },
    };
  }
  if (platform.loginItem === 'xdgAutostart') {
    const path = platform.path;
    const configHome = deps.env.XDG_CONFIG_HOME && path.isAbsolute(deps.env.XDG_CONFIG_HOME) ? deps.env.XDG_CONFIG_HOME : path.join(deps.homedir, '.config');
    const file = path.join(configHome, 'autostart', AUTOSTART_FILE);
    const exec = deps.env.APPIMAGE ?? deps.execPath;
    return {
      supported: true,
      isEnabled: () => {
        try {
          return /^Exec=/m.test(readFileSync(file, 'utf8'));
        } catch {
          // No entry (or an unreadable one): poshpool does not start at login.
          return false;
        }
      },
      setEnabled: (enabled) => {
        try {
          if (enabled) {
            const entry = autostartEntry(exec);
            if (!entry.ok) return { ok: false, reason: `Could not write ${file}: ${entry.reason}` };
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, entry.text, { mode: 0o644 });
          } else {
            rmSync(file, { force: true });
          }
          return { ok: true };
        } catch (e) {
          return { ok: false, reason: `Could not ${enabled ? 'write' : 'remove'} ${file}: ${(e as Error).message}` };
        }
      },
    };
  }
  return { supported: false, reason: `not available on ${platform.os}` };
}

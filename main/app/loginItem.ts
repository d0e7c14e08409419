import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Start at login, as the tray menu switches it. */
export type LoginItem =
  | { supported: true; isEnabled(): boolean; setEnabled(enabled: boolean): { ok: true } | { ok: false; reason: string } }
  | { supported: false; reason: string };

/** The part of Electron's app the login item uses on Windows and macOS. */
export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface LoginItemDeps {
  app: LoginItemApp;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** The executable to start (the app's own; on Linux an AppImage's path comes from $APPIMAGE). */
  execPath: string;
  /** Whether the app runs installed (a development run has no stable executable to register). */
  isPackaged: boolean;
}

/** Name of the XDG autostart entry on Linux. */
export const AUTOSTART_FILE = 'poshpool.desktop';

/** The XDG autostart entry that starts `exec` at login (Exec quoted per the Desktop Entry spec). */
export function autostartEntry(exec: string): string {
  const quoted = /[\s"'\\$`]/.test(exec) ? `"${exec.replace(/(["`$\\])/g, '\\$1')}"` : exec;
  return ['[Desktop Entry]', 'Type=Application', 'Name=poshpool', 'Comment=Warm PowerShell sessions for AI coding agents', `Exec=${quoted}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

/**
 * Start at login for a platform: Windows and macOS through Electron's login item settings (the
 * Run key, the macOS login items), Linux through an XDG autostart entry (Electron has no login items
 * there). Unsupported in a development run, which has no installed executable to register.
 */
export function loginItemFor(platform: NodeJS.Platform, deps: LoginItemDeps): LoginItem {
  if (!deps.isPackaged) return { supported: false, reason: 'only in the installed app' };
  if (platform === 'win32' || platform === 'darwin') {
    return {
      supported: true,
      isEnabled: () => deps.app.getLoginItemSettings().openAtLogin,
      setEnabled: (enabled) => {
        deps.app.setLoginItemSettings({ openAtLogin: enabled, ...(platform === 'win32' ? { path: deps.execPath, args: [] } : {}) });
        return { ok: true };
      },
    };
  }
  if (platform === 'linux') {
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
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, autostartEntry(exec), { mode: 0o644 });
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
  return { supported: false, reason: `not available on ${platform}` };
}

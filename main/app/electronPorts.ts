import { BrowserWindow, Menu, Notification, Tray, app, clipboard, dialog, ipcMain, nativeImage, shell } from 'electron';
import { homedir, tmpdir } from 'node:os';
import type { Platform } from '../core/platform/Platform.js';
import type { AppPorts, HostLink, TrayPort, WindowPort } from './ports.js';
import { loginItemFor } from './loginItem.js';
import type { NotificationPort } from './Notifier.js';
import { toMenuTemplate } from './trayMenuTemplate.js';

function trayPort(initialIcon: string): TrayPort {
  const tray = new Tray(nativeImage.createFromPath(initialIcon));
  return {
    setImage: (file) => tray.setImage(nativeImage.createFromPath(file)),
    setToolTip: (text) => tray.setToolTip(text),
    setMenu: (items, onAction) => tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(items, onAction))),
    onClick: (listener) => void tray.on('click', listener),
    destroy: () => tray.destroy(),
  };
}

function windowPort(win: BrowserWindow): WindowPort {
  return {
    contents: {
      get id() {
        return win.webContents.id;
      },
      isDestroyed: () => win.webContents.isDestroyed(),
      send: (channel, payload) => win.webContents.send(channel, payload),
      on: ((event: string, listener: (...args: unknown[]) => void) => win.webContents.on(event as 'will-navigate', listener as never)) as WindowPort['contents']['on'],
      setWindowOpenHandler: (handler) => win.webContents.setWindowOpenHandler(handler),
    },
    session: win.webContents.session,
    loadURL: (url) => win.loadURL(url),
    show: () => win.show(),
    focus: () => win.focus(),
    hide: () => win.hide(),
    isMinimized: () => win.isMinimized(),
    restore: () => win.restore(),
    isDestroyed: () => win.isDestroyed(),
    destroy: () => win.destroy(),
    onClose: (listener) => void win.on('close', listener),
    onClosed: (listener) => void win.on('closed', listener),
    onReadyToShow: (listener) => void win.once('ready-to-show', listener),
    onDidFinishLoad: (listener) => void win.webContents.on('did-finish-load', listener),
  };
}

/** Notifications shown lately, kept referenced: a notification collected by the GC loses its click handler. */
const KEPT_NOTIFICATIONS = 20;

function notificationPort(): NotificationPort {
  const kept: Notification[] = [];
  return {
    isSupported: () => Notification.isSupported(),
    show: (spec, onClick) => {
      const n = new Notification({ title: spec.title, body: spec.body });
      n.on('click', onClick);
      kept.push(n);
      if (kept.length > KEPT_NOTIFICATIONS) kept.shift();
      n.show();
    },
  };
}

/** The real Electron APIs behind the app's ports. Call after the app is ready. */
export function electronPorts(options: { platform: Platform; host: HostLink; initialTrayIcon: string; log: (line: string) => void }): AppPorts {
  return {
    platform: options.platform,
    host: options.host,
    tray: trayPort(options.initialTrayIcon),
    createWindow: (windowOptions) => windowPort(new BrowserWindow(windowOptions)),
    ipcMain,
    notifications: notificationPort(),
    clipboard,
    shell: { openPath: (p) => shell.openPath(p), openExternal: (url) => void shell.openExternal(url) },
    dialog: {
      confirm: async (spec) => {
        const r = await dialog.showMessageBox({
          type: 'warning',
          title: spec.title,
          message: spec.message,
          detail: spec.detail,
          buttons: [spec.confirmLabel, spec.cancelLabel],
          defaultId: 1,
          cancelId: 1,
          noLink: true,
        });
        return r.response === 0;
      },
      error: (title, message) => dialog.showErrorBox(title, message),
    },
    loginItem: loginItemFor(options.platform, { app, env: process.env, homedir: homedir(), execPath: process.execPath, tempDir: tmpdir(), isPackaged: app.isPackaged }),
    exit: (code) => app.exit(code),
    log: options.log,
  };
}

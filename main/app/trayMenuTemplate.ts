import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAction, TrayMenuItem } from './trayView.js';

/** The tray menu as Electron's template. */
export function toMenuTemplate(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, enabled: item.enabled, submenu: toMenuTemplate(item.submenu, onAction) };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, enabled: item.enabled, checked: item.checked, click: () => onAction(item.action) };
      case 'normal': {
        const action = item.action;
        return { label: item.label, enabled: item.enabled, ...(action ? { click: () => onAction(action) } : {}) };
      }
    }
  });
}

import type { Disposable } from '../core/events/Emitter.js';
import type { TrayPort } from './ports.js';
import { platformFor } from '../core/platform/Platform.js';
import { trayIconFile } from './trayIcons.js';
import { trayView, type TrayAction, type TrayInput } from './trayView.js';

/** Shortest time between two rebuilds of the tray menu (ms): a menu rebuilt while open closes on some platforms. */
export const TRAY_MENU_MIN_INTERVAL_MS = 500;

/**
 * Keeps the tray icon, tooltip and menu in step with the host's state. Each is set only when it
 * changed; the menu is rebuilt at most every {@link TRAY_MENU_MIN_INTERVAL_MS}.
 */
export class TrayController implements Disposable {
  private icon = '';
  private tooltip = '';
  private menuKey = '';
  private lastMenuAt = -Infinity;
  private pending: NodeJS.Timeout | undefined;
  private latest: TrayInput | undefined;

  constructor(
    private readonly tray: TrayPort,
    private readonly deps: { platform: NodeJS.Platform; assetsDir: string; onAction: (action: TrayAction) => void; now?: () => number },
  ) {}

  /** Shows the state described by `input`. */
  update(input: TrayInput): void {
    this.latest = input;
    const view = trayView(input);
    const icon = trayIconFile(view.icon, platformFor(this.deps.platform), this.deps.assetsDir);
    if (icon !== this.icon) {
      this.icon = icon;
      this.tray.setImage(icon);
    }
    if (view.tooltip !== this.tooltip) {
      this.tooltip = view.tooltip;
      this.tray.setToolTip(view.tooltip);
    }
    const key = JSON.stringify(view.menu);
    if (key === this.menuKey) return;
    const now = (this.deps.now ?? Date.now)();
    const wait = this.lastMenuAt + TRAY_MENU_MIN_INTERVAL_MS - now;
    if (wait > 0) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        if (this.latest) this.update(this.latest);
      }, wait);
      return;
    }
    this.menuKey = key;
    this.lastMenuAt = now;
    this.tray.setMenu(view.menu, this.deps.onAction);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.tray.destroy();
  }
}

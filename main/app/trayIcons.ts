import type { Platform } from '../core/platform/Platform.js';
import type { TrayIconState } from './trayView.js';

/**
 * The tray image file for a state, in the platform's tray image format (platform.trayIcon): macOS
 * takes a monochrome template image (Electron picks the @2x file beside it on Retina screens and tints
 * it for light and dark menu bars), Windows an .ico holding 16 and 32 px, Linux a 32 px PNG
 * (AppIndicator scales it).
 */
export function trayIconFile(state: TrayIconState, platform: Pick<Platform, 'trayIcon' | 'path'>, assetsDir: string): string {
  const dir = platform.path.join(assetsDir, 'tray');
  switch (platform.trayIcon) {
    case 'templatePng':
      return platform.path.join(dir, `${state}Template.png`);
    case 'ico':
      return platform.path.join(dir, `${state}.ico`);
    case 'png32':
      return platform.path.join(dir, `${state}-32.png`);
  }
}

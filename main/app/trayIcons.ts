import path from 'node:path';
import type { TrayIconState } from './trayView.js';

/**
 * The tray image file for a state on a platform: macOS takes a monochrome template image (Electron
 * picks the @2x file beside it on Retina screens and tints it for light and dark menu bars),
 * Windows an .ico holding 16 and 32 px, Linux a 32 px PNG (AppIndicator scales it).
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform, assetsDir: string): string {
  const dir = path.join(assetsDir, 'tray');
  if (platform === 'darwin') return path.join(dir, `${state}Template.png`);
  if (platform === 'win32') return path.join(dir, `${state}.ico`);
  return path.join(dir, `${state}-32.png`);
}

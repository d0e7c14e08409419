import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import { trayIconFile } from './trayIcons.js';
import type { TrayIconState } from './trayView.js';

const assets = path.resolve(import.meta.dirname, '../../assets');
const states: TrayIconState[] = ['idle', 'busy', 'queued', 'degraded'];

describe('trayIconFile', () => {
  it('takes a template image on macOS, an .ico on Windows and a 32 px PNG on Linux, and each exists', () => {
    expect(trayIconFile('busy', platformFor('darwin'), '/a')).toBe('/a/tray/busyTemplate.png');
    expect(trayIconFile('busy', platformFor('win32'), 'C:\\Program Files\\poshpool\\resources\\app.asar\\assets')).toBe(
      'C:\\Program Files\\poshpool\\resources\\app.asar\\assets\\tray\\busy.ico',
    );
    expect(trayIconFile('busy', platformFor('linux'), '/a')).toBe('/a/tray/busy-32.png');
    for (const os of ['darwin', 'win32', 'linux'] as const) {
      const platform = platformFor(os);
      for (const state of states) {
        const name = platform.path.basename(trayIconFile(state, platform, '/a'));
        expect(existsSync(path.join(assets, 'tray', name)), `${os} ${state}`).toBe(true);
      }
    }
    // Electron picks the Retina variant beside a template image by its name.
    for (const state of states) expect(existsSync(path.join(assets, 'tray', `${state}Template@2x.png`))).toBe(true);
  });
});

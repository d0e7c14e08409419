import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trayIconFile } from './trayIcons.js';
import type { TrayIconState } from './trayView.js';

const assets = path.resolve(import.meta.dirname, '../../assets');
const states: TrayIconState[] = ['idle', 'busy', 'queued', 'degraded'];

describe('trayIconFile', () => {
  it('takes a template image on macOS, an .ico on Windows and a 32 px PNG on Linux, and each exists', () => {
    expect(trayIconFile('busy', 'darwin', '/a')).toBe(path.join('/a', 'tray', 'busyTemplate.png'));
    expect(trayIconFile('busy', 'win32', '/a')).toBe(path.join('/a', 'tray', 'busy.ico'));
    expect(trayIconFile('busy', 'linux', '/a')).toBe(path.join('/a', 'tray', 'busy-32.png'));
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const state of states) expect(existsSync(trayIconFile(state, platform, assets)), `${platform} ${state}`).toBe(true);
    }
    // Electron picks the Retina variant beside a template image by its name.
    for (const state of states) expect(existsSync(path.join(assets, 'tray', `${state}Template@2x.png`))).toBe(true);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the Electron binary is, found the way the electron package finds it (path.txt beside its
 * dist/, or ELECTRON_OVERRIDE_DIST_PATH) but without ever starting its download: requiring
 * 'electron' from Node downloads a missing binary, which on a machine without the download server
 * fails only after minutes.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): { ok: true; path: string } | { ok: false; reason: string } {
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidates = relative ? [path.join(override, relative)] : ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron'].map((p) => path.join(override, p));
    const found = candidates.find((p) => existsSync(p));
    return found ? { ok: true, path: found } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH=${override} holds no Electron binary (looked for ${candidates.join(', ')})` };
  }
  if (!relative) {
    return {
      ok: false,
      reason: 'no Electron binary: the electron package installed without downloading it (node_modules/electron/path.txt is missing; its download server is out of reach here). Set ELECTRON_OVERRIDE_DIST_PATH to a folder holding an Electron 45 build to run it.',
    };
  }
  const binary = path.join(pkgDir, 'dist', relative);
  return existsSync(binary) ? { ok: true, path: binary } : { ok: false, reason: `no Electron binary at ${binary}` };
}

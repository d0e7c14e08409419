import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformFor } from '../core/platform/Platform.js';
import { APP_BRIDGE_UNAVAILABLE, bridge } from './bridgeCommand.js';

describe('poshpool bridge inside the app', () => {
  let dir: string;
  let err: string;
  const io = { stderr: { write: (t: string) => void (err += t) } };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-bc-'));
    err = '';
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('on Windows says the relay script is the way, rather than ending silently on an stdin at EOF (electron/electron#4218, #21705)', async () => {
    expect(await bridge({ dataDir: dir }, io, { platform: platformFor('win32'), inElectron: true })).toBe(2);
    expect(err).toBe(APP_BRIDGE_UNAVAILABLE);
    expect(err).toContain('Copy client config');
    expect(err).toContain('relay.ps1');
  });

  it('goes on as the bridge under Node on Windows, and in the app on macOS and Linux', async () => {
    // A config that does not load stops it right after the check, with the config's own reason.
    const bad = path.join(dir, 'config.json');
    writeFileSync(bad, '{ not json');
    for (const runtime of [
      { platform: platformFor('win32'), inElectron: false },
      { platform: platformFor('darwin'), inElectron: true },
      { platform: platformFor('linux'), inElectron: true },
    ]) {
      err = '';
      expect(await bridge({ configFile: bad, dataDir: dir }, io, runtime)).toBe(1);
      expect(err).toMatch(/^poshpool bridge: /);
      expect(err).not.toBe(APP_BRIDGE_UNAVAILABLE);
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandResult } from '../../common/shell.js';
import { loadConfig } from '../core/config/load.js';
import { configFilePath } from '../core/config/paths.js';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { OutputStore } from '../core/jobs/OutputStore.js';
import { discoverShell, hostDiscoveryEnv } from '../core/shell/discovery.js';
import { PwshSession } from '../core/shell/PwshSession.js';

/** What `poshpool exec` was asked to do. */
export interface ExecRequest {
  command: string;
  pwshPath?: string;
  cwd?: string;
  timeoutSeconds?: number;
  /** Config file (default: the user's config.json, or POSHPOOL_CONFIG). */
  configFile?: string;
}

export type ExecOutcome = { ok: true; result: CommandResult; shell: string } | { ok: false; reason: string };

/** Runs one command on a fresh session and returns its structured result. */
export async function execOnce(req: ExecRequest, platform: Platform = currentPlatform()): Promise<ExecOutcome> {
  const loaded = loadConfig(req.configFile ?? configFilePath(platform, process.env, homedir()));
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  const config = { ...loaded.config.shell, ...(req.pwshPath ? { path: req.pwshPath } : {}) };
  const found = discoverShell(config.path, hostDiscoveryEnv());
  if (!found.ok) return { ok: false, reason: found.reason };
  const work = mkdtempSync(path.join(tmpdir(), 'poshpool-exec-'));
  const store = new OutputStore({ dir: path.join(work, 'outputs'), pageBytes: 64 * 1024, maxEntries: 1, maxTotalBytes: 1024 ** 3 });
  try {
    const started = await PwshSession.start({ shell: found.shell, config, outputStore: store, tempRoot: work, cwd: req.cwd });
    if (!started.ok) return { ok: false, reason: started.reason };
    const session = started.session;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    // Every stop signal of the platform (Ctrl+C, and Ctrl+Break on Windows) interrupts the command.
    for (const s of platform.stopSignals) process.once(s, onSignal);
    try {
      const result = await session.run(req.command, {
        timeoutMs: req.timeoutSeconds ? req.timeoutSeconds * 1000 : undefined,
        signal: controller.signal,
      });
      return { ok: true, result, shell: found.shell.path };
    } finally {
      for (const s of platform.stopSignals) process.off(s, onSignal);
      await session.dispose();
    }
  } finally {
    store.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

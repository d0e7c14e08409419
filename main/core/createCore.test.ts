import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { defaultConfig } from './config/schema.js';
import { createCore } from './createCore.js';
import { loadLearnedHolds, saveLearnedHolds } from './scheduler/etaMemory.js';

describe('createCore', () => {
  let dir: string;
  beforeEach(() => {
    requirePwsh();
    dir = mkdtempSync(path.join(tmpdir(), 'pp-core-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts each host\'s scheduler from the hold times the last run learned there, and keeps them again when disposed', async () => {
    saveLearnedHolds(dir, { local: { meanHoldMs: 4000, holds: 30 }, buildbox: { meanHoldMs: 60_000, holds: 5 } });
    // A host that is never asked for a session (no warm ones): its lane exists, nothing connects.
    const config = defaultConfig({ warmSessions: 0, maxSessions: 1, hosts: [{ name: 'BuildBox', ssh: '127.0.0.1', port: 9, warmSessions: 0 }] });
    const made = createCore({ config, dataDir: dir });
    if (!made.ok) throw new Error(made.reason);
    const { core } = made;
    expect(core.manager.learnedHolds()).toEqual({ local: { meanHoldMs: 4000, holds: 20 }, BuildBox: { meanHoldMs: 60_000, holds: 5 } });
    // A new request would wait about one learned hold behind a session that was just lent, not the 30 s default.
    const first = await core.manager.requestSession('a');
    expect(first.status).toBe('allocated');
    const queued = await core.manager.requestSession('b');
    expect(queued.status === 'queued' && queued.etaMs).toBeGreaterThan(3500);
    expect(queued.status === 'queued' && queued.etaMs).toBeLessThanOrEqual(4000);
    await core.dispose();
    expect(loadLearnedHolds(dir)).toEqual({ local: { meanHoldMs: 4000, holds: 20 }, BuildBox: { meanHoldMs: 60_000, holds: 5 } });
  });
});

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { nativeExit, requirePwsh, waitFor } from '../../../test/pwsh.js';
import { defaultConfig, type PoshpoolConfig } from '../config/schema.js';
import { createCore, type Core } from '../createCore.js';

// Background jobs against real pwsh.

let dir: string;
let core: Core | undefined;
let events: PoshpoolEvent[];

function start(overrides: Partial<PoshpoolConfig> = {}): Core {
  requirePwsh();
  const made = createCore({ config: defaultConfig({ warmSessions: 1, maxSessions: 2, ...overrides }), dataDir: path.join(dir, 'data'), cwd: dir });
  if (!made.ok) throw new Error(made.reason);
  core = made.core;
  events = [];
  core.bus.onEvent((e) => events.push(e));
  return core;
}

async function session(c: Core, client: string): Promise<string> {
  const t = await c.manager.requestSession(client);
  if (t.status !== 'allocated') throw new Error(`expected an allocated session, got ${t.status}`);
  return t.sessionId;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-jobs-'));
});
afterEach(async () => {
  await core?.dispose();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('JobManager', () => {
  it('returns a job id at once, shows output so far while running, then the result', async () => {
    const c = start();
    const s = await session(c, 'a');
    const started = c.jobs.start('a', s, "'one'; 'two'; Start-Sleep -Milliseconds 700; 'three'");
    if (!started.ok) throw new Error(started.reason);
    const first = c.jobs.get('a', started.jobId);
    expect(first.ok && first.job.status).toBe('running');
    expect(await waitFor(() => {
      const j = c.jobs.get('a', started.jobId);
      return j.ok && j.job.outputSoFar?.output === 'one\ntwo';
    }, 5000)).toBe(true);
    // Another client sees nothing.
    expect(c.jobs.get('b', started.jobId).ok).toBe(false);
    // The session is busy meanwhile.
    expect(c.jobs.start('a', s, '1').ok).toBe(false);
    expect(await waitFor(() => {
      const j = c.jobs.get('a', started.jobId);
      return j.ok && j.job.status !== 'running';
    }, 10000)).toBe(true);
    const done = c.jobs.get('a', started.jobId);
    if (!done.ok) throw new Error(done.reason);
    expect(done.job).toMatchObject({ status: 'succeeded', outputSoFar: null, message: null });
    expect(done.job.result).toMatchObject({ output: 'one\ntwo\nthree', exitCode: 0 });
    expect(c.jobs.readPage('a', started.jobId, 0)).toMatchObject({ ok: true, page: { text: 'one\ntwo\nthree', pages: 1 } });
    expect(events.filter((e) => e.type === 'job.finished')).toHaveLength(1);
    const cmdEvents = events.filter((e) => e.type === 'command.started' || e.type === 'command.finished');
    expect(cmdEvents.every((e) => 'jobId' in e && e.jobId === started.jobId)).toBe(true);
  });

  it('reports failed and cancelled jobs', async () => {
    const c = start();
    const s = await session(c, 'a');
    const failing = c.jobs.start('a', s, nativeExit(3));
    if (!failing.ok) throw new Error(failing.reason);
    await c.jobs.settled();
    expect(c.jobs.get('a', failing.jobId)).toMatchObject({ ok: true, job: { status: 'failed', result: { exitCode: 3 } } });
    const long = c.jobs.start('a', s, 'Start-Sleep 60');
    if (!long.ok) throw new Error(long.reason);
    expect(await waitFor(() => c.manager.listSessions('a')[0]?.state === 'running', 5000)).toBe(true);
    expect(c.jobs.cancel('a', long.jobId)).toEqual({ ok: true, wasRunning: true });
    await c.jobs.settled();
    expect(c.jobs.get('a', long.jobId)).toMatchObject({ ok: true, job: { status: 'cancelled' } });
    expect(c.jobs.cancel('a', long.jobId)).toEqual({ ok: true, wasRunning: false });
  });

  it('pages through a large output and forgets the oldest jobs beyond the retention, with their files', async () => {
    const c = start({ jobRetentionCount: 2, outputPageBytes: 64 * 1024 });
    const s = await session(c, 'a');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const j = c.jobs.start('a', s, `1..20000 | ForEach-Object { "job${i} line $_" }`);
      if (!j.ok) throw new Error(j.reason);
      ids.push(j.jobId);
      await c.jobs.settled();
    }
    // The first was forgotten: 2 are kept.
    expect(c.jobs.get('a', ids[0]!).ok).toBe(false);
    expect(c.jobs.list('a').map((j) => j.jobId).sort()).toEqual([ids[1], ids[2]].sort());
    const last = c.jobs.get('a', ids[2]!);
    if (!last.ok) throw new Error(last.reason);
    expect(last.job.result?.truncated).toBe(true);
    let text = '';
    const first = c.jobs.readPage('a', ids[2]!, 0);
    if (!first.ok) throw new Error(first.reason);
    for (let p = 0; p < first.page.pages; p++) {
      const page = c.jobs.readPage('a', ids[2]!, p);
      if (!page.ok) throw new Error(page.reason);
      text += page.page.text;
    }
    expect(text.split('\n').slice(0, -1)).toEqual(Array.from({ length: 20000 }, (_, k) => `job2 line ${k + 1}`));
    expect(c.jobs.readPage('a', ids[2]!, first.page.pages).ok).toBe(false);
    // Only the two kept jobs' outputs remain on disk.
    const files = readdirSync(path.join(dir, 'data', 'outputs')).filter((f) => f.endsWith('.txt'));
    expect(files).toHaveLength(2);
  });

  it('adopts a running command under an id handed out before it started (an MCP task\'s id is its job\'s), and ended() waits for it', async () => {
    const c = start();
    const s = await session(c, 'a');
    const jobId = c.jobs.newJobId();
    expect(jobId).toMatch(/^job-[A-Za-z0-9_-]{12}$/);
    expect(c.jobs.newJobId()).not.toBe(jobId);
    expect(c.jobs.adopt('a', s, "Start-Sleep -Milliseconds 300; 'adopted'", c.manager.run('a', s, "Start-Sleep -Milliseconds 300; 'adopted'"), jobId)).toBe(jobId);
    expect(c.jobs.get('a', jobId)).toMatchObject({ ok: true, job: { status: 'running' } });
    // Only its client waits for it.
    expect(await c.jobs.ended('b', jobId)).toMatchObject({ ok: false });
    expect(await c.jobs.ended('a', jobId)).toMatchObject({ ok: true, job: { status: 'succeeded', result: { output: 'adopted' } } });
  });

  it('refuses a job on a session that is not the client’s', async () => {
    const c = start();
    const s = await session(c, 'a');
    const refused = c.jobs.start('b', s, '1');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toContain('start_session');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { currentPlatform, platformFor } from './Platform.js';
import { processStartIdentity, publisherRuns, systemProbes, type IdentityProbes } from './processIdentity.js';

/** Probes with nothing on them but what a test gives. */
function probes(over: Partial<IdentityProbes>): IdentityProbes {
  return { processExists: () => true, readText: () => undefined, run: () => undefined, listPipes: () => undefined, ...over };
}

const PIPE = '\\\\.\\pipe\\poshpool-0123456789abcdef0123456789abcdef';

describe('publisherRuns on Windows (the host is alive while its random pipe exists)', () => {
  const win = platformFor('win32');

  it('a reused pid (alive, but no pipe of that name any more) is stale: log-off killed the host and left host.json', () => {
    const p = probes({ listPipes: () => ['InitShutdown', 'lsass', 'poshpool-ffffffffffffffffffffffffffffffff'] });
    const live = publisherRuns(win, { pid: 4242, socketPath: PIPE }, p);
    expect(live.alive).toBe(false);
    if (!live.alive) expect(live.why).toContain('pipe');
  });

  it('is alive while the pipe is listed, whatever the case of its name', () => {
    const p = probes({ listPipes: () => ['lsass', 'POSHPOOL-0123456789ABCDEF0123456789ABCDEF'] });
    expect(publisherRuns(win, { pid: 4242, socketPath: PIPE }, p)).toEqual({ alive: true });
  });

  it('is stale when the pid is gone, without listing pipes', () => {
    let listed = false;
    const p = probes({ processExists: () => false, listPipes: () => ((listed = true), []) });
    expect(publisherRuns(win, { pid: 4242, socketPath: PIPE }, p).alive).toBe(false);
    expect(listed).toBe(false);
  });

  it('falls back to the pid when the pipes cannot be listed', () => {
    expect(publisherRuns(win, { pid: 4242, socketPath: PIPE }, probes({ listPipes: () => undefined }))).toEqual({ alive: true });
  });

  it('records no start time (the pipe is the proof)', () => {
    expect(processStartIdentity(win, 4242, probes({ readText: () => 'x', run: () => 'y' }))).toBeUndefined();
  });
});

describe('publisherRuns on macOS (start time from ps)', () => {
  const mac = platformFor('darwin');

  it('compares the start time ps prints for the pid with the recorded one', () => {
    const p = probes({ run: (file, args) => (file === 'ps' && args.join(' ') === '-o lstart= -p 501' ? 'Tue Nov 25  9:00:01 2026\n' : undefined) });
    const recorded = processStartIdentity(mac, 501, p);
    expect(recorded).toBe('Tue Nov 25 9:00:01 2026');
    expect(publisherRuns(mac, { pid: 501, processStart: recorded, socketPath: '/x/host.sock' }, p)).toEqual({ alive: true });
    expect(publisherRuns(mac, { pid: 501, processStart: 'Mon Nov 24 8:00:00 2026', socketPath: '/x/host.sock' }, p).alive).toBe(false);
  });
});

describe.runIf(currentPlatform().os === 'linux')('on Linux, for real (Linux-only: /proc)', () => {
  const linux = platformFor('linux');
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it("reads a process's start identity from /proc (boot id and start ticks), the same every time", () => {
    const me = processStartIdentity(linux, process.pid);
    expect(me).toMatch(/^[0-9a-f-]{36}:\d+$/);
    expect(processStartIdentity(linux, process.pid)).toBe(me);
  });

  it('a live but unrelated pid (a spawned sleep) is not taken for the process that recorded another start', async () => {
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((resolve) => child?.once('spawn', resolve));
    const pid = child.pid!;
    const own = processStartIdentity(linux, pid);
    expect(own).toBeDefined();
    expect(publisherRuns(linux, { pid, processStart: own, socketPath: '/x/host.sock' }, systemProbes)).toEqual({ alive: true });
    const recordedByAnother = processStartIdentity(linux, process.pid);
    const live = publisherRuns(linux, { pid, processStart: recordedByAnother, socketPath: '/x/host.sock' }, systemProbes);
    expect(live.alive).toBe(false);
    if (!live.alive) expect(live.why).toContain(`pid ${pid} is another process now`);
  });

  it('counts fields after the last parenthesis (a command name may hold spaces and parentheses)', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    const stat = `77 (a) b (c) ${fields.join(' ')}\n`;
    const p = probes({ readText: (f) => (f === '/proc/77/stat' ? stat : f.endsWith('boot_id') ? 'boot\n' : undefined) });
    expect(processStartIdentity(linux, 77, p)).toBe('boot:22');
  });

  it('judges a record without a start time (an older host.json) by the pid alone', () => {
    expect(publisherRuns(linux, { pid: process.pid, socketPath: '/x/host.sock' }, systemProbes)).toEqual({ alive: true });
  });
});

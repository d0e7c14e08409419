import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../common/events.js';
import { Emitter } from '../core/events/Emitter.js';
import { TerminalFeeds, type TerminalSource } from './TerminalFeeds.js';

// Units with fakes for the bus and the shell; the real path (pwsh, HTTP, the dashboard) is in
// main/core/shell/terminalData.test.ts and e2e/terminal.spec.ts.

function setup(capacity = 1024, batchMs = 5) {
  const bus = new Emitter<PoshpoolEvent>();
  const shells = new Map<string, Emitter<string>>();
  const feeds = new TerminalFeeds({ onEvent: bus.event }, (id): TerminalSource | undefined => {
    const shell = shells.get(id);
    return shell ? { onTerminalData: shell.event } : undefined;
  }, capacity, batchMs);
  const start = (sessionId: string): Emitter<string> => {
    const shell = new Emitter<string>();
    shells.set(sessionId, shell);
    bus.fire({ type: 'session.started', sessionId, clientId: 'c1', pid: 1, kind: 'session', time: 0 });
    return shell;
  };
  const command = (sessionId: string, text: string): void =>
    bus.fire({ type: 'command.started', sessionId, clientId: 'c1', seq: 1, command: text, commandChars: text.length, jobId: null, time: 0 });
  const end = (sessionId: string): void => bus.fire({ type: 'session.ended', sessionId, clientId: 'c1', reason: 'ended', detail: 'ended by its client', time: 0 });
  return { feeds, start, command, end, bus };
}

describe('TerminalFeeds', () => {
  it('keeps a session\'s output from its start, with a prompt line per command', async () => {
    const { feeds, start, command } = setup();
    const shell = start('s1');
    command('s1', 'Get-Date\nGet-Item .');
    shell.fire('output\r\n');
    const r = await feeds.read('s1', 0, 0);
    expect(r).toMatchObject({ ok: true, reset: false, ended: false });
    if (!r.ok) return;
    expect(r.data).toContain('PS>');
    expect(r.data).toContain('Get-Date\r\n>> Get-Item .\r\n');
    expect(r.data.endsWith('output\r\n')).toBe(true);
    expect(r.next).toBe(r.data.length);
  });

  it('says how a command ended where it did not succeed (cancelled, exit code), on a line of its own', async () => {
    const { feeds, start, bus } = setup();
    const shell = start('s1');
    const finished = (status: 'completed' | 'cancelled', success: boolean, exitCode: number | null): void =>
      bus.fire({ type: 'command.finished', sessionId: 's1', clientId: 'c1', seq: 1, status, exitCode, success, durationMs: 1, outputBytes: 1, jobId: null, time: 0 });
    shell.fire('tick-1');
    finished('cancelled', false, null);
    finished('completed', true, 0);
    shell.fire('boom\r\n');
    finished('completed', false, 3);
    const r = await feeds.read('s1', 0, 0);
    expect(r.ok && r.data).toBe('tick-1\r\n\x1b[2m[cancelled]\x1b[0m\r\nboom\r\n\x1b[2m[failed, exit code 3]\x1b[0m\r\n');
  });

  it('answers a waiting read when output arrives, with the whole burst in one answer', async () => {
    const { feeds, start } = setup(1024, 30);
    const shell = start('s1');
    const pending = feeds.read('s1', 0, 10_000);
    shell.fire('a');
    setTimeout(() => shell.fire('b'), 5);
    const r = await pending;
    expect(r).toMatchObject({ ok: true, data: 'ab', next: 2 });
  });

  it('answers with nothing new when the wait runs out', async () => {
    const { feeds, start } = setup();
    start('s1');
    expect(await feeds.read('s1', 0, 20)).toMatchObject({ ok: true, data: '', next: 0, reset: false });
  });

  it('resyncs a reader that fell behind the kept window instead of keeping more', async () => {
    const { feeds, start } = setup(100);
    const shell = start('s1');
    for (let i = 0; i < 50; i++) shell.fire(`line ${i}\r\n`);
    const r = await feeds.read('s1', 5, 0);
    expect(r).toMatchObject({ ok: true, reset: true });
    if (r.ok) expect(r.data.length).toBeLessThanOrEqual(100);
  });

  it('says a session ended, wakes its waiting reads, and keeps its screen readable', async () => {
    const { feeds, start, end } = setup();
    start('s1');
    const pending = feeds.read('s1', 0, 10_000);
    end('s1');
    const r = await pending;
    expect(r).toMatchObject({ ok: true, ended: true });
    if (r.ok) expect(r.data).toContain('session ended: ended by its client');
  });

  it('refuses an unknown session and bad cursors with the reason', async () => {
    const { feeds, start } = setup();
    start('s1');
    expect(await feeds.read('nope', 0, 0)).toMatchObject({ ok: false, reason: expect.stringContaining('No terminal for session "nope"') });
    expect(await feeds.read('s1', -1, 0)).toMatchObject({ ok: false, reason: expect.stringContaining('since must be a whole number') });
  });

  it('answers waiting reads at once when disposed', async () => {
    const { feeds, start } = setup();
    start('s1');
    const pending = feeds.read('s1', 0, 10_000);
    feeds.dispose();
    expect(await pending).toMatchObject({ ok: true, data: '' });
  });
});

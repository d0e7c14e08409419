import { describe, expect, it } from 'vitest';
import type { CommandResult, PwshError } from '../../../common/shell.js';
import { CommandHistory, DEFAULT_HISTORY_LIMITS } from './CommandHistory.js';

function result(seq: number, over: Partial<CommandResult> = {}): CommandResult {
  return {
    seq,
    status: 'completed',
    output: `out ${seq}`,
    errors: [],
    errorCount: 0,
    exitCode: 0,
    success: true,
    cwd: '/tmp',
    durationMs: 12,
    truncated: false,
    outputBytes: 5,
    outputRef: null,
    sessionAlive: true,
    ...over,
  };
}

const boom: PwshError = { message: 'boom', fullyQualifiedErrorId: 'X', category: 'NotSpecified', exceptionType: 'System.Exception', targetName: '', position: 'At line:1 char:1', scriptStackTrace: '' };

function run(h: CommandHistory, sessionId: string, seq: number, at: number, over: Partial<CommandResult> = {}, command = `cmd ${seq}`): void {
  h.commandStarted({ sessionId, clientId: `client-of-${sessionId}`, seq, command, jobId: null, startedAt: at });
  h.commandFinished(sessionId, seq, result(seq, over));
}

describe('CommandHistory', () => {
  it('records a running command, then its result, oldest first', () => {
    const h = new CommandHistory();
    h.commandStarted({ sessionId: 's1', clientId: 'c', seq: 1, command: 'Get-Date', jobId: null, startedAt: 1000 });
    expect(h.session('s1')!.commands[0]).toMatchObject({ seq: 1, command: 'Get-Date', status: 'running', success: null, durationMs: null, exitCode: null });
    h.commandFinished('s1', 1, result(1, { status: 'completed', success: false, exitCode: 3, errorCount: 2, errors: [boom], durationMs: 40, output: 'x' }));
    run(h, 's1', 2, 2000);
    const s = h.session('s1')!;
    expect(s.commands.map((c) => c.seq)).toEqual([1, 2]);
    expect(s.commands[0]).toMatchObject({ status: 'completed', success: false, exitCode: 3, errorCount: 2, durationMs: 40, clientId: 'c' });
    expect(s.commands[0]).not.toHaveProperty('output');
    expect(h.entry('s1', 1)).toMatchObject({ output: 'x', errors: [boom], paged: false });
  });

  it('keeps the last commandsPerSession commands of a session and counts the dropped ones', () => {
    const h = new CommandHistory({ limits: { commandsPerSession: 3 } });
    for (let seq = 1; seq <= 5; seq++) run(h, 's1', seq, seq * 1000);
    const s = h.session('s1')!;
    expect(s.commands.map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(s.dropped).toBe(2);
    expect(h.entry('s1', 1)).toBeUndefined();
  });

  it('defaults to the last 200 commands per session', () => {
    expect(DEFAULT_HISTORY_LIMITS.commandsPerSession).toBe(200);
    const h = new CommandHistory();
    for (let seq = 1; seq <= 205; seq++) run(h, 's1', seq, seq);
    expect(h.session('s1')!.commands).toHaveLength(200);
    expect(h.session('s1')!.commands[0]!.seq).toBe(6);
  });

  it('keeps an ended session readable, with when and why it ended', () => {
    const h = new CommandHistory();
    run(h, 's1', 1, 1000);
    h.sessionEnded('s1', 'reclaimed', 5000);
    expect(h.session('s1')).toMatchObject({ ended: { at: 5000, reason: 'reclaimed' }, commands: [{ seq: 1 }] });
  });

  it('keeps at most endedSessions ended sessions, the longest ended going first; lent ones stay', () => {
    const h = new CommandHistory({ limits: { endedSessions: 2 } });
    for (const id of ['a', 'b', 'c', 'live']) run(h, id, 1, 1000);
    h.sessionEnded('a', 'ended', 1);
    h.sessionEnded('b', 'ended', 2);
    h.sessionEnded('c', 'ended', 3);
    expect(h.session('a')).toBeUndefined();
    expect(h.session('b')).toBeDefined();
    expect(h.session('c')).toBeDefined();
    expect(h.session('live')).toBeDefined();
  });

  it('a session that ran nothing leaves no history', () => {
    const h = new CommandHistory();
    h.sessionEnded('quiet', 'ended', 1);
    expect(h.session('quiet')).toBeUndefined();
    expect(h.stats().sessions).toBe(0);
  });

  it('bounds the total size: ended sessions go first, then the oldest commands anywhere, never the newest', () => {
    const big = 'x'.repeat(10_000); // 20 kB as counted
    const h = new CommandHistory({ limits: { totalBytes: 70_000 } });
    run(h, 'ended', 1, 100, { output: big });
    h.sessionEnded('ended', 'ended', 150);
    run(h, 'a', 1, 200, { output: big });
    run(h, 'b', 1, 300, { output: big });
    expect(h.session('ended')).toBeDefined();
    run(h, 'a', 2, 400, { output: big });
    // Over 70 kB with four: the ended session went.
    expect(h.session('ended')).toBeUndefined();
    expect(h.stats().commands).toBe(3);
    run(h, 'b', 2, 500, { output: big });
    // Still over: the oldest command of any lent session (a's first) went.
    expect(h.session('a')!.commands.map((c) => c.seq)).toEqual([2]);
    expect(h.session('a')!.dropped).toBe(1);
    expect(h.stats().bytes).toBeLessThanOrEqual(70_000);
    const lone = new CommandHistory({ limits: { totalBytes: 10 } });
    run(lone, 's', 1, 1, { output: big });
    expect(lone.entry('s', 1)?.output).toBe(big);
  });

  it('cuts a long command to commandChars and keeps its whole length', () => {
    const h = new CommandHistory({ limits: { commandChars: 10 } });
    run(h, 's', 1, 1, {}, 'Write-Output 0123456789');
    expect(h.session('s')!.commands[0]).toMatchObject({ command: 'Write-Outp', commandChars: 23 });
  });

  it('lists the newest commands of all sessions first', () => {
    const h = new CommandHistory();
    run(h, 'a', 1, 100);
    run(h, 'b', 1, 300);
    run(h, 'a', 2, 200);
    expect(h.recent(2).map((c) => `${c.sessionId}:${c.seq}`)).toEqual(['b:1', 'a:2']);
  });

  it('reads pages of a truncated output through its reference, and says why when there are none', () => {
    const reads: [string, number][] = [];
    const h = new CommandHistory({
      readPage: (ref, page) => {
        reads.push([ref, page]);
        return { ok: true, page: { ref, page, pages: 2, text: 'p', totalBytes: 9 } };
      },
    });
    run(h, 's', 1, 1, { truncated: true, outputRef: 'out-0123456789abcdef', outputBytes: 9 });
    expect(h.entry('s', 1)!.paged).toBe(true);
    expect(h.readPage('s', 1, 1)).toMatchObject({ ok: true, page: { page: 1, pages: 2 } });
    expect(reads).toEqual([['out-0123456789abcdef', 1]]);
    run(h, 's', 2, 2);
    expect(h.readPage('s', 2, 0)).toEqual({ ok: false, reason: 'Command 2 of session "s" has no pages: its whole output is shown inline.' });
    expect(h.readPage('s', 9, 0)).toMatchObject({ ok: false, reason: expect.stringContaining('No command 9') });
  });

  it('records a command whose run failed before a result', () => {
    const h = new CommandHistory();
    h.commandStarted({ sessionId: 's', clientId: 'c', seq: 1, command: 'x', jobId: 'job-1', startedAt: 1000 });
    h.commandFailed('s', 1, 'pwsh went away', 1500);
    expect(h.session('s')!.commands[0]).toMatchObject({ status: 'sessionEnded', success: false, durationMs: 500, message: 'pwsh went away', jobId: 'job-1' });
  });
});

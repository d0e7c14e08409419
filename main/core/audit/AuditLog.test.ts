import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onLinux, onPosix } from '../../../test/platformGates.js';
import { AuditLog, DEFAULT_AUDIT_MAX_COMMAND_CHARS, type AuditEntry, type AuditLogOptions } from './AuditLog.js';

let root: string;
let file: string;
const logs: AuditLog[] = [];

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'poshpool-audit-test-'));
  file = path.join(root, 'logs', 'audit.jsonl');
});

afterEach(() => {
  for (const log of logs.splice(0)) log.dispose();
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

function makeLog(options: Partial<AuditLogOptions> = {}): AuditLog {
  let tick = 0;
  const log = new AuditLog({ file, maxBytes: 1_000_000, maxFiles: 3, now: () => T0 + 1000 * tick++, ...options });
  logs.push(log);
  return log;
}

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { client: 'claude-1', session: 's-1', command: 'Get-ChildItem', exitCode: 0, status: 'completed', durationMs: 12.5, outputBytes: 340, ...overrides };
}

/** The lines of a log file, each parsed; fails when a line is not a complete JSON object. */
function linesOf(p: string): Record<string, unknown>[] {
  const text = readFileSync(p, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const value: unknown = JSON.parse(line);
      expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
      return value as Record<string, unknown>;
    });
}

/** Descriptors of this process open on a path (Linux /proc). */
function openDescriptorsOn(p: string): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === p;
    } catch {
      return false; // closed between the listing and the readlink
    }
  });
}

function modeOf(p: string): number {
  return statSync(p).mode & 0o777;
}

describe('AuditLog lines', () => {
  it('writes one JSON line per command with the time, in a fixed field order', () => {
    const log = makeLog();
    log.record(entry());
    log.record(entry({ client: 'cursor', session: 's-2', command: 'exit 3', exitCode: null, status: 'sessionEnded', durationMs: 2, outputBytes: 0 }));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      '{"time":"2025-01-02T03:04:05.678Z","client":"claude-1","session":"s-1","command":"Get-ChildItem","exitCode":0,"status":"completed","durationMs":12.5,"outputBytes":340}\n' +
        '{"time":"2025-01-02T03:04:06.678Z","client":"cursor","session":"s-2","command":"exit 3","exitCode":null,"status":"sessionEnded","durationMs":2,"outputBytes":0}\n',
    );
    expect(log.errors).toBe(0);
  });

  it('keeps every line a complete JSON object whatever the command holds', () => {
    const log = makeLog();
    const commands = [
      'Write-Output "a"\nWrite-Output "b"',
      "@'\r\nhere-string\r\n'@",
      'echo `"quoted`" \\ back\\slash',
      '\u0000\u0001\u001b[31mred\u001b[0m\u007f',
      'line\u2028separator\u2029paragraph',
      'emoji 😀 and lone \ud800 surrogate and \udc00',
      '{"looks":"like json"}\n{"time":"fake"}',
      '',
    ];
    for (const command of commands) log.record(entry({ command }));
    const lines = linesOf(file);
    expect(lines.map((l) => l.command)).toEqual(commands);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(commands.length + 1);
  });

  it('caps the command at 4096 characters by default and flags it', () => {
    const log = makeLog();
    log.record(entry({ command: 'x'.repeat(DEFAULT_AUDIT_MAX_COMMAND_CHARS) }));
    log.record(entry({ command: 'y'.repeat(5000) }));
    const [exact, long] = linesOf(file);
    expect(exact?.command).toBe('x'.repeat(4096));
    expect(exact).not.toHaveProperty('commandTruncated');
    expect(exact).not.toHaveProperty('commandChars');
    expect(long?.command).toBe('y'.repeat(4096));
    expect(long?.commandTruncated).toBe(true);
    expect(long?.commandChars).toBe(5000);
    expect(Object.keys(long ?? {})).toEqual(['time', 'client', 'session', 'command', 'commandTruncated', 'commandChars', 'exitCode', 'status', 'durationMs', 'outputBytes']);
  });

  it('takes a configured cap and never cuts a surrogate pair in half', () => {
    const log = makeLog({ maxCommandChars: 5 });
    log.record(entry({ command: 'abcd😀efg' })); // the emoji is code units 4 and 5
    log.record(entry({ command: 'abc😀efg' })); // the emoji is code units 3 and 4
    const [first, second] = linesOf(file);
    expect(first).toMatchObject({ command: 'abcd', commandTruncated: true, commandChars: 9 });
    expect(second).toMatchObject({ command: 'abc😀', commandTruncated: true, commandChars: 8 });
  });

  it('appends to the file of an earlier run', () => {
    const first = makeLog();
    first.record(entry({ command: 'one' }));
    first.dispose();
    const second = makeLog();
    second.record(entry({ command: 'two' }));
    expect(linesOf(file).map((l) => l.command)).toEqual(['one', 'two']);
  });

  it('starts a new line after a partial line left by a crash', () => {
    mkdirSync(path.dirname(file));
    writeFileSync(file, '{"time":"2024-01-01T00:00:00.000Z","client":"a","comm');
    const log = makeLog();
    log.record(entry({ command: 'after crash' }));
    log.record(entry({ command: 'next' }));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('{"time":"2024-01-01T00:00:00.000Z","client":"a","comm');
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ command: 'after crash' });
    expect(JSON.parse(lines[2] ?? '')).toMatchObject({ command: 'next' });
    expect(lines).toHaveLength(4);
  });

  it('opens a new file when the current one is deleted under it', () => {
    const log = makeLog();
    log.record(entry({ command: 'before' }));
    rmSync(file);
    log.record(entry({ command: 'after' }));
    expect(linesOf(file).map((l) => l.command)).toEqual(['after']);
    expect(log.errors).toBe(0);
  });
});

describe.runIf(onPosix)('AuditLog permissions (POSIX-only: file modes; Windows uses an ACL)', () => {
  it('creates the directory 0700 and the file 0600', () => {
    makeLog().record(entry());
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
  });

  it('tightens an existing file made with looser permissions', () => {
    mkdirSync(path.dirname(file));
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    makeLog().record(entry());
    expect(modeOf(file)).toBe(0o600);
  });

  it('keeps rotated files and the fresh file user-only', () => {
    const log = makeLog({ maxBytes: 300 });
    for (let i = 0; i < 4; i++) log.record(entry({ command: `c${i}` }));
    const names = readdirSync(path.dirname(file)).sort();
    expect(names).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.3.jsonl', 'audit.jsonl']);
    for (const name of names) expect(modeOf(path.join(path.dirname(file), name))).toBe(0o600);
  });
});

describe('AuditLog rotation', () => {
  /** Size of one line of entry({command}) with the default fields. */
  const lineBytes = (command: string): number => Buffer.byteLength(`${JSON.stringify({ time: new Date(T0).toISOString(), ...entry({ command }) })}\n`);

  it('rotates before a line would take the file past maxBytes, keeping maxFiles rotated files', () => {
    const size = lineBytes('cmd-00');
    const log = makeLog({ maxBytes: size * 2, maxFiles: 2 });
    for (let i = 0; i < 9; i++) log.record(entry({ command: `cmd-0${i}` }));
    const dir = path.dirname(file);
    expect(readdirSync(dir).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    expect(linesOf(path.join(dir, 'audit.2.jsonl')).map((l) => l.command)).toEqual(['cmd-04', 'cmd-05']);
    expect(linesOf(path.join(dir, 'audit.1.jsonl')).map((l) => l.command)).toEqual(['cmd-06', 'cmd-07']);
    expect(linesOf(file).map((l) => l.command)).toEqual(['cmd-08']);
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).size).toBeLessThanOrEqual(size * 2);
    expect(log.errors).toBe(0);
  });

  it('fills a file exactly to maxBytes before rotating', () => {
    const size = lineBytes('a');
    const log = makeLog({ maxBytes: size * 3 });
    for (let i = 0; i < 3; i++) log.record(entry({ command: 'a' }));
    expect(statSync(file).size).toBe(size * 3);
    expect(existsSync(path.join(path.dirname(file), 'audit.1.jsonl'))).toBe(false);
    log.record(entry({ command: 'a' }));
    expect(statSync(path.join(path.dirname(file), 'audit.1.jsonl')).size).toBe(size * 3);
    expect(statSync(file).size).toBe(size);
  });

  it('counts the size of a file left by an earlier run', () => {
    mkdirSync(path.dirname(file));
    writeFileSync(file, `${'{}\n'.repeat(100)}`);
    const log = makeLog({ maxBytes: 400 });
    log.record(entry());
    expect(readFileSync(path.join(path.dirname(file), 'audit.1.jsonl'), 'utf8')).toBe('{}\n'.repeat(100));
    expect(linesOf(file)).toHaveLength(1);
  });

  it('writes a line bigger than maxBytes alone in a fresh file', () => {
    const log = makeLog({ maxBytes: 200, maxCommandChars: 1000 });
    log.record(entry({ command: 'small' }));
    log.record(entry({ command: 'z'.repeat(1000) }));
    log.record(entry({ command: 'after' }));
    const dir = path.dirname(file);
    expect(linesOf(path.join(dir, 'audit.2.jsonl')).map((l) => l.command)).toEqual(['small']);
    expect(linesOf(path.join(dir, 'audit.1.jsonl')).map((l) => l.command)).toEqual(['z'.repeat(1000)]);
    expect(linesOf(file).map((l) => l.command)).toEqual(['after']);
  });

  it('deletes rotated files beyond maxFiles left by a run with a larger limit', () => {
    const dir = path.dirname(file);
    mkdirSync(dir);
    for (const n of [1, 2, 3, 4, 7]) writeFileSync(path.join(dir, `audit.${n}.jsonl`), `{"old":${n}}\n`);
    writeFileSync(path.join(dir, 'audit.x.jsonl'), 'not ours\n');
    writeFileSync(file, '{"old":0}\n');
    const log = makeLog({ maxBytes: 20, maxFiles: 2 });
    log.record(entry());
    expect(readdirSync(dir).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl', 'audit.x.jsonl']);
    expect(readFileSync(path.join(dir, 'audit.1.jsonl'), 'utf8')).toBe('{"old":0}\n');
    expect(readFileSync(path.join(dir, 'audit.2.jsonl'), 'utf8')).toBe('{"old":1}\n');
  });

  it('names rotated files of a file without an extension name.N', () => {
    file = path.join(root, 'audit');
    const log = makeLog({ maxBytes: 10 });
    log.record(entry({ command: 'a' }));
    log.record(entry({ command: 'b' }));
    expect(readdirSync(root).sort()).toEqual(['audit', 'audit.1']);
    expect(linesOf(path.join(root, 'audit.1'))[0]?.command).toBe('a');
  });

  it('keeps the entry in the current file when rotation fails, and counts the failure', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = path.dirname(file);
    mkdirSync(path.join(dir, 'audit.1.jsonl', 'blocker'), { recursive: true });
    const log = makeLog({ maxBytes: 10, maxFiles: 1 });
    log.record(entry({ command: 'a' }));
    log.record(entry({ command: 'b' }));
    expect(linesOf(file).map((l) => l.command)).toEqual(['a', 'b']);
    expect(log.errors).toBe(1);
    expect(stderr).toHaveBeenCalledTimes(1);
  });
});

describe('AuditLog failures and disposal', () => {
  it('counts a write failure instead of throwing, reports it once, and recovers', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    writeFileSync(path.join(root, 'logs'), 'a file where the directory should be');
    const log = makeLog();
    expect(() => log.record(entry())).not.toThrow();
    expect(() => log.record(entry())).not.toThrow();
    expect(log.errors).toBe(2);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(new RegExp(`^poshpool: audit log ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be written \\(.*E(EXIST|NOTDIR).*\\); further audit errors are only counted\\.\\n$`));

    rmSync(path.join(root, 'logs'));
    log.record(entry({ command: 'recovered' }));
    expect(linesOf(file).map((l) => l.command)).toEqual(['recovered']);
    expect(log.errors).toBe(2);
    expect(stderr).toHaveBeenCalledTimes(1);
  });

  it.runIf(onLinux)('holds one descriptor on the file while open and none after dispose (Linux-only: reads /proc/self/fd)', () => {
    const log = makeLog();
    expect(openDescriptorsOn(file)).toEqual([]);
    log.record(entry());
    log.record(entry());
    expect(openDescriptorsOn(file)).toHaveLength(1);
    log.dispose();
    expect(openDescriptorsOn(file)).toEqual([]);
    log.dispose();
    expect(log.errors).toBe(0);
  });

  it.runIf(onLinux)('holds only the current file open across rotations (Linux-only: reads /proc/self/fd)', () => {
    const log = makeLog({ maxBytes: 10, maxFiles: 2 });
    for (let i = 0; i < 5; i++) log.record(entry());
    const dir = path.dirname(file);
    expect(openDescriptorsOn(file)).toHaveLength(1);
    expect(openDescriptorsOn(path.join(dir, 'audit.1.jsonl'))).toEqual([]);
    expect(openDescriptorsOn(path.join(dir, 'audit.2.jsonl'))).toEqual([]);
    log.dispose();
    expect(openDescriptorsOn(file)).toEqual([]);
  });

  it('drops and counts a record after dispose', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = makeLog();
    log.record(entry({ command: 'kept' }));
    log.dispose();
    expect(() => log.record(entry({ command: 'late' }))).not.toThrow();
    expect(log.errors).toBe(1);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('record() called after dispose()');
    expect(linesOf(file).map((l) => l.command)).toEqual(['kept']);
  });

  it.runIf(onLinux)('opens no descriptor for a record after dispose (Linux-only: reads /proc/self/fd)', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = makeLog();
    log.record(entry({ command: 'kept' }));
    log.dispose();
    log.record(entry({ command: 'late' }));
    expect(openDescriptorsOn(file)).toEqual([]);
  });

  it('touches nothing on disk until the first record', () => {
    const log = makeLog();
    expect(existsSync(path.dirname(file))).toBe(false);
    log.dispose();
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('rejects impossible limits when made', () => {
    expect(() => new AuditLog({ file, maxBytes: 0, maxFiles: 1 })).toThrow(RangeError);
    expect(() => new AuditLog({ file, maxBytes: 100, maxFiles: 0 })).toThrow('maxFiles must be a whole number of at least 1, not 0');
    expect(() => new AuditLog({ file, maxBytes: 100, maxFiles: 1.5 })).toThrow(RangeError);
    expect(() => new AuditLog({ file, maxBytes: 100, maxFiles: 1, maxCommandChars: 0 })).toThrow(RangeError);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/EventBus.js';
import { AuditLog } from './AuditLog.js';
import { subscribeAudit } from './auditSubscriber.js';

describe('subscribeAudit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'poshpool-auditsub-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one line per finished command, with the command from its start event', () => {
    const file = path.join(dir, 'audit.jsonl');
    const bus = new EventBus(() => Date.UTC(2026, 10, 25, 12, 0, 0));
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2, now: () => Date.UTC(2026, 10, 25, 12, 0, 0) });
    const sub = subscribeAudit(bus, log, (id) => (id === 'c2' ? 'claude-code' : undefined));
    const long = 'x'.repeat(4096);
    bus.emit({ type: 'command.started', sessionId: 's1', clientId: 'c1', seq: 1, command: 'Get-Date', commandChars: 8, jobId: null });
    bus.emit({ type: 'command.started', sessionId: 's2', clientId: 'c2', seq: 1, command: long, commandChars: 50_000, jobId: 'j1' });
    bus.emit({ type: 'command.finished', sessionId: 's1', clientId: 'c1', seq: 1, status: 'completed', exitCode: 0, success: true, durationMs: 3.5, outputBytes: 30, jobId: null });
    bus.emit({ type: 'command.finished', sessionId: 's2', clientId: 'c2', seq: 1, status: 'cancelled', exitCode: null, success: false, durationMs: 900, outputBytes: 0, jobId: 'j1' });
    sub.dispose();
    log.dispose();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ time: '2026-11-25T12:00:00.000Z', client: 'c1', session: 's1', command: 'Get-Date', exitCode: 0, status: 'completed', durationMs: 3.5, outputBytes: 30 });
    expect(lines[1]).toMatchObject({ client: 'c2', clientName: 'claude-code', session: 's2', command: long, commandTruncated: true, commandChars: 50_000, status: 'cancelled', exitCode: null });
    expect(lines).toHaveLength(2);
  });
});

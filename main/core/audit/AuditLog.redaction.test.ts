import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { EventBus } from '../events/EventBus.js';
import { AuditLog } from './AuditLog.js';
import { subscribeAudit } from './auditSubscriber.js';
import { Redactor } from './redact.js';

// Defect 7 of issue 14, against real audit files: secrets never reach the file, refused commands do.

const TOKEN = 'Zk3yq8N0pQ4rT6vW9xA2bC5dE7fG1hJ3kL5mN7pQ9rS2tU4vW6xY8zA0bC2dE4fG';
const GH = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-audit-redact-'));
  file = path.join(dir, 'logs', 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lines(): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs commands through the bus and the subscriber, as the core does, into a real file. */
function logCommands(log: AuditLog, commands: { command: string; commandChars?: number }[]): void {
  const bus = new EventBus();
  const sub = subscribeAudit(bus, log);
  commands.forEach(({ command, commandChars }, i) => {
    bus.emit({ type: 'command.started', sessionId: 's1', clientId: 'c1', seq: i + 1, command, commandChars: commandChars ?? command.length, jobId: null });
    bus.emit({ type: 'command.finished', sessionId: 's1', clientId: 'c1', seq: i + 1, status: 'completed', exitCode: 0, success: true, durationMs: 1, outputBytes: 0, jobId: null });
  });
  sub.dispose();
  log.dispose();
}

describe('the audit file holds no secrets', () => {
  it('each common shape is redacted in the file, with its kind named', () => {
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2 });
    const commands = [
      `$env:GITHUB_TOKEN = '${GH}'`,
      'GITHUB_TOKEN=plainsecretvalue gh pr list',
      "$s = ConvertTo-SecureString 'P@ssw0rd!' -AsPlainText -Force",
      'git clone https://ann:hunter22@example.com/r.git',
      "curl -H 'Authorization: Bearer abcdef123456' https://api",
      "New-LocalUser ann -Password 'hunter22'",
      'aws s3 ls # AKIAIOSFODNN7EXAMPLE',
    ];
    logCommands(log, commands.map((command) => ({ command })));
    const text = readFileSync(file, 'utf8');
    for (const secret of [GH, 'plainsecretvalue', 'P@ssw0rd!', 'hunter22', 'abcdef123456', 'AKIAIOSFODNN7EXAMPLE']) expect(text).not.toContain(secret);
    const got = lines();
    expect(got.map((l) => l.redacted)).toEqual([['github-token'], ['secret-assignment'], ['securestring-literal'], ['url-password'], ['authorization'], ['secret-parameter'], ['aws-access-key']]);
    expect(got[3]!.command).toBe('git clone https://ann:«redacted:url-password»@example.com/r.git');
  });

  it('the host token never appears, even in a command that carries it, cut or whole, with the shapes off', () => {
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2, maxCommandChars: 140, redactor: new Redactor({ shapes: false }) });
    log.addSecret(TOKEN);
    const cutAtToken = `${'Write-Output 1; '.repeat(6)}curl -H "Authorization: Bearer ${TOKEN}"`;
    logCommands(log, [
      { command: `Invoke-RestMethod http://127.0.0.1:4100/metrics -Headers @{ Authorization = "Bearer ${TOKEN}" }` },
      // The event carried only the head of a longer command, cut inside the token.
      { command: `echo ${TOKEN.slice(0, 30)}`, commandChars: 5000 },
      // The log's own cut (maxCommandChars 140) falls inside the token.
      { command: cutAtToken },
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.slice(0, 12));
    const got = lines();
    expect(got[0]!.command).toBe('Invoke-RestMethod http://127.0.0.1:4100/metrics -Headers @{ Authorization = "Bearer «redacted:poshpool-token»" }');
    expect(got[1]).toMatchObject({ command: 'echo «redacted:poshpool-token»', commandTruncated: true, commandChars: 5000 });
    expect(got[2]).toMatchObject({ commandTruncated: true, redacted: ['poshpool-token'] });
  });

  it('with auditRedact off only the token goes; extra patterns still apply', () => {
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2, redactor: new Redactor({ shapes: false, extraPatterns: ['ACME-[0-9]{4}'] }) });
    logCommands(log, [{ command: "$env:GITHUB_TOKEN = 'plainsecretvalue'; deploy ACME-1234" }]);
    expect(lines()[0]!.command).toBe("$env:GITHUB_TOKEN = 'plainsecretvalue'; deploy «redacted:custom»");
  });
});

describe('refused commands are logged with their reason', () => {
  it('a refused line names the tool, the session, the command (redacted) and why', () => {
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2, now: () => Date.UTC(2026, 11, 6) });
    log.addSecret(TOKEN);
    log.recordRefused({ client: 'c1', clientName: 'agent', session: 'nope', command: `echo ${TOKEN}`, tool: 'run_command', reason: 'No session "nope" belongs to this client.' });
    log.recordRefused({ client: 'c1', session: null, command: 'Get-Date', tool: 'run_command', reason: 'No session to run on: the queue is full (200 waiting).' });
    log.dispose();
    expect(lines()).toEqual([
      {
        time: '2026-12-06T00:00:00.000Z',
        client: 'c1',
        clientName: 'agent',
        session: 'nope',
        command: 'echo «redacted:poshpool-token»',
        redacted: ['poshpool-token'],
        exitCode: null,
        status: 'refused',
        durationMs: 0,
        outputBytes: 0,
        tool: 'run_command',
        reason: 'No session "nope" belongs to this client.',
      },
      expect.objectContaining({ session: null, command: 'Get-Date', status: 'refused', reason: 'No session to run on: the queue is full (200 waiting).' }),
    ]);
  });

  it.runIf(onPosix)('the audit file is 0600 and its folder 0700 (POSIX-only: modes; Windows: the data dir ACL)', () => {
    const log = new AuditLog({ file, maxBytes: 1 << 20, maxFiles: 2 });
    log.recordRefused({ client: 'c1', session: null, command: 'x', tool: 'run_command', reason: 'r' });
    log.dispose();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });
});

import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ApprovalDecidedBy, ApprovalDecision } from '../../../common/approvals.js';
import type { CommandStatus } from '../../../common/shell.js';
import { Redactor } from './redact.js';

/** One command that ran, as the caller knows it; the log adds the time. */
export interface AuditEntry {
  /** Who asked for the command (MCP client id). */
  client: string;
  /** The name the client gave when it connected, when it gave one (its own word). */
  clientName?: string;
  /** The session that ran it. */
  session: string;
  /** The command text as sent (capped in the log). */
  command: string;
  /** Length of the whole command when `command` is already a cut of it (events carry a cut). */
  commandChars?: number;
  exitCode: number | null;
  status: CommandStatus;
  durationMs: number;
  /** UTF-8 size of the command's whole output. */
  outputBytes: number;
  /** The host it ran on, when not this machine (a config `hosts` name). */
  host?: string;
}

/** A command refused before it ran (queue full, unknown or busy session, bad arguments, refused by the pool). */
export interface RefusedEntry {
  client: string;
  clientName?: string;
  /** The session it was meant for, when one was named or given. */
  session: string | null;
  /** The command text as sent ('' when it was not text). */
  command: string;
  /** The tool that was called (run_command, run_background). */
  tool: string;
  /** Why it was refused, as the caller was told. */
  reason: string;
}

/** A decision on a command that matched an approval rule (it ran only when approved). */
export interface ApprovalEntry {
  client: string;
  clientName?: string;
  session: string;
  /** The command as it was shown for approval. */
  command: string;
  /** Length of the whole command. */
  commandChars: number;
  decision: ApprovalDecision;
  by: ApprovalDecidedBy;
  /** Names of the rules it matched. */
  rules: string[];
  /** Milliseconds from the request to the decision. */
  waitedMs: number;
}

/** One line of the audit log. */
export interface AuditLine {
  /** ISO 8601 time the entry was recorded. */
  time: string;
  client: string;
  clientName?: string;
  /** The session; null on a refused line that named none. */
  session: string | null;
  /** The command, its secrets replaced by «redacted:<kind>» markers (see redact.ts). */
  command: string;
  /** The kinds of secret redacted from `command`, when any. */
  redacted?: string[];
  /** Present (true) when `command` holds only the first maxCommandChars characters. */
  commandTruncated?: true;
  /** Length of the whole command, present when it was truncated. */
  commandChars?: number;
  exitCode: number | null;
  /** How the command ended; `refused`: it never ran (see `reason`); `approval`: a decision on it (see `decision`). */
  status: CommandStatus | 'refused' | 'approval';
  durationMs: number;
  outputBytes: number;
  /** The host the command ran on, when not this machine (a config `hosts` name). */
  host?: string;
  /** On a refused line: the tool called and why it was refused. */
  tool?: string;
  reason?: string;
  /** On an approval line: the decision, who made it, and the rules the command matched. */
  decision?: ApprovalDecision;
  by?: ApprovalDecidedBy;
  rules?: string[];
}

/** Settings of the audit log. */
export interface AuditLogOptions {
  /** The current log file, e.g. <data dir>/audit.jsonl; rotated files are audit.1.jsonl, audit.2.jsonl … */
  file: string;
  /** Size the current file may reach; a line that would go beyond it starts a new file. */
  maxBytes: number;
  /** Rotated files kept (audit.1 … audit.N); older ones are deleted. */
  maxFiles: number;
  /** Characters of a command kept in a line. */
  maxCommandChars?: number;
  /** Clock for the time field, in ms since the epoch. */
  now?: () => number;
  /** What is redacted from commands (default: common secret shapes; add the token with addSecret). */
  redactor?: Redactor;
}

/** Characters of a command kept in the audit log unless configured otherwise. */
export const DEFAULT_AUDIT_MAX_COMMAND_CHARS = 4096;
/** Permissions of audit files: commands may hold secrets, so the user's only. */
export const AUDIT_FILE_MODE = 0o600;
/** Permissions of a directory the audit log creates. */
export const AUDIT_DIR_MODE = 0o700;

const NEWLINE = 0x0a;

/**
 * Append-only JSONL log of every command run, one complete JSON object per line, rotated by size.
 * Writes are synchronous on one descriptor opened for appending. Recording never throws: a failure is
 * counted (`errors`) and the first one is reported on stderr; the next record tries again.
 */
export class AuditLog {
  private readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly maxCommandChars: number;
  private readonly now: () => number;
  private readonly redactor: Redactor;
  private fd: number | undefined;
  /** The current file ends in the middle of a line (a failed write, or a crash in an earlier run). */
  private endsMidLine = false;
  private errorCount = 0;
  private reported = false;
  private disposed = false;

  constructor(options: AuditLogOptions) {
    const maxCommandChars = options.maxCommandChars ?? DEFAULT_AUDIT_MAX_COMMAND_CHARS;
    if (!(options.maxBytes >= 1)) throw new RangeError(`AuditLog maxBytes must be at least 1, not ${options.maxBytes}`);
    if (!Number.isInteger(options.maxFiles) || options.maxFiles < 1) throw new RangeError(`AuditLog maxFiles must be a whole number of at least 1, not ${options.maxFiles}`);
    if (!Number.isInteger(maxCommandChars) || maxCommandChars < 1) throw new RangeError(`AuditLog maxCommandChars must be a whole number of at least 1, not ${maxCommandChars}`);
    this.file = options.file;
    this.maxBytes = options.maxBytes;
    this.maxFiles = options.maxFiles;
    this.maxCommandChars = maxCommandChars;
    this.now = options.now ?? Date.now;
    this.redactor = options.redactor ?? new Redactor();
  }

  /** Redacts `secret` from every later line, whatever the redaction settings (the host's bearer token). */
  addSecret(secret: string): void {
    this.redactor.addSecret(secret);
  }

  /** Failures since the log was made: a line not written, or a rotation that did not happen. */
  get errors(): number {
    return this.errorCount;
  }

  /** Appends one line for a command. Never throws. */
  record(entry: AuditEntry): void {
    this.write(() => this.lineOf(entry));
  }

  /** Appends one line for a command refused before it ran, with why. Never throws. */
  recordRefused(entry: RefusedEntry): void {
    this.write(() => ({
      ...this.headOf(entry, entry.command.length),
      exitCode: null,
      status: 'refused',
      durationMs: 0,
      outputBytes: 0,
      tool: entry.tool,
      reason: this.redactor.redact(entry.reason).text,
    }));
  }

  /** Appends one line for an approval decision. Never throws. */
  recordApproval(entry: ApprovalEntry): void {
    this.write(() => ({
      ...this.headOf(entry, entry.commandChars),
      exitCode: null,
      status: 'approval',
      durationMs: entry.waitedMs,
      outputBytes: 0,
      decision: entry.decision,
      by: entry.by,
      rules: entry.rules,
    }));
  }

  private write(make: () => AuditLine): void {
    if (this.disposed) {
      this.fail(new Error('record() called after dispose()'));
      return;
    }
    try {
      const line = Buffer.from(`${JSON.stringify(make())}\n`, 'utf8');
      let current = this.open();
      if (current.size > 0 && current.size + line.length > this.maxBytes) {
        try {
          this.rotate();
        } catch (e) {
          // Keep the entry in the oversized file rather than lose it; the failure is counted and reported.
          this.fail(e);
        }
        current = this.open();
      }
      this.append(current.fd, this.endsMidLine ? Buffer.concat([Buffer.from('\n'), line]) : line);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Closes the file. Idempotent; later records are dropped and counted as errors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.close();
  }

  /** The fields every line starts with: time, who, where, and the command (redacted, cut). */
  private headOf(entry: { client: string; clientName?: string; session: string | null; command: string }, fullChars: number): Pick<AuditLine, 'time' | 'client' | 'clientName' | 'session' | 'command' | 'redacted' | 'commandTruncated' | 'commandChars'> {
    const { command, ...cut } = this.commandOf(entry.command, Math.max(fullChars, entry.command.length));
    return {
      time: new Date(this.now()).toISOString(),
      client: entry.client,
      ...(entry.clientName !== undefined ? { clientName: entry.clientName } : {}),
      session: entry.session,
      command,
      ...cut,
    };
  }

  private lineOf(entry: AuditEntry): AuditLine {
    return {
      ...this.headOf(entry, entry.commandChars ?? 0),
      exitCode: entry.exitCode,
      status: entry.status,
      durationMs: entry.durationMs,
      outputBytes: entry.outputBytes,
      ...(entry.host === undefined ? {} : { host: entry.host }),
    };
  }

  /**
   * A command as the log keeps it: secrets redacted (on the whole text given, so shapes are seen
   * whole), then cut at maxCommandChars; the end of a cut text loses its last unfinished word.
   */
  private commandOf(given: string, fullChars: number): Pick<AuditLine, 'command' | 'redacted' | 'commandTruncated' | 'commandChars'> {
    const kinds = new Set<string>();
    const first = this.redactor.redact(given, fullChars > given.length);
    for (const k of first.kinds) kinds.add(k);
    let command = first.text;
    const truncated = fullChars > given.length || command.length > this.maxCommandChars;
    if (command.length > this.maxCommandChars) {
      command = command.slice(0, this.maxCommandChars);
      // Do not keep half of a surrogate pair at the cut.
      const last = command.charCodeAt(command.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) command = command.slice(0, -1);
      command = this.redactor.redactCutEnd(command, kinds);
    }
    return {
      command,
      ...(kinds.size > 0 ? { redacted: [...kinds] } : {}),
      ...(truncated ? { commandTruncated: true as const, commandChars: fullChars } : {}),
    };
  }

  /** The current file and its size, (re)opened when not open yet or when the path now names another file. */
  private open(): { fd: number; size: number } {
    if (this.fd !== undefined) {
      const size = this.currentSize(this.fd);
      if (size !== undefined) return { fd: this.fd, size };
      this.close();
    }
    mkdirSync(path.dirname(this.file), { recursive: true, mode: AUDIT_DIR_MODE });
    // 'a+': every write appends; reading is only for the last byte below.
    const fd = openSync(this.file, 'a+', AUDIT_FILE_MODE);
    let size: number;
    try {
      const stat = fstatSync(fd);
      // A file made earlier with looser permissions (or under another umask) is tightened.
      if ((stat.mode & 0o077) !== 0) fchmodSync(fd, AUDIT_FILE_MODE);
      size = stat.size;
      this.endsMidLine = size > 0 && lastByte(fd, size) !== NEWLINE;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
    return { fd, size };
  }

  /** The size of the open file, or undefined when the path now names another file (deleted, or rotated by someone else). */
  private currentSize(fd: number): number | undefined {
    try {
      const atPath = statSync(this.file);
      const held = fstatSync(fd);
      return atPath.ino === held.ino && atPath.dev === held.dev ? held.size : undefined;
    } catch {
      // The path is gone (deleted or moved): a new file is opened there.
      return undefined;
    }
  }

  /** Writes all of a buffer, noting when a failure leaves a partial line behind. */
  private append(fd: number, bytes: Buffer): void {
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } finally {
      if (written === bytes.length) this.endsMidLine = false;
      else if (written > 0) this.endsMidLine = true;
    }
  }

  /** audit.jsonl -> audit.1.jsonl, shifting older files up and deleting those beyond maxFiles. */
  private rotate(): void {
    this.close();
    const { dir, stem, ext } = this.parts();
    const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d+)${escapeRegExp(ext)}$`);
    for (const name of readdirSync(dir)) {
      const n = Number(pattern.exec(name)?.[1] ?? 0);
      if (n >= this.maxFiles) rmSync(path.join(dir, name), { force: true });
    }
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = this.rotatedPath(i);
      try {
        renameSync(from, this.rotatedPath(i + 1));
      } catch (e) {
        // A gap in the numbering (a file deleted by hand) is fine; any other failure is real.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    renameSync(this.file, this.rotatedPath(1));
    this.endsMidLine = false;
  }

  /** Path of the rotated file number n. */
  private rotatedPath(n: number): string {
    const { dir, stem, ext } = this.parts();
    return path.join(dir, `${stem}.${n}${ext}`);
  }

  private parts(): { dir: string; stem: string; ext: string } {
    const ext = path.extname(this.file);
    return { dir: path.dirname(this.file), stem: path.basename(this.file, ext), ext };
  }

  private close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.errorCount++;
    if (this.reported) return;
    this.reported = true;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`poshpool: audit log ${this.file} could not be written (${message}); further audit errors are only counted.\n`);
  }
}

/** The last byte of a file of the given size. */
function lastByte(fd: number, size: number): number | undefined {
  const buf = Buffer.alloc(1);
  return readSync(fd, buf, 0, 1, size - 1) === 1 ? buf[0] : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

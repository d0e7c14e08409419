import path from 'node:path';
import { z } from 'zod';
import { approvalConfigSchema } from '../approval/approvalConfig.js';
import { checkPattern } from '../audit/redact.js';
import { hostsSchema } from '../hosts/hostConfig.js';
import { shellConfigSchema } from './shellConfig.js';

/**
 * poshpool's configuration: config.json in the user's config dir (every field optional). Each
 * field's doc line is its documentation; the defaults are the values shown. Objects are strict: an
 * unknown (often misspelt) field is an issue zod reports, and issues.ts suggests the field meant.
 */
export const configSchema = z.strictObject({
  /** Sessions kept started and ready to lend at all times (the floor; more are started as demand comes, see warmDemandWindowSeconds). */
  warmSessions: z.number().int().min(0).max(64).default(1).describe('Sessions kept warm and ready at all times'),
  /** Sessions lent at once at most; further requests wait in the queue. */
  maxSessions: z.number().int().min(1).max(64).default(5).describe('Sessions lent at once at most'),
  /** A warm session beyond warmSessions (returned by a client, or started for a queue) is ended after this long unused: warm capacity follows demand. */
  warmDemandWindowSeconds: z.number().min(0).default(600).describe('Unused time after which a spare warm session beyond warmSessions is ended (s)'),
  /** Sessions started at once at most; 0 = one per two CPU cores, at least one (a pwsh start keeps about 1.2 cores busy: more at once only slows each, and the first caller waits longer). */
  maxParallelStarts: z.number().int().min(0).max(64).default(0).describe('Sessions started at once at most (0 = one per two cores, at least one)'),
  /** After a warm session is lent, its replacement starts this much later, so the caller's first command does not share the cores with a pwsh start. */
  refillDelayMs: z.number().int().min(0).max(60000).default(1000).describe('Delay before a lent warm session is replaced (ms)'),
  /** A session a client returns is reset (variables, functions, modules, environment, location, jobs, history) and lent again when the reset finds it clean; false = always end it and start a new one. */
  reuseSessions: z.boolean().default(true).describe('Reset and lend again a returned session instead of starting a new one'),
  /** Leases one pwsh process serves (with a reset between each) before it is ended and replaced. */
  sessionReuseLimit: z.number().int().min(1).default(100).describe('Leases one session serves before it is replaced'),
  /** A client's default session (used by run_command without a sessionId) is ended after this long unused; its next call starts a new one. */
  defaultSessionIdleSeconds: z.number().min(1).default(600).describe("Unused time after which a client's default session is ended (s)"),
  /** While requests wait and every slot is lent, a default session unused this long is ended to serve them. */
  defaultSessionYieldSeconds: z.number().min(0).default(5).describe('Unused time after which a default session gives way to waiting requests (s)'),
  /** Requests that may wait at once; beyond it a request is refused at once. */
  maxWaiting: z.number().int().min(0).max(100000).default(200).describe('Requests that may wait in the queue'),
  /** A lent session idle this long is reported as abandoned (once). */
  idleLimitSeconds: z.number().min(1).default(120).describe('Idle time before a session is reported abandoned (s)'),
  /** After being reported abandoned, a session idle this much longer is ended and its slot reused; 0 = never (a client that forgets end_session then holds its slot until it goes away). */
  reclaimAfterSeconds: z.number().min(0).default(600).describe('Further idle time before an abandoned session is ended (s); 0 = never'),
  /** First delay before replacing a session whose start failed; doubles on each further failure. */
  spawnBackoffInitialMs: z.number().int().min(0).default(250).describe('First retry delay after a failed session start (ms)'),
  /** Longest delay between two attempts to start a session. */
  spawnBackoffMaxMs: z.number().int().min(0).default(30000).describe('Longest retry delay after failed session starts (ms)'),
  /** Failed starts (or sessions dying young) within degradedWindowSeconds that put the pool in a degraded state. */
  degradedFailureCount: z.number().int().min(1).default(5).describe('Failures within the window that make the pool degraded'),
  /** Window over which failures are counted for the degraded state. */
  degradedWindowSeconds: z.number().min(1).default(60).describe('Window for counting failures (s)'),
  /** Time a session has to answer the check made before it is lent. */
  validateTimeoutMs: z.number().int().min(100).default(5000).describe('Time limit of the check before lending a session (ms)'),
  /** Weight of the newest hold time in the moving average the ETA uses (0..1); small = steady ETAs (0.2 missed the 25 % target in 21-36 of 100 simulated bursts, 0.05 in 1-4). */
  etaAlpha: z.number().gt(0).max(1).default(0.05).describe('Weight of the newest hold time in the ETA moving average'),
  /** Finished background jobs kept (the oldest are forgotten beyond it). */
  jobRetentionCount: z.number().int().min(1).default(100).describe('Finished background jobs kept'),
  /** Output bytes of finished background jobs kept in all (memory and spill files). */
  jobRetentionBytes: z.number().int().min(1024).default(256 * 1024 * 1024).describe('Output bytes of finished jobs kept'),
  /** Bytes per page when a spilled output is read page by page. */
  outputPageBytes: z.number().int().min(1024).default(64 * 1024).describe('Bytes per page of a spilled output'),
  /** Size at which the audit log is rotated. */
  auditMaxBytes: z.number().int().min(1024).default(10 * 1024 * 1024).describe('Audit log size before rotation (bytes)'),
  /** Rotated audit log files kept. */
  auditMaxFiles: z.number().int().min(1).default(5).describe('Rotated audit log files kept'),
  /** Redact common secret shapes (token formats, secrets in assignments, URLs, Authorization headers, -Password/-Token parameters) from commands in the audit log; the host's own token is redacted whatever this says. */
  auditRedact: z.boolean().default(true).describe('Redact common secret shapes from commands in the audit log (the host token always is)'),
  /** More regular expressions (JavaScript syntax) whose every match is redacted from commands in the audit log, as «redacted:custom». */
  auditRedactPatterns: z
    .array(z.string().refine((p) => checkPattern(p).ok, { message: 'must be a valid regular expression that matches at least one character' }))
    .default([])
    .describe('More regular expressions redacted from commands in the audit log'),
  /** HTTP port of the headless host on 127.0.0.1; 0 = any free port (clients find it in host.json). */
  port: z.number().int().min(0).max(65535).default(0).describe('HTTP port on 127.0.0.1 (0 = any free port)'),
  /** Largest request body the HTTP host accepts. */
  httpMaxBodyBytes: z.number().int().min(1024).default(8 * 1024 * 1024).describe('Largest HTTP request body (bytes)'),
  /** An HTTP MCP session whose client sends nothing and keeps no event stream open this long is ended (its sessions end, its queued requests are removed). */
  httpSessionIdleSeconds: z.number().min(1).default(1800).describe('Quiet time after which an HTTP MCP session without an event stream is ended (s)'),
  /** An HTTP MCP session is ended this long after its client's event stream closed with nothing sent since (a client's close() sends no DELETE). */
  httpStreamGoneSeconds: z.number().min(1).default(60).describe("Quiet time after a client's event stream closed before its HTTP MCP session is ended (s)"),
  /** Folders backed up to git after each burst of changes (absolute paths). */
  watchFolders: z
    .array(z.string().refine((p) => path.isAbsolute(p), { message: 'must be an absolute path' }))
    .default([])
    .describe('Folders backed up to git after each burst of changes (absolute paths)'),
  /** Quiet time after the last change before a folder is backed up. */
  backupQuietSeconds: z.number().min(0.05).default(10).describe('Quiet time after the last change before a backup (s)'),
  /** Longest a folder that never goes quiet waits for its backup. */
  backupMaxDelaySeconds: z.number().min(1).default(300).describe('Longest wait for a backup of a folder that never goes quiet (s)'),
  /** Backups kept per folder by the prune policy (the newest). */
  backupKeepLast: z.number().int().min(1).default(1000).describe('Backups kept per folder (the newest)'),
  /** Backups younger than this are kept by the prune policy even beyond backupKeepLast. */
  backupKeepDays: z.number().min(0).default(30).describe('Backups younger than this many days are kept'),
  /** Delay before a backup that lost a race with a user's commit is tried again. */
  backupRetryMs: z.number().int().min(10).default(1000).describe('Delay before retrying a backup that lost a race (ms)'),
  /** Native notifications of the tray app, each of which can be turned off (from the tray menu too). */
  notifications: z
    .strictObject({
      /** A lent session was left idle past idleLimitSeconds. */
      sessionAbandoned: z.boolean().default(true).describe('Notify when a session is left idle (abandoned)'),
      /** A backup of a watched folder failed. */
      backupFailed: z.boolean().default(true).describe('Notify when a backup of a watched folder fails'),
      /** The pool cannot start sessions (degraded). */
      poolDegraded: z.boolean().default(true).describe('Notify when the pool cannot start sessions'),
      /** A command waits for a person's approval (config approvals.rules). */
      approvalRequested: z.boolean().default(true).describe('Notify when a command waits for your approval'),
    })
    .default({ sessionAbandoned: true, backupFailed: true, poolDegraded: true, approvalRequested: true })
    .describe('Native notifications of the tray app'),
  /** Commands that wait for a person's approval before they run (README: Approval rules). */
  approvals: approvalConfigSchema.default(approvalConfigSchema.parse({})),
  /** Other machines sessions run on, through the system's OpenSSH client (README: Remote hosts). */
  hosts: hostsSchema,
  /** Labels of this machine, for agents that ask for sessions by label (e.g. ["linux", "laptop"]). */
  localLabels: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be 1-64 letters, digits, dots, dashes or underscores' }))
    .default([])
    .describe('Labels of this machine agents can ask for'),
  /** The shell engine. */
  shell: shellConfigSchema.default(shellConfigSchema.parse({})),
});

export type PoshpoolConfig = z.infer<typeof configSchema>;

/** A config with every default, optionally overridden (for tests and embedders). */
export function defaultConfig(overrides: Partial<z.input<typeof configSchema>> = {}): PoshpoolConfig {
  return configSchema.parse(overrides);
}

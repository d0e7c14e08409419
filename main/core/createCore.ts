import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ApprovalGate } from './approval/ApprovalGate.js';
import { AuditLog } from './audit/AuditLog.js';
import { Redactor } from './audit/redact.js';
import { ClientDirectory } from './clients/ClientDirectory.js';
import { learnedFor, loadLearnedHolds, saveLearnedHolds } from './scheduler/etaMemory.js';
import { BackupService } from './backup/BackupService.js';
import { subscribeAudit } from './audit/auditSubscriber.js';
import { LOCAL_HOST, type MetricsSnapshot } from '../../common/scheduler.js';
import type { PoshpoolConfig } from './config/schema.js';
import { EventBus } from './events/EventBus.js';
import { CommandHistory } from './history/CommandHistory.js';
import { JobManager } from './jobs/JobManager.js';
import { OutputStore } from './jobs/OutputStore.js';
import { ShellPool } from './pool/ShellPool.js';
import { HostLanes, type Lane } from './hosts/HostLanes.js';
import { destinationOf } from './hosts/hostConfig.js';
import { findSsh, remoteTarget } from './hosts/sshCommand.js';
import { SessionManager } from './scheduler/SessionManager.js';
import { discoverShell, hostDiscoveryEnv, type ResolvedShell } from './shell/discovery.js';
import { PwshSession } from './shell/PwshSession.js';
import type { ShellFacts } from './shell/markers.js';
import { SessionDirs } from './shell/sessionDirs.js';
import { shellSummary } from './shell/shellSummary.js';
import { currentPlatform } from './platform/Platform.js';

/** How often the learned hold times are saved while running (ms). */
const LEARNED_SAVE_INTERVAL_MS = 60_000;

/** The headless core: everything but the transports, wired once and disposed in reverse. */
export interface Core {
  readonly config: PoshpoolConfig;
  readonly shell: ResolvedShell;
  readonly bus: EventBus;
  readonly store: OutputStore;
  /** This machine's pool. */
  readonly pool: ShellPool<PwshSession>;
  /** The scheduler of every host (this machine and the config's `hosts`), each a lane of its own. */
  readonly manager: HostLanes<PwshSession>;
  readonly jobs: JobManager<PwshSession>;
  readonly audit: AuditLog;
  /** Who the MCP clients are (the names they gave). */
  readonly clients: ClientDirectory;
  /** Backups of the watched folders; call start() to begin watching. */
  readonly backups: BackupService;
  /** Approval rules: commands that wait for a person (config approvals). */
  readonly approvals: ApprovalGate;
  /** Each session's last commands and what came back (the dashboard's history), bounded. */
  readonly history: CommandHistory;
  /** The scheduler's and the backups' figures. */
  metrics(): MetricsSnapshot;
  dispose(): Promise<void>;
}

export interface CoreOptions {
  config: PoshpoolConfig;
  /** Where outputs, session temp files and logs go (created user-only). */
  dataDir: string;
  /** Working directory of new sessions (default: config shell.cwd, else the user's home; never the app's own, e.g. System32 when started at login). */
  cwd?: string;
  /** The config file, named in the error a command denied by an approval rule gets. */
  configFile?: string;
  now?: () => number;
}

/** Finds PowerShell and builds the core. Fails with a clear reason when PowerShell cannot be found. */
export function createCore(options: CoreOptions): { ok: true; core: Core } | { ok: false; reason: string } {
  const { config, dataDir } = options;
  const found = discoverShell(config.shell.path, hostDiscoveryEnv());
  if (!found.ok) return { ok: false, reason: found.reason };
  const shell = found.shell;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(path.join(dataDir, 'sessions'), { recursive: true, mode: 0o700 });
  const sessionDirs = new SessionDirs(path.join(dataDir, 'sessions'));
  const sessionsDir = sessionDirs.dir;
  // What an earlier run left (a crash; a dir an antivirus scan held when its session ended).
  const swept = sessionDirs.sweep();
  const bus = new EventBus(options.now);
  const audit = new AuditLog({
    file: path.join(dataDir, 'logs', 'audit.jsonl'),
    maxBytes: config.auditMaxBytes,
    maxFiles: config.auditMaxFiles,
    redactor: new Redactor({ shapes: config.auditRedact, extraPatterns: config.auditRedactPatterns }),
  });
  const clients = new ClientDirectory(bus, options.now);
  const auditSub = subscribeAudit(bus, audit, (clientId) => clients.get(clientId)?.name);
  const store = new OutputStore({
    dir: path.join(dataDir, 'outputs'),
    pageBytes: config.outputPageBytes,
    // Job retention decides what finished jobs keep; the store's own bound only catches the rest.
    maxEntries: Math.max(1000, config.jobRetentionCount * 4),
    maxTotalBytes: config.jobRetentionBytes * 2,
  });
  // What the sessions' PowerShell said about itself at its first prompt (the latest session's word).
  let facts: ShellFacts | undefined;
  const pool = new ShellPool<PwshSession>({
    ...config,
    bus,
    now: options.now,
    start: async () => {
      const started = await PwshSession.start({ shell, config: config.shell, outputStore: store, tempRoot: sessionsDir, cwd: options.cwd });
      if (started.ok && started.session.facts) facts = started.session.facts;
      return started;
    },
  });
  const platform = currentPlatform();
  const approvals = new ApprovalGate({
    bus,
    config: config.approvals,
    paths: { caseInsensitivePaths: platform.caseInsensitivePaths, separator: platform.path.sep },
    clientName: (clientId) => clients.get(clientId)?.name,
    configHint: options.configFile ?? "poshpool's config.json",
    // Where sessions start when a client says nothing of its own (PwshSession's default).
    defaultWorkspace: options.cwd ?? (config.shell.cwd || homedir()),
    now: options.now,
  });
  const history = new CommandHistory({ readPage: (ref, page) => store.read(ref, page) });
  const learnedBefore = loadLearnedHolds(dataDir);
  const localManager = new SessionManager<PwshSession>({ pool, bus, config, now: options.now, learnedHolds: learnedFor(learnedBefore, LOCAL_HOST), gate: approvals, startDir: options.cwd ?? (config.shell.cwd || homedir()), history, host: LOCAL_HOST });
  const lanes: Lane<PwshSession>[] = [{ name: LOCAL_HOST, kind: 'local', destination: null, labels: config.localLabels, pool, manager: localManager }];
  // Each remote host: its own pool and queue over the system's ssh (absent: its starts fail and say so).
  const sshFile = config.hosts.length > 0 ? findSsh(platform, process.env) : undefined;
  for (const host of config.hosts) {
    const target = sshFile === undefined ? undefined : remoteTarget(host, sshFile);
    const hostPool = new ShellPool<PwshSession>({
      ...config,
      maxSessions: host.maxSessions,
      warmSessions: host.warmSessions,
      // A host that cannot be reached is degraded at its second failure in a row (one retry, a second
      // later), so waiting callers hear why within seconds; one warm session lost to a network blip is not enough.
      degradedFailureCount: 2,
      spawnBackoffInitialMs: Math.max(1000, config.spawnBackoffInitialMs),
      host: host.name,
      bus,
      now: options.now,
      start: async () =>
        target === undefined
          ? { ok: false, reason: 'no OpenSSH client (ssh) was found on PATH; install it (Windows: Settings > Optional features > OpenSSH Client).' }
          : PwshSession.start({ shell, config: config.shell, outputStore: store, tempRoot: sessionsDir, remote: target }),
    });
    const hostManager = new SessionManager<PwshSession>({ pool: hostPool, bus, config, now: options.now, learnedHolds: learnedFor(learnedBefore, host.name), gate: approvals, history, host: host.name });
    lanes.push({ name: host.name, kind: 'ssh', destination: destinationOf(host), labels: host.labels, pool: hostPool, manager: hostManager });
  }
  const manager = new HostLanes(lanes);
  // The learned hold times outlive this run (a crash loses at most one interval of learning).
  const keepLearned = (): void => {
    const learned = manager.learnedHolds();
    if (Object.keys(learned).length === 0) return;
    const saved = saveLearnedHolds(dataDir, learned);
    if (!saved.ok) process.stderr.write(`poshpool: ${saved.reason}\n`);
  };
  const learnedTimer = setInterval(keepLearned, LEARNED_SAVE_INTERVAL_MS);
  learnedTimer.unref();
  const jobs = new JobManager<PwshSession>({ manager, store, bus, settings: config, now: options.now });
  const backups = new BackupService({ settings: config, dataDir, bus, platform, now: options.now });
  let disposing: Promise<void> | undefined;
  const core: Core = {
    config,
    shell,
    bus,
    store,
    pool,
    manager,
    jobs,
    audit,
    clients,
    backups,
    approvals,
    history,
    metrics: () => ({ ...manager.metrics(), backups: backups.metrics(), shell: shellSummary(shell, found.warning, facts), hosts: manager.hosts() }),
    dispose() {
      disposing ??= (async () => {
        clearInterval(learnedTimer);
        // Before the manager ends the lent sessions: holds cut short by the shutdown are not holds.
        keepLearned();
        // Commands waiting for a person are denied first, so their callers are answered before the sessions end.
        approvals.dispose();
        await backups.dispose();
        await manager.dispose();
        await jobs.settled();
        jobs.dispose();
        await Promise.all(manager.all.map((lane) => lane.pool.dispose()));
        await swept;
        await sessionDirs.dispose();
        store.dispose();
        auditSub.dispose();
        audit.dispose();
        bus.dispose();
      })();
      return disposing;
    },
  };
  return { ok: true, core };
}

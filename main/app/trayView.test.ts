import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../common/approvals.js';
import type { HostSummary as ScheduledHost, MetricsSnapshot, SessionInfo } from '../../common/scheduler.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import type { HostSummary } from '../host/process/protocol.js';
import { MENU_APPROVALS_MAX } from './trayApprovals.js';
import { MENU_SESSIONS_MAX, TOOLTIP_MAX_CHARS, trayIconState, trayMenu, trayTooltip, type TrayInput, type TrayMenuItem } from './trayView.js';

const info = { pid: 7, version: '1', startedAt: '', mcpUrl: 'http://127.0.0.1:1/mcp', eventsUrl: '', metricsUrl: '', socketPath: '/s', tokenFile: '/t' };
const up: HostState = { status: 'running', info, dataDir: '/d', pid: 7 };

function session(id: string, command: string | null = null, patch: Partial<SessionInfo> = {}): SessionInfo {
  return { sessionId: id, clientId: 'c', kind: 'session', state: command ? 'running' : 'idle', currentCommand: command, commandStartedAt: command ? 1 : null, cwd: '/', commandCount: 1, lastActivity: 1, lentAt: 1, abandoned: false, pid: 1, ...patch };
}

function summary(sessions: SessionInfo[] = [], m: Partial<MetricsSnapshot> = {}, approvals: ApprovalRequest[] = []): HostSummary {
  return { sessions, clientNames: {}, approvals, metrics: { poolState: 'healthy', poolDegradedReason: '', paused: false, activeSessions: sessions.length, maxSessions: 5, queueDepth: 0, ...m } as MetricsSnapshot };
}

function input(patch: Partial<TrayInput> = {}): TrayInput {
  return {
    host: up,
    summary: summary(),
    startAtLogin: { supported: true, enabled: false },
    notifications: { sessionAbandoned: true, backupFailed: true, poolDegraded: true, approvalRequested: true },
    ...patch,
  };
}

/** The item with this label, searched through submenus. */
function find(items: TrayMenuItem[], label: string | RegExp): TrayMenuItem | undefined {
  for (const item of items) {
    if (item.type === 'separator') continue;
    if (typeof label === 'string' ? item.label === label : label.test(item.label)) return item;
    if (item.type === 'submenu') {
      const inner = find(item.submenu, label);
      if (inner) return inner;
    }
  }
  return undefined;
}

describe('tray icon', () => {
  it('follows the host: idle, busy while commands run, queued while requests wait, degraded when sessions cannot start', () => {
    expect(trayIconState(input())).toBe('idle');
    expect(trayIconState(input({ summary: summary([session('a')]) }))).toBe('idle');
    expect(trayIconState(input({ summary: summary([session('a', 'Start-Sleep 5')]) }))).toBe('busy');
    expect(trayIconState(input({ summary: summary([session('a', 'x')], { queueDepth: 2 }) }))).toBe('queued');
    expect(trayIconState(input({ summary: summary([], { poolState: 'degraded', queueDepth: 2 }) }))).toBe('degraded');
  });

  it('is degraded while the host process restarts or cannot start, idle while it starts', () => {
    expect(trayIconState(input({ host: { status: 'starting' }, summary: undefined }))).toBe('idle');
    expect(trayIconState(input({ host: { status: 'restarting', reason: 'killed', retryInMs: 500, crashes: 1 } }))).toBe('degraded');
    expect(trayIconState(input({ host: { status: 'failed', reason: 'bad config' } }))).toBe('degraded');
  });
});

describe('tray tooltip', () => {
  it('gives the counts', () => {
    expect(trayTooltip(input({ summary: summary([session('a', 'x'), session('b')], { queueDepth: 3 }) }))).toBe('poshpool: 2/5 sessions in use, 1 running, 3 waiting');
    expect(trayTooltip(input({ summary: summary([], { paused: true }) }))).toBe('poshpool: 0/5 sessions in use, new sessions paused');
    expect(trayTooltip(input({ host: { status: 'failed', reason: 'Config file x: maxSessions must be a number' } }))).toBe('poshpool could not start: Config file x: maxSessions must be a number');
  });

  it('is cut to what Windows shows', () => {
    const long = trayTooltip(input({ summary: summary([], { poolState: 'degraded', poolDegradedReason: 'pwsh not found '.repeat(20) }) }));
    expect(long.length).toBe(TOOLTIP_MAX_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('tray menu', () => {
  it('lists each session with terminate (and cancel while a command runs)', () => {
    const menu = trayMenu(input({ summary: summary([session('sess-a', 'Get-ChildItem -Recurse C:\\ | Measure-Object'), session('sess-b', null, { abandoned: true })]) }));
    const sessions = find(menu, 'Sessions (2)');
    expect(sessions?.type).toBe('submenu');
    const a = find(menu, /^sess-a: running Get-ChildItem/);
    const b = find(menu, 'sess-b: idle (abandoned)');
    expect(a?.type === 'submenu' && a.submenu.map((i) => i.type !== 'separator' && i.type !== 'submenu' && i.action)).toEqual([
      { kind: 'cancelCommand', sessionId: 'sess-a' },
      { kind: 'terminateSession', sessionId: 'sess-a' },
    ]);
    expect(b?.type === 'submenu' && b.submenu.map((i) => i.type !== 'separator' && i.type !== 'submenu' && i.action)).toEqual([{ kind: 'terminateSession', sessionId: 'sess-b' }]);
  });

  it('names the client holding each session when it named itself', () => {
    const s = summary([session('sess-a', 'Get-Date')]);
    s.clientNames = { c: 'claude-code' };
    expect(find(trayMenu(input({ summary: s })), 'sess-a (claude-code): running Get-Date')?.type).toBe('submenu');
  });

  it(`shows at most ${MENU_SESSIONS_MAX} sessions and points to the dashboard for the rest`, () => {
    const many = Array.from({ length: MENU_SESSIONS_MAX + 3 }, (_, i) => session(`s${i}`));
    const menu = trayMenu(input({ summary: summary(many) }));
    const list = find(menu, `Sessions (${many.length})`);
    expect(list?.type === 'submenu' && list.submenu).toHaveLength(MENU_SESSIONS_MAX + 1);
    expect(find(menu, '…and 3 more (open the dashboard)')).toMatchObject({ action: { kind: 'openDashboard' } });
  });

  it('pause is a checkbox that flips the current state', () => {
    expect(find(trayMenu(input()), 'Pause new sessions')).toMatchObject({ type: 'checkbox', checked: false, enabled: true, action: { kind: 'setPaused', paused: true } });
    expect(find(trayMenu(input({ summary: summary([], { paused: true }) })), 'Pause new sessions')).toMatchObject({ checked: true, action: { kind: 'setPaused', paused: false } });
  });

  it('has copy config for each client, the folders, notifications, start at login and quit', () => {
    const menu = trayMenu(input({ notifications: { sessionAbandoned: true, backupFailed: false, poolDegraded: true, approvalRequested: false } }));
    for (const client of ['vscode', 'claudeDesktop', 'claudeCode']) {
      expect(JSON.stringify(menu)).toContain(JSON.stringify({ kind: 'copyConfig', client }));
    }
    expect(find(menu, 'Open config folder')).toMatchObject({ action: { kind: 'openConfigFolder' } });
    expect(find(menu, 'Open log folder')).toMatchObject({ action: { kind: 'openLogFolder' } });
    expect(find(menu, 'Backup failed')).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'setNotification', which: 'backupFailed', enabled: true } });
    expect(find(menu, 'A command waits for approval')).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'setNotification', which: 'approvalRequested', enabled: true } });
    expect(find(menu, 'Start at login')).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'setStartAtLogin', enabled: true } });
    expect(menu.at(-1)).toMatchObject({ label: 'Quit poshpool', action: { kind: 'quit' } });
  });

  it('"Connect an agent" has a submenu per client that adds or removes poshpool, also while the host is down', () => {
    for (const menu of [trayMenu(input()), trayMenu(input({ host: { status: 'failed', reason: 'port taken' }, summary: undefined }))]) {
      const connect = find(menu, 'Connect an agent');
      expect(connect).toMatchObject({ type: 'submenu', enabled: true });
      const clients = connect?.type === 'submenu' ? connect.submenu : [];
      expect(clients.map((c) => (c.type === 'separator' ? '' : c.label))).toEqual(['VS Code', 'Claude Desktop', 'Claude Code', 'Cursor', 'GitHub Copilot CLI', 'Codex CLI', 'Windsurf']);
      expect(find(menu, 'Add poshpool to Codex CLI')).toMatchObject({ enabled: true, action: { kind: 'installClient', client: 'codex', action: 'install' } });
      expect(find(menu, 'Remove poshpool from Windsurf')).toMatchObject({ enabled: true, action: { kind: 'installClient', client: 'windsurf', action: 'uninstall' } });
    }
  });

  it('says why start at login is not offered', () => {
    expect(find(trayMenu(input({ startAtLogin: { supported: false, reason: 'only in the installed app' } })), 'Start at login: only in the installed app')).toMatchObject({ enabled: false });
  });

  it('while the host is down: no session actions, copy config disabled, retry after a failed start', () => {
    const failed = trayMenu(input({ host: { status: 'failed', reason: 'port taken' }, summary: undefined }));
    expect(find(failed, 'Sessions: host not running')).toMatchObject({ enabled: false });
    expect(find(failed, 'Pause new sessions')).toMatchObject({ enabled: false });
    expect(find(failed, 'Copy client config')).toMatchObject({ enabled: false });
    expect(find(failed, 'Retry starting poshpool')).toMatchObject({ action: { kind: 'retryHost' } });
    expect(find(trayMenu(input()), 'Retry starting poshpool')).toBeUndefined();
  });
});

function approval(approvalId: string, patch: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    approvalId,
    sessionId: 'pwsh-1',
    clientId: 'c',
    clientName: 'Claude Code',
    command: "Remove-Item -Recurse 'C:\\src\\app\\build'",
    commandChars: 37,
    cwd: 'C:\\src\\app',
    rules: [{ name: 'recursive delete', description: 'Remove-Item with -Recurse', command: 'Remove-Item' }],
    requestedAt: 1,
    expiresAt: 120_001,
    ...patch,
  };
}

describe('commands waiting for approval in the tray', () => {
  it('come first in the menu: the count, then a submenu per request with the command, where, the rule and the three answers', () => {
    const menu = trayMenu(input({ summary: summary([session('pwsh-1', null, { awaitingApproval: true })], {}, [approval('apr_1'), approval('apr_2', { clientName: undefined, command: 'git push --force' })]) }));
    expect(menu[0]).toEqual({ type: 'normal', label: '2 commands wait for approval', enabled: false });
    const first = menu[1]!;
    expect(first).toMatchObject({ type: 'submenu', label: "Claude Code: Remove-Item -Recurse 'C:\\src\\app\\build'", enabled: true });
    const items = first.type === 'submenu' ? first.submenu : [];
    expect(items.map((i) => (i.type === 'separator' ? '—' : i.label))).toEqual([
      "Claude Code wants to run: Remove-Item -Recurse 'C:\\src\\app\\build'",
      'In: C:\\src\\app',
      'Rule: recursive delete (Remove-Item with -Recurse)',
      '—',
      'Approve once',
      'Always for this session',
      'Deny',
      '—',
      'See it whole in the dashboard',
    ]);
    expect(items.filter((i) => i.type === 'normal' && i.action?.kind === 'answerApproval').map((i) => i.type === 'normal' && i.action)).toEqual([
      { kind: 'answerApproval', approvalId: 'apr_1', answer: 'once' },
      { kind: 'answerApproval', approvalId: 'apr_1', answer: 'session' },
      { kind: 'answerApproval', approvalId: 'apr_1', answer: 'deny' },
    ]);
    // A client that gave no name is shown by its id.
    expect(menu[2]).toMatchObject({ type: 'submenu', label: 'c: git push --force' });
    expect(menu[3]).toEqual({ type: 'separator' });
    expect(find(menu, /^pwsh-1: idle \(awaiting approval\)$/)).toBeDefined();
  });

  it('says "1 command", cuts long commands to one line, and shows "&" as "&" (Electron takes a single one as a mnemonic)', () => {
    const long = `& $tool --all\n${'x'.repeat(300)}`;
    const menu = trayMenu(input({ summary: summary([], {}, [approval('apr_1', { command: long })]) }));
    expect(menu[0]).toMatchObject({ label: '1 command waits for approval' });
    const label = menu[1]!.type === 'submenu' ? menu[1]!.label : '';
    expect(label).toMatch(/^Claude Code: && \$tool --all x+…$/);
    const inner = menu[1]!.type === 'submenu' ? menu[1]!.submenu[0]! : undefined;
    expect(inner?.type === 'normal' && inner.label).toMatch(/^Claude Code wants to run: && \$tool --all x{85}…$/);
  });

  it('lists at most MENU_APPROVALS_MAX requests and points to the dashboard for the rest', () => {
    const many = Array.from({ length: MENU_APPROVALS_MAX + 2 }, (_, i) => approval(`apr_${i}`));
    const menu = trayMenu(input({ summary: summary([], {}, many) }));
    expect(menu.filter((i) => i.type === 'submenu' && i.label.startsWith('Claude Code: '))).toHaveLength(MENU_APPROVALS_MAX);
    expect(find(menu, '…and 2 more (open the dashboard)')).toMatchObject({ action: { kind: 'openDashboard' } });
  });

  it('are absent when none waits or the host is down; the icon and tooltip say when some wait', () => {
    expect(find(trayMenu(input()), /^\d+ commands? waits? for approval$/)).toBeUndefined();
    const waiting = input({ summary: summary([], {}, [approval('apr_1')]) });
    expect(trayIconState(waiting)).toBe('queued');
    expect(trayTooltip(waiting)).toBe('poshpool: 1 awaiting approval, 0/5 sessions in use');
    expect(trayMenu(input({ host: { status: 'failed', reason: 'port taken' }, summary: undefined }))[0]).toMatchObject({ label: 'poshpool could not start: port taken' });
  });
});

describe('the PowerShell the sessions run', () => {
  const fallback = {
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    kind: 'powershell' as const,
    version: '5.1.22621.2506',
    edition: 'Desktop',
    languageMode: 'FullLanguage',
    executionPolicy: 'RemoteSigned',
    warnings: ['PowerShell 7 (pwsh) was not found, so sessions run Windows PowerShell 5.1: slower to start, older language and modules. Install PowerShell 7 (winget install Microsoft.PowerShell) or set "shell.path" in the config.'],
  };

  it('says in the tooltip and the menu when Windows PowerShell 5.1 is the fallback', () => {
    const i = input({ summary: summary([], { shell: fallback }) });
    expect(trayTooltip(i)).toBe('poshpool: 0/5 sessions in use, on Windows PowerShell 5.1');
    const warning = find(trayMenu(i), /^⚠ PowerShell 7 \(pwsh\) was not found/);
    expect(warning).toMatchObject({ type: 'normal', enabled: false });
    expect(warning!.type !== 'separator' && warning!.label.length).toBeLessThanOrEqual(162);
  });

  it('says nothing when pwsh 7 runs without warnings', () => {
    const i = input({ summary: summary([], { shell: { ...fallback, kind: 'pwsh', path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', warnings: [] } }) });
    expect(trayTooltip(i)).toBe('poshpool: 0/5 sessions in use');
    expect(find(trayMenu(i), /^⚠/)).toBeUndefined();
  });
});

describe('remote hosts in the tray', () => {
  const refused = '127.0.0.1:2222 refused the connection: no ssh server listens there (check that sshd runs and the port).';
  function lane(patch: Partial<ScheduledHost> & Pick<ScheduledHost, 'name'>): ScheduledHost {
    return {
      kind: 'ssh',
      destination: `${patch.name}.lan`,
      labels: [],
      state: 'healthy',
      degradedReason: '',
      activeSessions: 0,
      maxSessions: 2,
      freeSlots: 2,
      warmSessions: 1,
      startingSessions: 0,
      queueDepth: 0,
      estimatedWaitMs: 0,
      commandsRun: 0,
      commandsFailed: 0,
      restarts: 0,
      ...patch,
    };
  }
  const local = lane({ name: 'local', kind: 'local', destination: null, maxSessions: 5, warmSessions: 2 });
  const buildboxDown = lane({ name: 'buildbox', labels: ['build'], state: 'degraded', degradedReason: refused, warmSessions: 0 });

  it('a remote host that is down does not turn the icon degraded: it stays what this machine makes it, and the tooltip names the host', () => {
    const down = input({ summary: summary([], { hosts: [local, buildboxDown] }) });
    expect(trayIconState(down)).toBe('idle');
    expect(trayIconState(input({ summary: summary([session('a', 'npm test')], { hosts: [local, buildboxDown] }) }))).toBe('busy');
    expect(trayTooltip(down)).toBe('poshpool: 0/7 sessions in use, host buildbox unreachable');
    // The local pool degraded is still the red icon, and says "cannot start sessions".
    const localDown = input({ summary: summary([], { poolState: 'degraded', poolDegradedReason: 'pwsh not found', hosts: [{ ...local, state: 'degraded', degradedReason: 'pwsh not found' }, buildboxDown] }) });
    expect(trayIconState(localDown)).toBe('degraded');
    expect(trayTooltip(localDown)).toBe('poshpool: 0/7 sessions in use, cannot start sessions: pwsh not found, host buildbox unreachable');
    const twoDown = input({ summary: summary([], { hosts: [local, buildboxDown, lane({ name: 'win', state: 'degraded', degradedReason: 'timed out' })] }) });
    expect(trayTooltip(twoDown)).toBe('poshpool: 0/9 sessions in use, 2 hosts unreachable (buildbox, win)');
  });

  it('has a Hosts submenu with each host, its state and sessions, and why a degraded one is down (shortened)', () => {
    const long = `${refused} ${'and more words '.repeat(10)}`;
    const menu = trayMenu(input({ summary: summary([], { hosts: [{ ...local, activeSessions: 1 }, { ...buildboxDown, degradedReason: long, queueDepth: 2 }, lane({ name: 'gpu', state: 'starting', warmSessions: 0 })] }) }));
    const hosts = find(menu, 'Hosts (3, 1 down)');
    expect(hosts).toMatchObject({ type: 'submenu', enabled: true });
    const labels = hosts?.type === 'submenu' ? hosts.submenu.map((i) => (i.type === 'separator' ? '—' : i.label)) : [];
    expect(labels).toHaveLength(4);
    expect(labels.slice(0, 2)).toEqual(['local (this machine): healthy, 1/5 sessions, 2 warm', 'buildbox: ⚠ degraded, 0/2 sessions, 0 warm, 2 waiting']);
    expect(labels[2]).toMatch(/^ {4}127\.0\.0\.1:2222 refused the connection: no ssh server listens there .*…$/);
    expect(labels[2]!.trim().length).toBe(90);
    expect(labels[3]).toBe('gpu: starting, 0/2 sessions, 0 warm');
    expect(hosts?.type === 'submenu' && hosts.submenu.every((i) => i.type === 'normal' && !i.enabled && i.action === undefined)).toBe(true);
    expect(find(trayMenu(input({ summary: summary([], { hosts: [local, lane({ name: 'gpu' })] }) })), 'Hosts (2)')?.type).toBe('submenu');
  });

  it('has no Hosts submenu with this machine alone, with figures from before hosts, or while the host process is down', () => {
    expect(find(trayMenu(input({ summary: summary([], { hosts: [local] }) })), /^Hosts/)).toBeUndefined();
    expect(find(trayMenu(input()), /^Hosts/)).toBeUndefined();
    expect(find(trayMenu(input({ host: { status: 'failed', reason: 'port taken' }, summary: undefined })), /^Hosts/)).toBeUndefined();
    expect(trayTooltip(input({ summary: summary([], { hosts: [local, lane({ name: 'gpu' })] }) }))).toBe('poshpool: 0/7 sessions in use');
  });

  it('counts sessions in use and requests waiting over every host: a request waiting for a remote host shows as queued', () => {
    const busyRemote = input({ summary: summary([session('ssh-1', 'make', { host: 'buildbox' })], { activeSessions: 0, queueDepth: 0, hosts: [local, lane({ name: 'buildbox', activeSessions: 1, queueDepth: 2 })] }) });
    expect(trayIconState(busyRemote)).toBe('queued');
    expect(trayTooltip(busyRemote)).toBe('poshpool: 1/7 sessions in use, 1 running, 2 waiting');
  });

  it('names the host of a session on another machine', () => {
    const menu = trayMenu(input({ summary: summary([session('ssh-1', 'make', { host: 'buildbox' }), session('pwsh-2', null, { host: 'local' })]) }));
    expect(find(menu, 'ssh-1 on buildbox: running make')?.type).toBe('submenu');
    expect(find(menu, 'pwsh-2: idle')?.type).toBe('submenu');
  });
});

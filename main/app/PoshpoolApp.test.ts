import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../common/approvals.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { MetricsSnapshot, SessionInfo } from '../../common/scheduler.js';
import { Emitter } from '../core/events/Emitter.js';
import { platformFor } from '../core/platform/Platform.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import type { HostOperation, HostSummary } from '../host/process/protocol.js';
import { APP_URL } from './appProtocol.js';
import type { IpcSenderInfo } from './IpcRouter.js';
import type { NotificationSpec } from './Notifier.js';
import type { AppPorts, ConfirmSpec, HostLink, WindowPort } from './ports.js';
import { PoshpoolApp } from './PoshpoolApp.js';
import type { TrayAction, TrayMenuItem } from './trayView.js';

// The app layer with a small fake of the Electron APIs it uses (ports.ts) and a fake host link:
// the tray follows the host, IPC is checked, the window meets the checklist, quitting asks.

const info = { pid: 99, version: '1', startedAt: '', mcpUrl: 'http://127.0.0.1:4100/mcp', eventsUrl: '', metricsUrl: '', socketPath: '/s', tokenFile: '/data/auth/token' };
const RUNNING: HostState = { status: 'running', info, dataDir: '/data', pid: 99 };

function session(id: string, command: string | null = null): SessionInfo {
  return { sessionId: id, clientId: 'c', kind: 'session', state: command ? 'running' : 'idle', currentCommand: command, commandStartedAt: command ? 1 : null, cwd: '/', commandCount: 1, lastActivity: 1, lentAt: 1, abandoned: false, pid: 1 };
}
function summary(sessions: SessionInfo[] = [], m: Partial<MetricsSnapshot> = {}): HostSummary {
  return { sessions, clientNames: {}, approvals: [], metrics: { poolState: 'healthy', poolDegradedReason: '', paused: false, activeSessions: sessions.length, maxSessions: 5, queueDepth: 0, ...m } as MetricsSnapshot };
}

class FakeHost implements HostLink {
  state: HostState = { status: 'stopped' };
  summary: HostSummary | undefined;
  readonly calls: { op: HostOperation; args: unknown[] }[] = [];
  /** What the next call answers (then success again). */
  nextResult: { ok: false; reason: string } | undefined;
  started = 0;
  disposed = false;
  disposals = 0;
  private readonly states = new Emitter<HostState>();
  private readonly updates = new Emitter<{ events: PoshpoolEvent[]; summary: HostSummary }>();
  readonly onStateChange = this.states.event;
  readonly onUpdate = this.updates.event;
  start(): void {
    this.started++;
    this.set({ status: 'starting' });
  }
  set(state: HostState, s?: HostSummary): void {
    this.state = state;
    if (s) this.summary = s;
    this.states.fire(state);
  }
  update(events: PoshpoolEvent[], s: HostSummary): void {
    this.summary = s;
    this.updates.fire({ events, summary: s });
  }
  call(op: HostOperation, ...args: unknown[]): Promise<never> {
    this.calls.push({ op, args });
    const result = this.nextResult ?? { ok: true };
    this.nextResult = undefined;
    return Promise.resolve(result as never);
  }
  async dispose(): Promise<void> {
    this.disposed = true;
    this.disposals++;
  }
}

class FakeWindow implements WindowPort {
  static nextId = 10;
  readonly listeners = new Map<string, ((...a: never[]) => unknown)[]>();
  openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  readonly sent: { channel: string; payload: unknown }[] = [];
  permissionRequest: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
  permissionCheck: ((c: unknown, p: string) => boolean) | undefined;
  loaded: string | undefined;
  visible = false;
  destroyed = false;
  private closeListeners: ((e: { preventDefault(): void }) => void)[] = [];
  private readyListeners: (() => void)[] = [];
  readonly loadListeners: (() => void)[] = [];
  readonly contents = {
    id: FakeWindow.nextId++,
    isDestroyed: () => this.destroyed,
    send: (channel: string, payload: unknown) => void this.sent.push({ channel, payload }),
    on: (event: string, listener: (...a: never[]) => unknown) => void this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]),
    setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => void (this.openHandler = h),
  } as unknown as WindowPort['contents'];
  readonly session = {
    setPermissionRequestHandler: (h: FakeWindow['permissionRequest']) => void (this.permissionRequest = h),
    setPermissionCheckHandler: (h: FakeWindow['permissionCheck']) => void (this.permissionCheck = h),
  };
  constructor(readonly options: BrowserWindowConstructorOptions) {}
  async loadURL(url: string): Promise<void> {
    this.loaded = url;
    for (const l of this.readyListeners) l();
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {}
  hide(): void {
    this.visible = false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  onClose(l: (e: { preventDefault(): void }) => void): void {
    this.closeListeners.push(l);
  }
  onClosed(): void {}
  onReadyToShow(l: () => void): void {
    this.readyListeners.push(l);
  }
  onDidFinishLoad(l: () => void): void {
    this.loadListeners.push(l);
  }
  /** The person clicks the close button; true when the window really closes. */
  close(): boolean {
    let prevented = false;
    for (const l of this.closeListeners) l({ preventDefault: () => (prevented = true) });
    if (!prevented) this.destroyed = true;
    return !prevented;
  }
}

describe('PoshpoolApp', () => {
  let dir: string;
  let host: FakeHost;
  let ports: AppPorts;
  let app: PoshpoolApp;
  let images: string[];
  let tooltips: string[];
  let menus: TrayMenuItem[][];
  let onAction: (a: TrayAction) => void;
  let windows: FakeWindow[];
  let handlers: Map<string, (event: IpcSenderInfo, ...args: unknown[]) => unknown>;
  let notifications: NotificationSpec[];
  let notificationClicks: (() => void)[];
  let clipboard: string[];
  let confirms: ConfirmSpec[];
  let confirmAnswer: boolean;
  let confirmWith: (() => Promise<boolean>) | null;
  let exits: number[];
  let logs: string[];
  let errors: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pp-app-'));
    host = new FakeHost();
    images = [];
    tooltips = [];
    menus = [];
    windows = [];
    handlers = new Map();
    notifications = [];
    notificationClicks = [];
    clipboard = [];
    confirms = [];
    confirmAnswer = true;
    confirmWith = null;
    exits = [];
    logs = [];
    errors = [];
    ports = {
      platform: platformFor('win32'),
      host,
      tray: {
        setImage: (f) => void images.push(f),
        setToolTip: (t) => void tooltips.push(t),
        setMenu: (items, act) => {
          menus.push(items);
          onAction = act;
        },
        onClick: () => undefined,
        destroy: () => undefined,
      },
      createWindow: (options) => {
        const w = new FakeWindow(options);
        windows.push(w);
        return w;
      },
      ipcMain: { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) },
      notifications: {
        isSupported: () => true,
        show: (spec, onClick) => {
          notifications.push(spec);
          notificationClicks.push(onClick);
        },
      },
      clipboard: { writeText: (t) => void clipboard.push(t) },
      shell: { openPath: async () => '', openExternal: () => undefined },
      dialog: {
        confirm: async (spec) => {
          confirms.push(spec);
          return confirmWith ? confirmWith() : confirmAnswer;
        },
        error: (title, message) => void errors.push(`${title}: ${message}`),
      },
      loginItem: { supported: false, reason: 'only in the installed app' },
      exit: (code) => void exits.push(code),
      log: (l) => void logs.push(l),
    };
    app = new PoshpoolApp(ports, {
      assetsDir: 'C:\\poshpool\\assets',
      preloadPath: '/app/dist/preload/index.cjs',
      configFile: path.join(dir, 'config.json'),
      logDir: path.join(dir, 'logs'),
      bridgeLauncher: { kind: 'powershellRelay', script: 'C:\\poshpool\\resources\\relay.ps1', dataDir: 'C:\\data', app: ['C:\\poshpool\\poshpool.exe'] },
    });
    app.start();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  const fromWindow = (w: FakeWindow, url = APP_URL): IpcSenderInfo => ({ sender: { id: w.contents.id }, senderFrame: { url, parent: null } });
  const invoke = (channel: string, event: IpcSenderInfo, ...args: unknown[]) => handlers.get(channel)!(event, ...args) as Promise<unknown>;

  it('starts the host and shows the tray; the icon and tooltip follow the host state', () => {
    expect(host.started).toBe(1);
    expect(images.at(-1)).toBe('C:\\poshpool\\assets\\tray\\idle.ico');
    host.set(RUNNING, summary([session('s1', 'Start-Sleep 9')]));
    expect(images.at(-1)).toBe('C:\\poshpool\\assets\\tray\\busy.ico');
    expect(tooltips.at(-1)).toBe('poshpool: 1/5 sessions in use, 1 running');
    host.update([], summary([session('s1', 'x')], { queueDepth: 2 }));
    expect(images.at(-1)).toBe('C:\\poshpool\\assets\\tray\\queued.ico');
    host.update([], summary([], { poolState: 'degraded', poolDegradedReason: 'pwsh not found' }));
    expect(images.at(-1)).toBe('C:\\poshpool\\assets\\tray\\degraded.ico');
    host.set({ status: 'restarting', reason: 'the poshpool host process was killed', retryInMs: 500, crashes: 1 });
    expect(tooltips.at(-1)).toContain('restarting');
    // Set only when changed.
    const n = images.length;
    host.set({ status: 'restarting', reason: 'the poshpool host process was killed', retryInMs: 1000, crashes: 2 });
    expect(images).toHaveLength(n);
  });

  it('the menu terminates a session, pauses new sessions and copies a client config', async () => {
    vi.useFakeTimers();
    host.set(RUNNING, summary([session('sess-a', 'Get-Process')]));
    vi.advanceTimersByTime(1000);
    host.update([], summary([session('sess-a', 'Get-Process')]));
    const menu = menus.at(-1)!;
    expect(JSON.stringify(menu)).toContain('sess-a: running Get-Process');
    await app.act({ kind: 'terminateSession', sessionId: 'sess-a' });
    await app.act({ kind: 'setPaused', paused: true });
    expect(host.calls).toEqual([
      { op: 'terminateSession', args: ['sess-a'] },
      { op: 'setPaused', args: [true, 'tray'] },
    ]);
    onAction({ kind: 'copyConfig', client: 'vscode' });
    expect(notifications.at(-1)).toMatchObject({ title: 'Client config copied', body: expect.stringContaining('mcp.json') });
    // Windows: Windows PowerShell runs the shipped relay script (the app's own stdin is always at EOF there).
    const relay = "& ([ScriptBlock]::Create([IO.File]::ReadAllText('C:\\poshpool\\resources\\relay.ps1'))) -DataDir 'C:\\data' -AppPath 'C:\\poshpool\\poshpool.exe'";
    expect(JSON.parse(clipboard.at(-1)!)).toEqual({
      servers: { poshpool: { type: 'stdio', command: 'powershell.exe', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', relay] } },
    });
    await app.act({ kind: 'copyConfig', client: 'claudeCode' });
    expect(clipboard.at(-1)).toBe(`claude mcp add poshpool -- powershell.exe -NoLogo -NoProfile -NonInteractive -Command "${relay}"`);
  });

  it('"Connect an agent" installs into the client\'s user config with the same code as poshpool install, and says how it went', async () => {
    const clientHome = { home: dir, env: {} };
    const linuxApp = new PoshpoolApp({ ...ports, platform: platformFor('linux') }, { assetsDir: '/a', preloadPath: '/p', configFile: path.join(dir, 'config.json'), logDir: dir, bridgeLauncher: { kind: 'bridgeVerb', command: ['/opt/poshpool/poshpool'] }, clientHome });
    const menu = menus.at(-1)!;
    expect(JSON.stringify(menu)).toContain(JSON.stringify({ kind: 'installClient', client: 'cursor', action: 'install' }));
    mkdirSync(path.join(dir, '.cursor'));
    await linuxApp.act({ kind: 'installClient', client: 'cursor', action: 'install' });
    expect(notifications.at(-1)).toMatchObject({ title: 'Cursor can use poshpool', body: expect.stringContaining(`created ${path.join(dir, '.cursor', 'mcp.json')}`) });
    expect(JSON.parse(readFileSync(path.join(dir, '.cursor', 'mcp.json'), 'utf8'))).toEqual({ mcpServers: { poshpool: { command: '/opt/poshpool/poshpool', args: ['bridge'] } } });
    await linuxApp.act({ kind: 'installClient', client: 'cursor', action: 'install' });
    expect(notifications.at(-1)).toMatchObject({ body: expect.stringContaining('nothing changed') });
    await linuxApp.act({ kind: 'installClient', client: 'claude-desktop', action: 'install' });
    expect(notifications.at(-1)).toMatchObject({ title: 'Could not connect Claude Desktop', body: expect.stringContaining('is Claude Desktop installed') });
    expect(logs.at(-1)).toContain('Connect Claude Desktop:');
    await linuxApp.act({ kind: 'installClient', client: 'cursor', action: 'uninstall' });
    expect(notifications.at(-1)).toMatchObject({ title: 'poshpool removed from Cursor' });
    expect(JSON.parse(readFileSync(path.join(dir, '.cursor', 'mcp.json'), 'utf8'))).toEqual({ mcpServers: {} });
  });

  it('opens one dashboard window that meets the security checklist, hidden (not closed) when the person closes it', () => {
    app.showDashboard();
    app.showDashboard();
    expect(windows).toHaveLength(1);
    const w = windows[0]!;
    expect(w.loaded).toBe(APP_URL);
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/app/dist/preload/index.cjs' });
    // Navigation away and new windows are blocked; every permission is denied.
    let prevented = false;
    for (const l of w.listeners.get('will-navigate')!) (l as (e: { url: string; preventDefault(): void }) => void)({ url: 'https://evil.example/', preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(w.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    w.permissionRequest!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(w.close()).toBe(false);
    expect(w.visible).toBe(false);
    app.showDashboard();
    expect(windows).toHaveLength(1);
    expect(w.visible).toBe(true);
  });

  it('answers IPC from the dashboard window and refuses it from any other sender', async () => {
    host.set(RUNNING, summary());
    // No window yet: nobody is trusted.
    expect(await invoke('poshpool:snapshot', { sender: { id: 1 }, senderFrame: { url: APP_URL, parent: null } })).toMatchObject({ ok: false, reason: expect.stringContaining('dashboard window') });
    app.showDashboard();
    const w = windows[0]!;
    expect(await invoke('poshpool:terminateSession', fromWindow(w), 'sess-1')).toEqual({ ok: true });
    expect(await invoke('poshpool:terminateSession', { sender: { id: w.contents.id + 1 }, senderFrame: { url: APP_URL, parent: null } }, 'sess-2')).toMatchObject({ ok: false });
    expect(await invoke('poshpool:terminateSession', fromWindow(w, 'https://evil.example/'), 'sess-3')).toMatchObject({ ok: false });
    expect(await invoke('poshpool:terminateSession', { sender: { id: w.contents.id }, senderFrame: { url: APP_URL, parent: {} } }, 'sess-4')).toMatchObject({ ok: false });
    expect(await invoke('poshpool:changePriority', fromWindow(w), 'req-1', 'urgent')).toMatchObject({ ok: false, reason: expect.stringContaining('Bad arguments') });
    expect(host.calls).toEqual([{ op: 'terminateSession', args: ['sess-1'] }]);
    expect(logs.filter((l) => l.includes('refused'))).toHaveLength(4);
  });

  it('tells a page that finished loading where the host stands', () => {
    host.set({ status: 'starting' });
    app.showDashboard();
    const w = windows[0]!;
    for (const l of w.loadListeners) l();
    expect(w.sent.at(-1)).toEqual({ channel: 'poshpool:connection', payload: 'connecting' });
    host.set({ status: 'restarting', reason: 'killed', retryInMs: 1, crashes: 1 });
    for (const l of w.loadListeners) l();
    expect(w.sent.at(-1)).toEqual({ channel: 'poshpool:connection', payload: 'disconnected' });
    host.set(RUNNING, summary());
    for (const l of w.loadListeners) l();
    expect(w.sent.at(-1)).toEqual({ channel: 'poshpool:connection', payload: 'connected' });
  });

  it('batches the host events to the window and reports the connection', () => {
    vi.useFakeTimers();
    app.showDashboard();
    const w = windows[0]!;
    host.set(RUNNING, summary());
    const e = (i: number): PoshpoolEvent => ({ type: 'pool.paused', by: `t${i}`, time: i });
    host.update([e(1), e(2)], summary());
    host.update([e(3)], summary());
    vi.advanceTimersByTime(20);
    host.update([e(4)], summary());
    expect(w.sent.filter((s) => s.channel === 'poshpool:events')).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(w.sent.filter((s) => s.channel === 'poshpool:events')).toEqual([{ channel: 'poshpool:events', payload: [e(1), e(2), e(3), e(4)] }]);
    expect(w.sent.find((s) => s.channel === 'poshpool:connection')?.payload).toBe('connected');
    host.set({ status: 'restarting', reason: 'killed', retryInMs: 1, crashes: 1 });
    expect(w.sent.at(-1)).toEqual({ channel: 'poshpool:connection', payload: 'disconnected' });
  });

  it('notifies abandoned sessions and failed backups, and a turned-off kind stays off (saved in the config)', async () => {
    host.set(RUNNING, summary());
    host.update([{ type: 'backup.failed', folder: '/src/app', reason: 'quiet', error: 'disk full', time: 1 }], summary());
    expect(notifications.map((n) => n.title)).toEqual(['Backup failed']);
    await app.act({ kind: 'setNotification', which: 'sessionAbandoned', enabled: false });
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ notifications: { sessionAbandoned: false } });
    host.update([{ type: 'session.abandoned', sessionId: 's1', clientId: 'c', idleMs: 600_000, time: 2 }], summary());
    expect(notifications).toHaveLength(1);
    expect(app.trayInput().notifications).toEqual({ sessionAbandoned: false, backupFailed: true, poolDegraded: true, approvalRequested: true });
  });

  it('a command waiting for approval: a notification that opens the dashboard, the menu on top, answers by "tray", a late answer says why', async () => {
    vi.useFakeTimers();
    const request: ApprovalRequest = {
      approvalId: 'apr_1',
      sessionId: 's1',
      clientId: 'c',
      clientName: 'Cursor',
      command: 'git push --force origin main',
      commandChars: 28,
      cwd: '/src/app',
      rules: [{ name: 'force push', description: 'git with push and --force|-f', command: 'git' }],
      requestedAt: 1,
      expiresAt: 120_001,
    };
    host.set(RUNNING, summary());
    vi.advanceTimersByTime(1000);
    host.update([{ type: 'approval.requested', request, time: 1 }], { ...summary([session('s1')]), approvals: [request] });
    expect(notifications.at(-1)).toEqual({
      key: 'approval:apr_1',
      title: 'A command waits for your approval',
      body: 'Cursor wants to run: git push --force origin main\nRule: force push. Click to answer in the dashboard.',
    });
    notificationClicks.at(-1)!();
    expect(windows).toHaveLength(1);
    expect(menus.at(-1)![0]).toEqual({ type: 'normal', label: '1 command waits for approval', enabled: false });
    expect(tooltips.at(-1)).toBe('poshpool: 1 awaiting approval, 1/5 sessions in use');
    onAction({ kind: 'answerApproval', approvalId: 'apr_1', answer: 'session' });
    await vi.advanceTimersByTimeAsync(0);
    expect(host.calls).toEqual([{ op: 'answerApproval', args: ['apr_1', 'session', 'tray'] }]);
    expect(errors).toEqual([]);
    host.nextResult = { ok: false, reason: 'No command waits for approval apr_1: it was already answered, timed out or cancelled.' };
    await app.act({ kind: 'answerApproval', approvalId: 'apr_1', answer: 'deny' });
    expect(errors).toEqual(['Deny: No command waits for approval apr_1: it was already answered, timed out or cancelled.']);
    // Turned off from the tray: saved, and the next waiting command shows no notification.
    await app.act({ kind: 'setNotification', which: 'approvalRequested', enabled: false });
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ notifications: { approvalRequested: false } });
    host.update([{ type: 'approval.requested', request: { ...request, approvalId: 'apr_2' }, time: 2 }], { ...summary(), approvals: [] });
    expect(notifications.filter((n) => n.key.startsWith('approval:'))).toHaveLength(1);
  });

  it('reports a config it cannot save instead of overwriting it', async () => {
    writeFileSync(path.join(dir, 'config.json'), '{ "maxSessions": 0 }');
    await app.act({ kind: 'setNotification', which: 'backupFailed', enabled: false });
    expect(errors[0]).toContain('maxSessions');
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{ "maxSessions": 0 }');
  });

  it('asks before quitting while commands run; keeps running on "no"; stops the host before exiting on "yes"', async () => {
    host.set(RUNNING, summary([session('s1', 'npm test'), session('s2')]));
    confirmAnswer = false;
    expect(await app.requestQuit()).toBe(false);
    expect(confirms[0]).toMatchObject({ message: '1 command is still running.', detail: expect.stringContaining('s1: npm test') });
    expect(host.disposed).toBe(false);
    expect(exits).toEqual([]);
    confirmAnswer = true;
    expect(await app.requestQuit()).toBe(true);
    expect(host.disposed).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('quits at once, commands running or not, when the system shuts down', async () => {
    host.set(RUNNING, summary([session('s1', 'npm test')]));
    await app.quitNow();
    expect(confirms).toEqual([]);
    expect(host.disposed).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('a quit without asking while the question is open decides: the host stops once, the app exits once', async () => {
    host.set(RUNNING, summary([session('s1', 'npm test')]));
    let answer!: (yes: boolean) => void;
    confirmWith = () => new Promise<boolean>((resolve) => (answer = resolve));
    const asked = app.requestQuit();
    await vi.waitFor(() => expect(confirms).toHaveLength(1));
    await Promise.all([app.quitNow(), app.quitNow()]);
    expect(host.disposals).toBe(1);
    expect(exits).toEqual([0]);
    answer(false); // too late: the app is quitting
    expect(await asked).toBe(true);
    expect(await app.requestQuit()).toBe(true);
    expect(host.disposals).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('quits without asking when nothing runs', async () => {
    host.set(RUNNING, summary([session('s1')]));
    app.showDashboard();
    await app.requestQuit();
    expect(confirms).toEqual([]);
    expect(windows[0]!.destroyed).toBe(true);
    expect(handlers.size).toBe(0);
    expect(exits).toEqual([0]);
  });
});

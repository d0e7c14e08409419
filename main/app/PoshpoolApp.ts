import { homedir } from 'node:os';
import path from 'node:path';
import { clientConfigs } from '../cli/clientConfigs.js';
import { runInstall } from '../cli/install.js';
import { CLIENTS, type ClientId } from '../cli/installClients.js';
import { loadConfig, updateConfig } from '../core/config/load.js';
import type { Disposable } from '../core/events/Emitter.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import { APP_URL } from './appProtocol.js';
import { connectDashboardIpc, connectionOf } from './dashboardIpc.js';
import { IpcRouter } from './IpcRouter.js';
import { Notifier, type NotificationSettings } from './Notifier.js';
import type { AppPaths, AppPorts, WindowPort } from './ports.js';
import { TrayController } from './TrayController.js';
import type { TrayAction, TrayInput } from './trayView.js';
import { dashboardWindowOptions, hardenContents, hardenSession } from './windowSecurity.js';

const DEFAULT_NOTIFICATIONS: NotificationSettings = { sessionAbandoned: true, backupFailed: true, poolDegraded: true, approvalRequested: true };

/** What a failed answer from the tray is titled. */
const APPROVAL_ANSWER_TITLES = { once: 'Approve once', session: 'Always for this session', deny: 'Deny' } as const;

/**
 * The tray app: the composition root of main/app. Starts the host process (through the HostLink),
 * keeps the tray in step with it, opens the dashboard window on demand (hidden, not closed, when the
 * person closes it), answers the dashboard's IPC, shows notifications, and quits only after the
 * host has stopped — asking first when commands are running.
 */
export class PoshpoolApp {
  private window: WindowPort | undefined;
  private readonly subs: Disposable[] = [];
  private readonly tray: TrayController;
  private readonly notifier: Notifier;
  private readonly router: IpcRouter;
  private notifications: NotificationSettings = DEFAULT_NOTIFICATIONS;
  private quitting: Promise<boolean> | undefined;
  private quittingNow: Promise<boolean> | undefined;
  private allowClose = false;

  constructor(
    private readonly ports: AppPorts,
    private readonly paths: AppPaths,
  ) {
    this.tray = new TrayController(ports.tray, { platform: ports.platform.os, assetsDir: paths.assetsDir, onAction: (a) => void this.act(a) });
    this.notifier = new Notifier(ports.notifications, { settings: () => this.notifications, onClick: () => this.showDashboard() });
    this.router = new IpcRouter(ports.ipcMain, () => (this.window && !this.window.isDestroyed() ? this.window.contents.id : undefined), ports.log);
  }

  /** Starts the host and shows the tray. */
  start(): void {
    this.notifications = this.readNotificationSettings();
    const host = this.ports.host;
    this.subs.push(connectDashboardIpc(this.router, host, () => (this.window && !this.window.isDestroyed() ? this.window.contents : undefined)));
    this.subs.push(
      host.onStateChange((state) => {
        this.notifier.onHostState(state);
        this.refreshTray();
      }),
      host.onUpdate((u) => {
        this.notifier.onEvents(u.events);
        this.refreshTray();
      }),
    );
    this.ports.tray.onClick(() => {
      // On Windows a click on a tray icon is expected to open the app; macOS and Linux show the menu.
      if (this.ports.platform.trayClickOpensWindow) this.showDashboard();
    });
    this.refreshTray();
    host.start();
  }

  /** What the tray shows now. */
  trayInput(): TrayInput {
    const login = this.ports.loginItem;
    return {
      host: this.ports.host.state,
      summary: this.ports.host.summary,
      startAtLogin: login.supported ? { supported: true, enabled: login.isEnabled() } : { supported: false, reason: login.reason },
      notifications: this.notifications,
    };
  }

  /** Opens the dashboard window, or brings it to the front (also what a second launch does). */
  showDashboard(): void {
    if (this.window && !this.window.isDestroyed()) {
      if (this.window.isMinimized()) this.window.restore();
      this.window.show();
      this.window.focus();
      return;
    }
    const win = this.ports.createWindow(dashboardWindowOptions(this.paths.preloadPath, path.join(this.paths.assetsDir, 'icon.png')));
    this.window = win;
    hardenSession(win.session);
    hardenContents(win.contents, (url) => this.ports.shell.openExternal(url));
    win.onClose((event) => {
      // The tray app keeps running: closing the window hides it.
      if (!this.allowClose) {
        event.preventDefault();
        win.hide();
      }
    });
    win.onClosed(() => {
      if (this.window === win) this.window = undefined;
    });
    // A page that (re)loads learns where the host stands at once, not at its next change.
    win.onDidFinishLoad(() => this.router.send(win.contents, 'poshpool:connection', connectionOf(this.ports.host.state)));
    win.onReadyToShow(() => {
      win.show();
      win.focus();
    });
    win.loadURL(APP_URL).catch((e: Error) => this.ports.log(`The dashboard did not load: ${e.message}`));
  }

  /** Carries out a tray menu action. */
  async act(action: TrayAction): Promise<void> {
    const { host } = this.ports;
    switch (action.kind) {
      case 'openDashboard':
        return this.showDashboard();
      case 'terminateSession':
        return this.report('Terminate session', await host.call('terminateSession', action.sessionId));
      case 'cancelCommand':
        return this.report('Cancel command', await host.call('cancelCommand', action.sessionId));
      case 'answerApproval':
        // A late answer (the dashboard, the client or the timeout decided first) is told with the reason.
        return this.report(APPROVAL_ANSWER_TITLES[action.answer], await host.call('answerApproval', action.approvalId, action.answer, 'tray'));
      case 'setPaused':
        this.report(action.paused ? 'Pause new sessions' : 'Resume new sessions', await host.call('setPaused', action.paused, 'tray'));
        return this.refreshTray();
      case 'copyConfig':
        return this.copyConfig(action.client);
      case 'installClient':
        return this.installClient(action.client, action.action);
      case 'openConfigFolder':
        return this.openFolder(path.dirname(this.paths.configFile));
      case 'openLogFolder':
        return this.openFolder(this.paths.logDir);
      case 'setStartAtLogin': {
        const login = this.ports.loginItem;
        if (!login.supported) return;
        this.report('Start at login', login.setEnabled(action.enabled));
        return this.refreshTray();
      }
      case 'setNotification': {
        const saved = updateConfig(this.paths.configFile, (raw) => {
          const current = typeof raw.notifications === 'object' && raw.notifications !== null ? raw.notifications : {};
          raw.notifications = { ...current, [action.which]: action.enabled };
        });
        if (saved.ok) this.notifications = saved.config.notifications;
        this.report('Notifications', saved);
        return this.refreshTray();
      }
      case 'retryHost':
        return host.start();
      case 'quit':
        await this.requestQuit();
        return;
    }
  }

  /**
   * Quits after asking when commands are running; stops the host (every session ends, host.json is
   * removed) before the app exits. Resolves false when the person chose to keep running.
   */
  requestQuit(): Promise<boolean> {
    if (this.quittingNow) return this.quittingNow;
    this.quitting ??= (async () => {
      const running = (this.ports.host.summary?.sessions ?? []).filter((s) => s.currentCommand !== null);
      if (this.ports.host.state.status === 'running' && running.length > 0) {
        const sure = await this.ports.dialog.confirm({
          title: 'Quit poshpool?',
          message: `${running.length} ${running.length === 1 ? 'command is' : 'commands are'} still running.`,
          detail: `Quitting stops ${running.length === 1 ? 'it' : 'them'} and ends every session:\n${running
            .slice(0, 5)
            .map((s) => `• ${s.sessionId}: ${(s.currentCommand ?? '').slice(0, 80)}`)
            .join('\n')}`,
          confirmLabel: 'Quit',
          cancelLabel: 'Keep running',
        });
        // A quit without asking (shutdown, stop signal) came while the question was open: it decides.
        if (this.quittingNow) return this.quittingNow;
        if (!sure) {
          this.quitting = undefined;
          return false;
        }
      }
      await this.quitNow();
      return true;
    })();
    return this.quitting;
  }

  /**
   * Quits without asking (the system is shutting down, or a stop signal came: a question would hold
   * it up, and nobody may be there to answer): the host still stops first, so every session ends and
   * host.json goes. Runs once, however often it is called.
   */
  quitNow(): Promise<void> {
    this.quittingNow ??= (async () => {
      await this.dispose();
      this.ports.exit(0);
      return true;
    })();
    return this.quittingNow.then(() => undefined);
  }

  /** Stops the host and lets go of the tray, the window and the IPC handlers. */
  async dispose(): Promise<void> {
    for (const sub of this.subs.splice(0).reverse()) sub.dispose();
    await this.ports.host.dispose();
    this.tray.dispose();
    this.allowClose = true;
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = undefined;
  }

  private refreshTray(): void {
    this.tray.update(this.trayInput());
  }

  private copyConfig(client: 'vscode' | 'claudeDesktop' | 'claudeCode'): void {
    const state: HostState = this.ports.host.state;
    if (state.status !== 'running') return this.report('Copy client config', { ok: false, reason: 'poshpool is not running yet.' });
    const configs = clientConfigs(this.paths.bridgeLauncher, state.info.mcpUrl, state.info.tokenFile, this.ports.platform.os);
    this.ports.clipboard.writeText(configs[client]);
    // The person asked for it: say where it went (a click on a menu item gives no other sign).
    if (this.ports.notifications.isSupported()) {
      const where = { vscode: "VS Code's .vscode/mcp.json", claudeDesktop: "Claude Desktop's claude_desktop_config.json", claudeCode: 'a terminal' }[client];
      this.ports.notifications.show({ key: `copied:${client}`, title: 'Client config copied', body: `Paste it into ${where}. It starts the poshpool bridge; no token is in it.` }, () => undefined);
    }
  }

  /** "Connect an agent": the same install as `poshpool install --client`, into the user's config; the result in a notification. */
  private installClient(client: ClientId, action: 'install' | 'uninstall'): void {
    const where = this.paths.clientHome ?? { home: homedir(), env: process.env };
    const outcome = runInstall(
      { client, action, scope: 'user', workspace: where.home },
      { platform: this.ports.platform, env: where.env, home: where.home, launcher: this.paths.bridgeLauncher },
    );
    const label = CLIENTS[client].label;
    if (!outcome.ok) {
      this.ports.log(`Connect ${label}: ${outcome.reason}`);
      if (!this.ports.notifications.isSupported()) return this.ports.dialog.error(`Connect ${label}`, outcome.reason);
    }
    if (!this.ports.notifications.isSupported()) return;
    const title = !outcome.ok ? `Could not ${action === 'install' ? 'connect' : 'disconnect'} ${label}` : action === 'install' ? `${label} can use poshpool` : `poshpool removed from ${label}`;
    this.ports.notifications.show({ key: `install:${client}`, title, body: outcome.ok ? outcome.message : outcome.reason }, () => undefined);
  }

  private openFolder(dir: string): void {
    void this.ports.shell.openPath(dir).then((error) => {
      if (error) this.report('Open folder', { ok: false, reason: `${dir}: ${error}` });
    });
  }

  private readNotificationSettings(): NotificationSettings {
    const loaded = loadConfig(this.paths.configFile);
    // A config that does not load is reported by the host (its start fails with the reason); notifications stay on meanwhile.
    return loaded.ok ? loaded.config.notifications : DEFAULT_NOTIFICATIONS;
  }

  private report(what: string, result: { ok: true } | { ok: false; reason: string }): void {
    if (result.ok) return;
    this.ports.log(`${what}: ${result.reason}`);
    this.ports.dialog.error(what, result.reason);
  }
}

/**
 * The Electron APIs the app layer uses, each narrowed to what it needs. main.ts adapts the real
 * ones (electronPorts.ts); the unit tests pass small fakes, so the app's behaviour is tested without
 * an Electron binary.
 */

import type { BridgeLauncher } from '../cli/clientConfigs.js';
import type { BrowserWindowConstructorOptions } from 'electron';
import type { PoshpoolEvent } from '../../common/events.js';
import type { Disposable } from '../core/events/Emitter.js';
import type { Platform } from '../core/platform/Platform.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import type { HostOperation, HostOperations, HostSummary } from '../host/process/protocol.js';
import type { IpcMainPort, IpcTarget } from './IpcRouter.js';
import type { LoginItem } from './loginItem.js';
import type { NotificationPort } from './Notifier.js';
import type { TrayAction, TrayMenuItem } from './trayView.js';
import type { HardenableContents, HardenableSession } from './windowSecurity.js';

/** The tray icon. */
export interface TrayPort {
  setImage(file: string): void;
  setToolTip(text: string): void;
  /** Replaces the context menu; a click on an item with an action calls onAction. */
  setMenu(items: TrayMenuItem[], onAction: (action: TrayAction) => void): void;
  /** A click on the icon itself (Windows opens the dashboard on it). */
  onClick(listener: () => void): void;
  destroy(): void;
}

/** The dashboard window. */
export interface WindowPort {
  readonly contents: HardenableContents & IpcTarget;
  readonly session: HardenableSession;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  hide(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  destroy(): void;
  /** The person closes the window (preventDefault keeps it, hidden). */
  onClose(listener: (event: { preventDefault(): void }) => void): void;
  onClosed(listener: () => void): void;
  /** The page is ready to show. */
  onReadyToShow(listener: () => void): void;
  /** The page (re)loaded: it has subscribed to its channels. */
  onDidFinishLoad(listener: () => void): void;
}

/** A question with two answers. */
export interface ConfirmSpec {
  title: string;
  message: string;
  detail: string;
  confirmLabel: string;
  cancelLabel: string;
}

/** The host process as the app sees it (HostSupervisor fits). */
export interface HostLink extends Disposable {
  readonly state: HostState;
  readonly summary: HostSummary | undefined;
  onStateChange(listener: (state: HostState) => void): Disposable;
  onUpdate(listener: (update: { events: PoshpoolEvent[]; summary: HostSummary }) => void): Disposable;
  start(): void;
  call<Op extends HostOperation>(op: Op, ...args: HostOperations[Op]['args']): Promise<HostOperations[Op]['result']>;
  dispose(): Promise<void>;
}

/** Everything the app layer reaches outside itself. */
export interface AppPorts {
  /** The OS decisions (the composition root's currentPlatform()). */
  platform: Platform;
  host: HostLink;
  tray: TrayPort;
  createWindow(options: BrowserWindowConstructorOptions): WindowPort;
  ipcMain: IpcMainPort;
  notifications: NotificationPort;
  clipboard: { writeText(text: string): void };
  shell: { openPath(path: string): Promise<string>; openExternal(url: string): void };
  dialog: { confirm(spec: ConfirmSpec): Promise<boolean>; error(title: string, message: string): void };
  loginItem: LoginItem;
  /** Ends the app (after the host has stopped). */
  exit(code: number): void;
  log(line: string): void;
}

/** Where the app's files are. */
export interface AppPaths {
  /** assets/ (tray icons). */
  assetsDir: string;
  /** The sandboxed preload (CommonJS). */
  preloadPath: string;
  configFile: string;
  logDir: string;
  /** What the copied client configs run as the stdio bridge (clientConfigs.ts appBridgeLauncher). */
  bridgeLauncher: BridgeLauncher;
  /** The home dir and environment client configs are found by ("Connect an agent"); default: this process's. */
  clientHome?: { home: string; env: Readonly<Record<string, string | undefined>> };
}

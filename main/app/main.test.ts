import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { processExists, requirePwsh, waitFor } from '../../test/pwsh.js';
import { STOP_SIGNALS } from '../cli/stopSignals.js';

// The Electron entry (main.ts) wired end to end with a fake of the electron module: the real
// compiled host process (forked where Electron would start a utilityProcess), real pwsh, the real
// preload and dashboard files. Proves the paths, the wiring and the quit sequence; the window itself
// is proved by e2e/electron.spec.ts wherever an Electron binary exists.

const fake = vi.hoisted(() => {
  const state = {
    appListeners: new Map<string, ((...a: unknown[]) => void)[]>(),
    exits: [] as number[],
    questions: [] as unknown[],
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    trays: [] as { images: string[]; tooltips: string[]; menus: MenuItemConstructorOptions[][] }[],
    windows: [] as { options: Record<string, unknown>; loaded: string[]; contentsId: number; sent: { channel: string; payload: unknown }[] }[],
    forks: [] as { pid: number | undefined }[],
  };
  return state;
});

vi.mock('electron', async () => {
  const { fork } = await import('node:child_process');
  const { EventEmitter } = await import('node:events');
  const on = (event: string, l: (...a: unknown[]) => void) => void fake.appListeners.set(event, [...(fake.appListeners.get(event) ?? []), l]);
  class Tray {
    private readonly rec = { images: [] as string[], tooltips: [] as string[], menus: [] as MenuItemConstructorOptions[][] };
    constructor(image: { path: string }) {
      this.rec.images.push(image.path);
      fake.trays.push(this.rec);
    }
    setImage(image: { path: string }) {
      this.rec.images.push(image.path);
    }
    setToolTip(t: string) {
      this.rec.tooltips.push(t);
    }
    setContextMenu(menu: MenuItemConstructorOptions[]) {
      this.rec.menus.push(menu);
    }
    on() {}
    destroy() {}
  }
  let nextContentsId = 100;
  class BrowserWindow extends EventEmitter {
    readonly rec: (typeof fake.windows)[number];
    readonly webContents: object;
    constructor(options: Record<string, unknown>) {
      super();
      this.rec = { options, loaded: [], contentsId: nextContentsId++, sent: [] };
      fake.windows.push(this.rec);
      const rec = this.rec;
      this.webContents = Object.assign(new EventEmitter(), {
        id: rec.contentsId,
        isDestroyed: () => false,
        send: (channel: string, payload: unknown) => void rec.sent.push({ channel, payload }),
        setWindowOpenHandler: () => undefined,
        session: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined, setDevicePermissionHandler: () => undefined },
      });
    }
    async loadURL(url: string) {
      this.rec.loaded.push(url);
      this.emit('ready-to-show');
    }
    show() {}
    focus() {}
    hide() {}
    isMinimized() {
      return false;
    }
    restore() {}
    isDestroyed() {
      return false;
    }
    destroy() {}
  }
  class Notification {
    static isSupported() {
      return false;
    }
  }
  return {
    powerMonitor: { on: (event: string, l: (...a: unknown[]) => void) => void fake.appListeners.set(`power:${event}`, [l]) },
    app: {
      isPackaged: false,
      setAppUserModelId: () => undefined,
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on,
      exit: (code: number) => void fake.exits.push(code),
      getAppPath: () => '/app',
      getLoginItemSettings: () => ({ openAtLogin: false }),
      setLoginItemSettings: () => undefined,
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void fake.schemes.push(...s),
      handle: (scheme: string, h: (req: Request) => Promise<Response>) => void fake.protocolHandlers.set(scheme, h),
    },
    utilityProcess: {
      // Electron's utilityProcess, played by Node's fork: the host entry speaks to either.
      fork: (entry: string, args: string[]) => {
        const child = fork(entry, args, { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        fake.forks.push({ pid: child.pid });
        const emitter = Object.assign(new EventEmitter(), {
          pid: child.pid,
          stdout: child.stdout,
          stderr: child.stderr,
          postMessage: (m: unknown) => {
            if (child.connected) child.send(m as object);
          },
          kill: () => child.kill('SIGKILL'),
        });
        child.on('message', (m) => emitter.emit('message', m));
        child.on('exit', (code) => emitter.emit('exit', code ?? 1));
        return emitter;
      },
    },
    Tray,
    Menu: { buildFromTemplate: (t: MenuItemConstructorOptions[]) => t },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
    BrowserWindow,
    Notification,
    clipboard: { writeText: () => undefined },
    dialog: {
      showMessageBox: async (...args: unknown[]) => {
        fake.questions.push(args);
        return { response: 0 };
      },
      showErrorBox: () => undefined,
    },
    shell: { openPath: async () => '', openExternal: async () => undefined },
    ipcMain: {
      handle: (c: string, h: (event: unknown, ...args: unknown[]) => unknown) => void fake.ipcHandlers.set(c, h),
      removeHandler: (c: string) => void fake.ipcHandlers.delete(c),
    },
  };
});

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
let dataDir: string;
const saved = {
  argv: process.argv,
  env: { ...process.env },
  // main.ts installs process-wide handlers (the tray logs a stray error instead of dying); the test takes them off again.
  uncaught: process.listeners('uncaughtException'),
  unhandled: process.listeners('unhandledRejection'),
  signals: Object.fromEntries(STOP_SIGNALS.map((s) => [s, process.listeners(s)])),
};

function clickable(items: MenuItemConstructorOptions[], label: RegExp): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label !== undefined && label.test(item.label)) return item;
    if (Array.isArray(item.submenu)) {
      const inner = clickable(item.submenu as MenuItemConstructorOptions[], label);
      if (inner) return inner;
    }
  }
  return undefined;
}

beforeAll(async () => {
  requirePwsh();
  for (const f of ['dist/main/host/process/hostProcess.js', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does).`);
  }
  dir = mkdtempSync(path.join(tmpdir(), 'pp-main-'));
  dataDir = path.join(dir, 'data');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ warmSessions: 1, maxSessions: 2 }));
  process.env.POSHPOOL_DATA_DIR = dataDir;
  process.env.POSHPOOL_CONFIG = path.join(dir, 'config.json');
  process.env.POSHPOOL_OPEN_DASHBOARD = '1';
  process.argv = ['/opt/electron/electron', root];
  await import('./main.js');
});

afterAll(() => {
  process.argv = saved.argv;
  for (const l of process.listeners('uncaughtException')) if (!saved.uncaught.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!saved.unhandled.includes(l)) process.off('unhandledRejection', l);
  for (const s of STOP_SIGNALS) for (const l of process.listeners(s)) if (!saved.signals[s]!.includes(l)) process.off(s, l);
  for (const key of ['POSHPOOL_DATA_DIR', 'POSHPOOL_CONFIG', 'POSHPOOL_OPEN_DASHBOARD']) {
    if (saved.env[key] === undefined) delete process.env[key];
    else process.env[key] = saved.env[key];
  }
  for (const f of fake.forks) if (f.pid && processExists(f.pid)) process.kill(f.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('main.ts (Electron entry, with a fake electron module)', () => {
  it('registers the app scheme, serves the built dashboard with its CSP, and opens a hardened window on it', async () => {
    // Second launches open the dashboard; quitting and a system shutdown go through the host.
    for (const event of ['second-instance', 'before-quit', 'power:shutdown']) expect(fake.appListeners.has(event), event).toBe(true);
    expect(process.listeners('uncaughtException').length).toBe(saved.uncaught.length + 1);
    expect(fake.schemes).toEqual([{ scheme: 'poshpool-app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
    const serve = fake.protocolHandlers.get('poshpool-app')!;
    const page = await serve(new Request('poshpool-app://dashboard/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.loaded).toEqual(['poshpool-app://dashboard/index.html']);
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(existsSync(prefs.preload as string)).toBe(true);
    expect(readFileSync(prefs.preload as string, 'utf8')).toContain('exposeInMainWorld');
  });

  it('starts the host process; the tray shows its state with icons that exist', async () => {
    expect(await waitFor(() => existsSync(path.join(dataDir, 'host.json')), 30_000)).toBe(true);
    const tray = fake.trays[0]!;
    expect(await waitFor(() => tray.tooltips.some((t) => t.includes('sessions in use')), 10_000)).toBe(true);
    for (const image of tray.images) expect(existsSync(image)).toBe(true);
    expect(path.basename(tray.images.at(-1)!)).toBe('idle-32.png');
  });

  it('answers the dashboard window over IPC and refuses other senders; the tray terminates a session', async () => {
    const win = fake.windows[0]!;
    const snapshot = fake.ipcHandlers.get('poshpool:snapshot')!;
    const fromWindow = { sender: { id: win.contentsId }, senderFrame: { url: 'poshpool-app://dashboard/index.html', parent: null } };
    expect(await snapshot({ sender: { id: 999 }, senderFrame: { url: 'poshpool-app://dashboard/index.html', parent: null } })).toMatchObject({ ok: false });

    const info = JSON.parse(readFileSync(path.join(dataDir, 'host.json'), 'utf8')) as { mcpUrl: string; tokenFile: string };
    const client = new Client({ name: 'main-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${readFileSync(info.tokenFile, 'utf8').trim()}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const snap = (await snapshot(fromWindow)) as { ok: boolean; snapshot: { sessions: { sessionId: string }[] } };
    expect(snap.snapshot.sessions.map((s) => s.sessionId)).toEqual([sessionId]);
    // The session's events reach the window in batches.
    expect(await waitFor(() => win.sent.some((s) => s.channel === 'poshpool:events' && JSON.stringify(s.payload).includes(sessionId)), 10_000)).toBe(true);

    const tray = fake.trays[0]!;
    expect(await waitFor(() => clickable(tray.menus.at(-1) ?? [], new RegExp(`^${sessionId}`)) !== undefined, 10_000)).toBe(true);
    const sessionMenu = clickable(tray.menus.at(-1)!, new RegExp(`^${sessionId}`))!;
    const terminate = clickable(sessionMenu.submenu as MenuItemConstructorOptions[], /^Terminate session$/)!;
    (terminate.click as () => void)();
    expect(await waitFor(() => win.sent.some((s) => s.channel === 'poshpool:events' && (s.payload as { type: string; sessionId?: string }[]).some((e) => e.type === 'session.ended' && e.sessionId === sessionId)), 10_000)).toBe(true);
    await client.close();
  });

  it('a stop signal quits without asking, even with a command running; Electron\'s own before-quit joins it; the host stops, host.json goes, exit 0', async () => {
    const hostPid = fake.forks[0]!.pid!;
    const info = JSON.parse(readFileSync(path.join(dataDir, 'host.json'), 'utf8')) as { mcpUrl: string; tokenFile: string };
    const client = new Client({ name: 'main-test-quit', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(info.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${readFileSync(info.tokenFile, 'utf8').trim()}` } } }));
    const { sessionId } = (await client.callTool({ name: 'start_session', arguments: {} })).structuredContent as { sessionId: string };
    const running = client.callTool({ name: 'run_command', arguments: { sessionId, command: 'Start-Sleep 60' } }).catch((e: unknown) => e);
    const tray = fake.trays[0]!;
    expect(await waitFor(() => tray.tooltips.at(-1)?.includes('1 running') ?? false, 10_000)).toBe(true);

    // What a SIGTERM does in Electron: our listener, then (a task later) Electron's app.quit() -> before-quit.
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));
    let prevented = false;
    for (const l of fake.appListeners.get('before-quit') ?? []) l({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(await waitFor(() => fake.exits.length > 0, 20_000)).toBe(true);
    expect(fake.exits).toEqual([0]);
    expect(fake.questions).toEqual([]);
    expect(existsSync(path.join(dataDir, 'host.json'))).toBe(false);
    expect(await waitFor(() => !processExists(hostPid), 10_000)).toBe(true);
    expect(fake.ipcHandlers.size).toBe(0);
    await running;
    await client.close().catch(() => undefined);
  });
});

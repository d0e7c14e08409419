import { describe, expect, it, vi } from 'vitest';
import type { InvokeChannel } from '../../common/ipc.js';
import { APP_URL } from './appProtocol.js';
import { IpcRouter, type IpcMainPort, type IpcSenderInfo, type IpcTarget } from './IpcRouter.js';

type Listener = (event: IpcSenderInfo, ...args: unknown[]) => unknown;

/** An ipcMain stand-in keeping the handlers by channel. */
class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, Listener>();
  readonly removed: string[] = [];
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.removed.push(channel);
    this.handlers.delete(channel);
  }
  /** Calls a channel as a renderer would. */
  invoke(channel: string, event: IpcSenderInfo, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return Promise.resolve(h(event, ...args));
  }
}

const TRUSTED_ID = 7;
const trusted = (): IpcSenderInfo => ({ sender: { id: TRUSTED_ID }, senderFrame: { url: APP_URL, parent: null } });

/** A router whose dashboard window has `window.id` (undefined: there is no window). */
function setup(window: { id: number | undefined } = { id: TRUSTED_ID }) {
  const ipcMain = new FakeIpcMain();
  const log = vi.fn<(line: string) => void>();
  const router = new IpcRouter(ipcMain, () => window.id, log);
  return { ipcMain, log, router };
}

function withTerminate() {
  const s = setup();
  const handler = vi.fn(async (_sessionId: string) => ({ ok: true as const }));
  s.router.handle('poshpool:terminateSession', handler);
  return { ...s, handler };
}

describe('IpcRouter trust', () => {
  it('runs the handler for the dashboard window top frame on the app page', async () => {
    const { ipcMain, handler, log } = withTerminate();
    await expect(ipcMain.invoke('poshpool:terminateSession', trusted(), 'pwsh-1')).resolves.toEqual({ ok: true });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith('pwsh-1');
    expect(log).not.toHaveBeenCalled();
  });

  it('also trusts a top frame whose parent is undefined, and any page of the dashboard origin', async () => {
    const { ipcMain, handler } = withTerminate();
    await ipcMain.invoke('poshpool:terminateSession', { sender: { id: TRUSTED_ID }, senderFrame: { url: 'poshpool-app://dashboard/', parent: undefined } }, 'pwsh-1');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  const untrusted: [string, IpcSenderInfo][] = [
    ['another WebContents', { sender: { id: TRUSTED_ID + 1 }, senderFrame: { url: APP_URL, parent: null } }],
    ['a frame that is gone', { sender: { id: TRUSTED_ID }, senderFrame: null }],
    ['a subframe', { sender: { id: TRUSTED_ID }, senderFrame: { url: APP_URL, parent: { url: APP_URL } } }],
    ['a web page', { sender: { id: TRUSTED_ID }, senderFrame: { url: 'https://example.com/', parent: null } }],
    ['a local file', { sender: { id: TRUSTED_ID }, senderFrame: { url: 'file:///index.html', parent: null } }],
    ['another app host', { sender: { id: TRUSTED_ID }, senderFrame: { url: 'poshpool-app://other/', parent: null } }],
    ['a blank page', { sender: { id: TRUSTED_ID }, senderFrame: { url: 'about:blank', parent: null } }],
  ];
  for (const [what, event] of untrusted) {
    it(`refuses a call from ${what}, with a reason and a log line`, async () => {
      const { ipcMain, handler, log, router } = withTerminate();
      expect(router.isTrusted(event)).toBe(false);
      const answer = (await ipcMain.invoke('poshpool:terminateSession', event, 'pwsh-1')) as { ok: boolean; reason: string };
      expect(answer.ok).toBe(false);
      expect(answer.reason).toMatch(/dashboard window/);
      expect(handler).not.toHaveBeenCalled();
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]![0]).toContain('poshpool:terminateSession');
      expect(log.mock.calls[0]![0]).toContain(`contents ${event.sender.id}`);
      if (event.senderFrame) expect(log.mock.calls[0]![0]).toContain(event.senderFrame.url);
    });
  }

  it('refuses every call while there is no dashboard window', async () => {
    const { ipcMain, log, router } = setup({ id: undefined });
    const handler = vi.fn(async () => ({ ok: true as const }));
    router.handle('poshpool:terminateSession', handler);
    expect(router.isTrusted(trusted())).toBe(false);
    const answer = (await ipcMain.invoke('poshpool:terminateSession', trusted(), 'pwsh-1')) as { ok: boolean; reason: string };
    expect(answer).toEqual({ ok: false, reason: expect.stringMatching(/dashboard window/) });
    expect(handler).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('asks for the trusted id at each call (the window can be replaced)', async () => {
    const ipcMain = new FakeIpcMain();
    let id: number | undefined = 1;
    const router = new IpcRouter(ipcMain, () => id, () => {});
    const handler = vi.fn(async () => ({ ok: true as const }));
    router.handle('poshpool:cancelRequest', handler);
    const from = (senderId: number): IpcSenderInfo => ({ sender: { id: senderId }, senderFrame: { url: APP_URL, parent: null } });
    await ipcMain.invoke('poshpool:cancelRequest', from(1), 'r1');
    id = 2;
    await ipcMain.invoke('poshpool:cancelRequest', from(1), 'r1');
    await ipcMain.invoke('poshpool:cancelRequest', from(2), 'r2');
    expect(handler.mock.calls).toEqual([['r1'], ['r2']]);
  });
});

describe('IpcRouter arguments', () => {
  /** Registers a handler on a channel and calls it from the trusted window with args. */
  async function call(channel: InvokeChannel, ...args: unknown[]) {
    const { ipcMain, router } = setup();
    const handler = vi.fn(async () => ({ ok: true as const }));
    // The handler's own signature does not matter here: the router checks args before calling it.
    router.handle(channel, handler as never);
    const answer = (await ipcMain.invoke(channel, trusted(), ...args)) as { ok: boolean; reason?: string };
    return { answer, handler };
  }

  const bad: [InvokeChannel, unknown[]][] = [
    ['poshpool:terminateSession', []],
    ['poshpool:terminateSession', [42]],
    ['poshpool:terminateSession', ['']],
    ['poshpool:terminateSession', ['x'.repeat(4097)]],
    ['poshpool:terminateSession', ['pwsh-1', 'extra']],
    ['poshpool:terminateSession', [{ toString: () => 'pwsh-1' }]],
    ['poshpool:snapshot', ['unexpected']],
    ['poshpool:cancelCommand', [null]],
    ['poshpool:jobPage', ['job-1', -1]],
    ['poshpool:jobPage', ['job-1', 1.5]],
    ['poshpool:jobPage', ['job-1', '2']],
    ['poshpool:jobPage', ['job-1', Number.NaN]],
    ['poshpool:jobPage', ['job-1']],
    ['poshpool:sessionHistory', ['']],
    ['poshpool:historyEntry', ['pwsh-1', 0]],
    ['poshpool:historyEntry', ['pwsh-1', '2']],
    ['poshpool:historyPage', ['pwsh-1', 2, -1]],
    ['poshpool:historyPage', ['pwsh-1', 2]],
    ['poshpool:recentCommands', [0]],
    ['poshpool:recentCommands', ['50']],
    ['poshpool:changePriority', ['req-1', 'urgent']],
    ['poshpool:changePriority', ['req-1']],
    ['poshpool:backups', ['/repo', 0]],
    ['poshpool:backups', ['/repo', 10_001]],
    ['poshpool:backups', ['/repo', null]],
    ['poshpool:backupDiff', ['/repo', 'b1', 'head']],
    ['poshpool:backupDiff', ['/repo', 'b1']],
    ['poshpool:backupDiff', ['/repo', 'b1', 'now', '']],
    ['poshpool:restoreBackup', ['/repo']],
    ['poshpool:restoreBackup', ['/repo', 'b1', 5]],
    ['poshpool:restoreBackup', ['/repo', 'b1', 'a.txt', 'extra']],
    ['poshpool:restorePreview', ['/repo']],
    ['poshpool:restorePreview', ['/repo', 'b1', 5]],
    ['poshpool:restorePreview', ['/repo', 'b1', '']],
    ['poshpool:setPaused', []],
    ['poshpool:setPaused', ['true']],
    ['poshpool:setPaused', [1]],
    ['poshpool:answerApproval', []],
    ['poshpool:answerApproval', ['apr_1']],
    ['poshpool:answerApproval', ['apr_1', 'yes']],
    ['poshpool:answerApproval', ['apr_1', 'ONCE']],
    ['poshpool:answerApproval', ['apr_1', true]],
    ['poshpool:answerApproval', ['', 'once']],
    ['poshpool:answerApproval', [7, 'deny']],
    ['poshpool:answerApproval', ['apr_1', 'once', 'tray']],
    ['poshpool:readTerminal', ['s1', -1, 0]],
    ['poshpool:readTerminal', ['s1', 0.5, 0]],
    ['poshpool:readTerminal', ['s1', 0, 60_001]],
    ['poshpool:readTerminal', ['s1', 0]],
    ['poshpool:readTerminal', ['', 0, 0]],
  ];
  for (const [channel, args] of bad) {
    it(`refuses ${channel}(${args.map((a) => (typeof a === 'string' && a.length > 20 ? `<${a.length} chars>` : JSON.stringify(a))).join(', ')}) without calling the handler`, async () => {
      const { answer, handler } = await call(channel, ...args);
      expect(answer.ok).toBe(false);
      expect(answer.reason).toMatch(new RegExp(`^Bad arguments for ${channel}: expected \\(.+\\)\\.$`));
      expect(handler).not.toHaveBeenCalled();
    });
  }

  const good: [InvokeChannel, unknown[]][] = [
    ['poshpool:snapshot', []],
    ['poshpool:cancelCommand', ['pwsh-1']],
    ['poshpool:changePriority', ['req-1', 'sync']],
    ['poshpool:changePriority', ['req-1', 'async']],
    ['poshpool:cancelRequest', ['req-1']],
    ['poshpool:jobPage', ['job-1', 0]],
    ['poshpool:jobPage', ['job-1', 3]],
    ['poshpool:sessionHistory', ['pwsh-1']],
    ['poshpool:historyEntry', ['pwsh-1', 1]],
    ['poshpool:historyPage', ['pwsh-1', 2, 0]],
    ['poshpool:recentCommands', []],
    ['poshpool:recentCommands', [50]],
    ['poshpool:backups', ['/repo']],
    ['poshpool:backups', ['/repo', undefined]],
    ['poshpool:backups', ['/repo', 50]],
    ['poshpool:backupDiff', ['/repo', 'b1', 'parent']],
    ['poshpool:backupDiff', ['/repo', 'b1', 'now', 'src/a.ts']],
    ['poshpool:restoreBackup', ['/repo', 'b1']],
    ['poshpool:restoreBackup', ['/repo', 'b1', 'src/a.ts']],
    ['poshpool:restorePreview', ['/repo', 'b1']],
    ['poshpool:restorePreview', ['/repo', 'b1', 'src/a.ts']],
    ['poshpool:setPaused', [true]],
    ['poshpool:setPaused', [false]],
    ['poshpool:answerApproval', ['apr_1', 'once']],
    ['poshpool:readTerminal', ['s1', 0, 0]],
    ['poshpool:readTerminal', ['s1', 123_456, 15_000]],
    ['poshpool:answerApproval', ['apr_1', 'session']],
    ['poshpool:answerApproval', ['apr_1', 'deny']],
  ];
  for (const [channel, args] of good) {
    it(`passes ${channel}(${args.map((a) => JSON.stringify(a) ?? 'undefined').join(', ')}) to the handler`, async () => {
      const { answer, handler } = await call(channel, ...args);
      expect(answer).toEqual({ ok: true });
      expect(handler).toHaveBeenCalledTimes(1);
      expect(handler).toHaveBeenCalledWith(...args);
    });
  }
});

describe('IpcRouter handler failures', () => {
  it('answers a throwing handler with its message and logs the stack', async () => {
    const { ipcMain, log, router } = setup();
    router.handle('poshpool:cancelCommand', async () => {
      throw new Error('session table corrupted');
    });
    const answer = (await ipcMain.invoke('poshpool:cancelCommand', trusted(), 'pwsh-1')) as { ok: boolean; reason: string };
    expect(answer.ok).toBe(false);
    expect(answer.reason).toContain('session table corrupted');
    expect(answer.reason).toContain('poshpool:cancelCommand');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toContain('poshpool:cancelCommand failed');
    expect(log.mock.calls[0]![0]).toContain('session table corrupted');
  });

  it('answers a handler that throws synchronously the same way', async () => {
    const { ipcMain, log, router } = setup();
    router.handle('poshpool:cancelRequest', (() => {
      throw new Error('boom');
    }) as never);
    await expect(ipcMain.invoke('poshpool:cancelRequest', trusted(), 'r1')).resolves.toEqual({ ok: false, reason: expect.stringContaining('boom') });
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('passes a handler value answer through unchanged', async () => {
    const { ipcMain, router } = setup();
    router.handle('poshpool:changePriority', async () => ({ ok: true, position: 2, etaMs: 1500 }));
    await expect(ipcMain.invoke('poshpool:changePriority', trusted(), 'req-1', 'sync')).resolves.toEqual({ ok: true, position: 2, etaMs: 1500 });
  });
});

describe('IpcRouter.send', () => {
  function target(destroyed = false) {
    const send = vi.fn();
    const t: IpcTarget = { id: TRUSTED_ID, isDestroyed: () => destroyed, send };
    return { t, send };
  }

  it('pushes the payload on the channel to the target', () => {
    const { router } = setup();
    const { t, send } = target();
    router.send(t, 'poshpool:connection', 'connected');
    router.send(t, 'poshpool:events', [{ type: 'pool.recovered', time: 1, downMs: 5 }]);
    expect(send.mock.calls).toEqual([
      ['poshpool:connection', 'connected'],
      ['poshpool:events', [{ type: 'pool.recovered', time: 1, downMs: 5 }]],
    ]);
  });

  it('does nothing without a target or with a destroyed one', () => {
    const { router } = setup();
    expect(() => router.send(undefined, 'poshpool:events', [])).not.toThrow();
    const { t, send } = target(true);
    router.send(t, 'poshpool:events', []);
    expect(send).not.toHaveBeenCalled();
  });
});

describe('IpcRouter.dispose', () => {
  it('removes every channel it registered from ipcMain', () => {
    const { ipcMain, router } = setup();
    router.handle('poshpool:snapshot', async () => ({ ok: false, reason: 'x' }));
    router.handle('poshpool:terminateSession', async () => ({ ok: true }));
    router.handle('poshpool:jobPage', async () => ({ ok: false, reason: 'x' }));
    expect(ipcMain.handlers.size).toBe(3);
    router.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.removed.sort()).toEqual(['poshpool:jobPage', 'poshpool:snapshot', 'poshpool:terminateSession']);
  });

  it('removes nothing twice and leaves channels it did not register', () => {
    const { ipcMain, router } = setup();
    ipcMain.handle('someone-else', () => undefined);
    router.handle('poshpool:snapshot', async () => ({ ok: false, reason: 'x' }));
    router.dispose();
    router.dispose();
    expect(ipcMain.removed).toEqual(['poshpool:snapshot']);
    expect([...ipcMain.handlers.keys()]).toEqual(['someone-else']);
  });
});

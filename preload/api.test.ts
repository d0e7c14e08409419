import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../common/dashboard.js';
import type { PoshpoolEvent } from '../common/events.js';
import { createPreloadApi, type PreloadIpc } from './api.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** An in-test ipcRenderer: records invokes, keeps listeners per channel, and can emit like main does. */
function fakeIpc() {
  const invokes: unknown[][] = [];
  const listeners = new Map<string, Listener[]>();
  const electronEvent = { sender: { secret: 'ipcRenderer' }, ports: [] };
  const ipc: PreloadIpc = {
    invoke: async (channel, ...args) => {
      invokes.push([channel, ...args]);
      return { ok: true, channel };
    },
    on: (channel, listener) => listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
    removeListener: (channel, listener) => {
      const list = listeners.get(channel) ?? [];
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    },
  };
  const emit = (channel: string, ...args: unknown[]) => {
    for (const l of [...(listeners.get(channel) ?? [])]) l(electronEvent, ...args);
  };
  const count = (channel: string) => listeners.get(channel)?.length ?? 0;
  return { ipc, invokes, emit, count, electronEvent };
}

const event = (n: number): PoshpoolEvent => ({ type: 'pool.recovered', time: n }) as unknown as PoshpoolEvent;

describe('createPreloadApi', () => {
  it('invokes the right channel with the right args for every operation', async () => {
    const { ipc, invokes } = fakeIpc();
    const api = createPreloadApi(ipc);
    await expect(api.snapshot()).resolves.toEqual({ ok: true, channel: 'poshpool:snapshot' });
    await api.cancelCommand('s1');
    await api.terminateSession('s2');
    await api.changePriority('r1', 'sync');
    await api.cancelRequest('r2');
    await api.jobPage('j1', 3);
    await api.sessionHistory('s1');
    await api.historyEntry('s1', 2);
    await api.historyPage('s1', 2, 1);
    await api.recentCommands(20);
    await api.backups('/f', 5);
    await api.backupDiff('/f', 'b1', 'now', 'a.txt');
    await api.restoreBackup('/f', 'b1', 'a.txt');
    await api.restorePreview('/f', 'b1', 'a.txt');
    await api.setPaused(true);
    await api.answerApproval('apr_1', 'deny');
    expect(invokes).toEqual([
      ['poshpool:snapshot'],
      ['poshpool:cancelCommand', 's1'],
      ['poshpool:terminateSession', 's2'],
      ['poshpool:changePriority', 'r1', 'sync'],
      ['poshpool:cancelRequest', 'r2'],
      ['poshpool:jobPage', 'j1', 3],
      ['poshpool:sessionHistory', 's1'],
      ['poshpool:historyEntry', 's1', 2],
      ['poshpool:historyPage', 's1', 2, 1],
      ['poshpool:recentCommands', 20],
      ['poshpool:backups', '/f', 5],
      ['poshpool:backupDiff', '/f', 'b1', 'now', 'a.txt'],
      ['poshpool:restoreBackup', '/f', 'b1', 'a.txt'],
      ['poshpool:restorePreview', '/f', 'b1', 'a.txt'],
      ['poshpool:setPaused', true],
      ['poshpool:answerApproval', 'apr_1', 'deny'],
    ]);
  });

  it('passes optional args through as undefined when left out', async () => {
    const { ipc, invokes } = fakeIpc();
    const api = createPreloadApi(ipc);
    await api.backups('/f');
    await api.backupDiff('/f', 'b1', 'parent');
    await api.restoreBackup('/f', 'b1');
    expect(invokes).toEqual([
      ['poshpool:backups', '/f', undefined],
      ['poshpool:backupDiff', '/f', 'b1', 'parent', undefined],
      ['poshpool:restoreBackup', '/f', 'b1', undefined],
    ]);
  });

  it('is a plain object of own functions (what contextBridge can copy), with no ipcRenderer in it', () => {
    const { ipc } = fakeIpc();
    const api = createPreloadApi(ipc);
    expect(Object.getPrototypeOf(api)).toBe(Object.prototype);
    expect(Object.keys(api).sort()).toEqual(
      ['answerApproval', 'backupDiff', 'backups', 'cancelCommand', 'cancelRequest', 'changePriority', 'historyEntry', 'historyPage', 'jobPage', 'onConnection', 'onEvents', 'recentCommands', 'readTerminal', 'restoreBackup', 'restorePreview', 'sessionHistory', 'setPaused', 'snapshot', 'terminateSession'].sort(),
    );
    for (const value of Object.values(api)) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipc);
    }
  });

  it('onEvents hands the renderer the batch only, never the Electron event object', () => {
    const { ipc, emit, electronEvent } = fakeIpc();
    const api = createPreloadApi(ipc);
    const calls: unknown[][] = [];
    api.onEvents((...args: unknown[]) => calls.push(args));
    const batch = [event(1), event(2)];
    emit('poshpool:events', batch);
    expect(calls).toEqual([[batch]]);
    expect(calls.flat()).not.toContain(electronEvent);
  });

  it('onConnection hands the renderer the state only, and drops payloads that are not a state', () => {
    const { ipc, emit, electronEvent } = fakeIpc();
    const api = createPreloadApi(ipc);
    const calls: unknown[][] = [];
    api.onConnection((...args: unknown[]) => calls.push(args));
    emit('poshpool:connection', 'connected');
    emit('poshpool:connection', 'bogus');
    emit('poshpool:connection', electronEvent);
    emit('poshpool:connection', 'disconnected');
    expect(calls).toEqual([['connected'], ['disconnected']]);
  });

  it('drops an events payload that is not an array', () => {
    const { ipc, emit } = fakeIpc();
    const api = createPreloadApi(ipc);
    const batches: PoshpoolEvent[][] = [];
    api.onEvents((b) => batches.push(b));
    emit('poshpool:events', { type: 'x' });
    emit('poshpool:events', undefined);
    expect(batches).toEqual([]);
  });

  it('each unsubscribe removes exactly its own listener, once', () => {
    const { ipc, emit, count } = fakeIpc();
    const api = createPreloadApi(ipc);
    const a: PoshpoolEvent[][] = [];
    const b: PoshpoolEvent[][] = [];
    const states: ConnectionState[] = [];
    const same = (batch: PoshpoolEvent[]) => a.push(batch);
    const offA = api.onEvents(same);
    const offA2 = api.onEvents(same); // the same callback twice: two subscriptions
    const offB = api.onEvents((batch) => b.push(batch));
    const offC = api.onConnection((s) => states.push(s));
    expect(count('poshpool:events')).toBe(3);
    expect(count('poshpool:connection')).toBe(1);

    offA();
    offA(); // idempotent: does not remove another listener
    expect(count('poshpool:events')).toBe(2);
    emit('poshpool:events', [event(1)]);
    expect(a).toHaveLength(1); // offA2's subscription still delivers
    expect(b).toHaveLength(1);

    offA2();
    offB();
    expect(count('poshpool:events')).toBe(0);
    expect(count('poshpool:connection')).toBe(1);
    emit('poshpool:connection', 'connected');
    expect(states).toEqual(['connected']);
    offC();
    expect(count('poshpool:connection')).toBe(0);
    emit('poshpool:events', [event(2)]);
    emit('poshpool:connection', 'disconnected');
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(states).toEqual(['connected']);
  });

  it('an unsubscribed listener is not called even if ipc still delivers to it', () => {
    const { ipc, emit } = fakeIpc();
    // An ipc whose removeListener does nothing: the wrapper itself must go quiet.
    const leaky: PreloadIpc = { ...ipc, removeListener: () => undefined };
    const api = createPreloadApi(leaky);
    const batches: PoshpoolEvent[][] = [];
    const off = api.onEvents((b) => batches.push(b));
    off();
    emit('poshpool:events', [event(1)]);
    expect(batches).toEqual([]);
  });
});

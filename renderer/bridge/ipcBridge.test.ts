import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { PoshpoolPreloadApi } from '../../common/ipc.js';
import { IpcBridge, createIpcBridge } from './ipcBridge.js';

/** An in-test window.poshpool: records calls, keeps subscriptions so a test can push like main does. */
function fakeApi(answer: (op: string, args: unknown[]) => Promise<unknown> = async (op) => ({ ok: true, op })) {
  const calls: unknown[][] = [];
  const events = new Set<(batch: PoshpoolEvent[]) => void>();
  const connection = new Set<(state: ConnectionState) => void>();
  const op =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return answer(name, args);
    };
  const api = {
    snapshot: op('snapshot'),
    cancelCommand: op('cancelCommand'),
    terminateSession: op('terminateSession'),
    changePriority: op('changePriority'),
    cancelRequest: op('cancelRequest'),
    jobPage: op('jobPage'),
    sessionHistory: op('sessionHistory'),
    historyEntry: op('historyEntry'),
    historyPage: op('historyPage'),
    recentCommands: op('recentCommands'),
    backups: op('backups'),
    backupDiff: op('backupDiff'),
    restoreBackup: op('restoreBackup'),
    restorePreview: op('restorePreview'),
    answerApproval: op('answerApproval'),
    onEvents: (cb: (batch: PoshpoolEvent[]) => void) => {
      events.add(cb);
      return () => events.delete(cb);
    },
    onConnection: (cb: (state: ConnectionState) => void) => {
      connection.add(cb);
      return () => connection.delete(cb);
    },
  } as unknown as PoshpoolPreloadApi;
  const pushEvents = (batch: PoshpoolEvent[]) => [...events].forEach((cb) => cb(batch));
  const pushState = (state: ConnectionState) => [...connection].forEach((cb) => cb(state));
  return { api, calls, events, connection, pushEvents, pushState };
}

const event = (n: number): PoshpoolEvent => ({ type: 'pool.recovered', time: n }) as unknown as PoshpoolEvent;

describe('IpcBridge', () => {
  it('passes every action through to the preload with its args and returns its answer', async () => {
    const { api, calls } = fakeApi();
    const bridge = createIpcBridge(api);
    await expect(bridge.cancelCommand('s1')).resolves.toEqual({ ok: true, op: 'cancelCommand' });
    await bridge.snapshot();
    await bridge.terminateSession('s2');
    await bridge.changePriority('r1', 'async');
    await bridge.cancelRequest('r2');
    await bridge.jobPage('j1', 2);
    await bridge.sessionHistory('s1');
    await bridge.historyEntry('s1', 3);
    await bridge.historyPage('s1', 3, 0);
    await bridge.recentCommands(20);
    await bridge.backups('/f', 10);
    await bridge.backups('/f');
    await bridge.backupDiff('/f', 'b1', 'parent', 'x.txt');
    await bridge.restoreBackup('/f', 'b1');
    await bridge.restorePreview('/f', 'b1', 'a.txt');
    await bridge.answerApproval('apr_1', 'once');
    expect(calls).toEqual([
      ['cancelCommand', 's1'],
      ['snapshot'],
      ['terminateSession', 's2'],
      ['changePriority', 'r1', 'async'],
      ['cancelRequest', 'r2'],
      ['jobPage', 'j1', 2],
      ['sessionHistory', 's1'],
      ['historyEntry', 's1', 3],
      ['historyPage', 's1', 3, 0],
      ['recentCommands', 20],
      ['backups', '/f', 10],
      ['backups', '/f'],
      ['backupDiff', '/f', 'b1', 'parent', 'x.txt'],
      ['restoreBackup', '/f', 'b1'],
      ['restorePreview', '/f', 'b1', 'a.txt'],
      ['answerApproval', 'apr_1', 'once'],
    ]);
  });

  it('turns a rejected invoke or an odd answer into an { ok: false } value', async () => {
    const { api } = fakeApi(async (op) => {
      if (op === 'cancelRequest') throw new Error('No handler registered');
      return 42;
    });
    const bridge = createIpcBridge(api);
    const failed = await bridge.cancelRequest('r1');
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.reason).toContain('No handler registered');
    const odd = await bridge.terminateSession('s1');
    expect(odd.ok).toBe(false);
  });

  it('fans each batch out to every listener, event by event, in order', () => {
    const { api, events, pushEvents } = fakeApi();
    const bridge = createIpcBridge(api);
    const a: PoshpoolEvent[] = [];
    const b: PoshpoolEvent[] = [];
    const offA = bridge.onEvent((e) => a.push(e));
    bridge.onEvent((e) => b.push(e));
    expect(events.size).toBe(1); // one preload subscription for every listener
    pushEvents([event(1), event(2)]);
    pushEvents([event(3)]);
    expect(a.map((e) => e.time)).toEqual([1, 2, 3]);
    expect(b.map((e) => e.time)).toEqual([1, 2, 3]);
    offA();
    pushEvents([event(4)]);
    expect(a.map((e) => e.time)).toEqual([1, 2, 3]);
    expect(b.map((e) => e.time)).toEqual([1, 2, 3, 4]);
  });

  it('reports the current state at once, then every change main pushes', () => {
    const { api, pushState } = fakeApi();
    const bridge = createIpcBridge(api);
    const states: ConnectionState[] = [];
    const off = bridge.onConnection((s) => states.push(s));
    pushState('connected');
    pushState('connected');
    pushState('disconnected');
    off();
    pushState('connected');
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('becomes connected when main answers a snapshot while connecting', async () => {
    const { api } = fakeApi();
    const bridge = new IpcBridge(api);
    const states: ConnectionState[] = [];
    bridge.onConnection((s) => states.push(s));
    await bridge.snapshot();
    expect(bridge.connectionState).toBe('connected');
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('dispose unsubscribes from the preload, drops listeners and refuses later actions', async () => {
    const { api, calls, events, connection, pushEvents, pushState } = fakeApi();
    const bridge = createIpcBridge(api);
    const got: PoshpoolEvent[] = [];
    const states: ConnectionState[] = [];
    bridge.onEvent((e) => got.push(e));
    bridge.onConnection((s) => states.push(s));
    expect(events.size).toBe(1);
    expect(connection.size).toBe(1);
    bridge.dispose();
    bridge.dispose();
    expect(events.size).toBe(0);
    expect(connection.size).toBe(0);
    pushEvents([event(1)]);
    pushState('connected');
    expect(got).toEqual([]);
    expect(states).toEqual(['connecting']);
    const after = await bridge.cancelCommand('s1');
    expect(after.ok).toBe(false);
    expect(calls).toEqual([]);
    bridge.onEvent(() => undefined);
    expect(events.size).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricsSnapshot, SessionInfo } from '../../common/scheduler.js';
import type { HostState } from '../host/process/HostSupervisor.js';
import { TRAY_MENU_MIN_INTERVAL_MS, TrayController } from './TrayController.js';
import type { TrayInput, TrayMenuItem } from './trayView.js';

const RUNNING: HostState = { status: 'running', info: { pid: 1, version: '1', startedAt: '', mcpUrl: '', eventsUrl: '', metricsUrl: '', socketPath: '', tokenFile: '' }, dataDir: '/d', pid: 1 };

function input(command: string | null): TrayInput {
  const sessions: SessionInfo[] = [{ sessionId: 's1', clientId: 'c', kind: 'session', state: command ? 'running' : 'idle', currentCommand: command, commandStartedAt: null, cwd: null, commandCount: 0, lastActivity: 0, lentAt: 0, abandoned: false, pid: 1 }];
  return {
    host: RUNNING,
    summary: { sessions, clientNames: {}, approvals: [], metrics: { poolState: 'healthy', poolDegradedReason: '', paused: false, activeSessions: 1, maxSessions: 2, queueDepth: 0 } as MetricsSnapshot },
    startAtLogin: { supported: false, reason: 'dev' },
    notifications: { sessionAbandoned: true, backupFailed: true, poolDegraded: true, approvalRequested: true },
  };
}

describe('TrayController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`rebuilds the menu only when it changed, at most every ${TRAY_MENU_MIN_INTERVAL_MS} ms, and always ends on the latest state`, () => {
    const menus: TrayMenuItem[][] = [];
    const images: string[] = [];
    let destroyed = false;
    const c = new TrayController(
      { setImage: (f) => void images.push(f), setToolTip: () => undefined, setMenu: (m) => void menus.push(m), onClick: () => undefined, destroy: () => void (destroyed = true) },
      { platform: 'darwin', assetsDir: '/a', onAction: () => undefined, now: () => Date.now() },
    );
    c.update(input(null));
    c.update(input(null));
    expect(menus).toHaveLength(1);
    expect(images).toEqual(['/a/tray/idleTemplate.png']);
    for (let i = 0; i < 10; i++) c.update(input(`command ${i}`));
    // The icon changes at once; the menu waits for its interval.
    expect(images).toEqual(['/a/tray/idleTemplate.png', '/a/tray/busyTemplate.png']);
    expect(menus).toHaveLength(1);
    vi.advanceTimersByTime(TRAY_MENU_MIN_INTERVAL_MS);
    expect(menus).toHaveLength(2);
    expect(JSON.stringify(menus[1])).toContain('s1: running command 9');
    c.dispose();
    expect(destroyed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

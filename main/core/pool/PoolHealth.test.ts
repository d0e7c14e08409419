import { describe, expect, it } from 'vitest';
import { PoolHealth } from './PoolHealth.js';

const settings = { spawnBackoffInitialMs: 100, spawnBackoffMaxMs: 1000, degradedFailureCount: 3, degradedWindowSeconds: 10 };

function clock(start = 0): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('PoolHealth', () => {
  it('doubles the retry delay with each failure in a row, up to the cap, and a success starts it again', () => {
    const c = clock();
    const h = new PoolHealth(settings, c.now, undefined);
    expect([1, 2, 3, 4, 5].map(() => h.failure('x').retryInMs)).toEqual([100, 200, 400, 800, 1000]);
    h.success();
    expect(h.failure('x').retryInMs).toBe(100);
    expect(h.restarts).toBe(6);
  });

  it('is degraded once degradedFailureCount failures fall within the window, and says so only once', () => {
    const c = clock();
    const h = new PoolHealth(settings, c.now, undefined);
    expect(h.failure('a').degradedNow).toBe(false);
    c.advance(11_000); // the first failure leaves the window
    expect(h.failure('b')).toMatchObject({ degradedNow: false, failures: 1 });
    expect(h.failure('c').degradedNow).toBe(false);
    expect(h.failure('d')).toMatchObject({ degradedNow: true, failures: 3 });
    expect(h.failure('e').degradedNow).toBe(false);
    expect(h.lastFailure).toBe('e');
  });

  it('reports how long it was down when a start succeeds after being degraded, and nothing otherwise', () => {
    const c = clock(1000);
    const h = new PoolHealth({ ...settings, degradedFailureCount: 1 }, c.now, undefined);
    expect(h.success()).toEqual({});
    expect(h.failure('pwsh not found').degradedNow).toBe(true);
    c.advance(2500);
    expect(h.success()).toEqual({ recoveredAfterMs: 2500 });
    expect(h.success()).toEqual({});
  });

  it("tells a remote host's callers that other hosts are not affected, and a local pool's callers where to look", () => {
    const remote = new PoolHealth(settings, clock().now, 'buildbox');
    remote.failure('the host refused the connection.');
    expect(remote.degradedMessage()).toBe(
      'Sessions on host "buildbox" cannot be started: the host refused the connection. poshpool retries with a growing delay (up to 1 s) and lends sessions there again once the host answers; sessions on other hosts are not affected.',
    );
    const local = new PoolHealth(settings, clock().now, undefined);
    local.failure('pwsh exited with code 1');
    local.failure('pwsh exited with code 1');
    expect(local.degradedMessage()).toContain('PowerShell sessions cannot be started: pwsh exited with code 1 (2 failures in 10 s)');
    expect(local.degradedMessage()).toContain('"shell.path"');
  });
});

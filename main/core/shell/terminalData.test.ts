import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionFixture } from '../../../test/pwsh.js';
import type { PwshSession } from './PwshSession.js';

// Real pwsh on a real pty: what PwshSession.onTerminalData publishes for a person watching.

let fx: SessionFixture;
let s: PwshSession;
let seen = '';
beforeAll(async () => {
  fx = new SessionFixture();
  s = await fx.start();
  s.onTerminalData((data) => {
    seen += data;
  });
});
afterAll(async () => {
  await fx.dispose();
});

/** Everything that would betray poshpool's own traffic in the stream. */
function expectNoPoshpoolTraffic(text: string): void {
  expect(text).not.toContain('#poshpool-');
  expect(text).not.toContain('\x1b]'); // OSC markers
  expect(text).not.toContain('\x1b[6n'); // cursor position queries
  expect(text).not.toContain('\x1b[2J'); // the fresh screen after the start marker
  expect(text).not.toMatch(/^PS> /m);
  expect(text).not.toContain('Enter-PoshpoolCommand');
}

describe('onTerminalData (real pwsh)', () => {
  it("publishes a command's output and errors, and none of poshpool's traffic", async () => {
    seen = '';
    const r = await s.run('1..3 | ForEach-Object { "row $_" }; Write-Error "it broke"');
    expect(r.status).toBe('completed');
    expect(seen).toContain('row 1\r\nrow 2\r\nrow 3\r\n');
    expect(seen).toContain('it broke');
    expectNoPoshpoolTraffic(seen);
  });

  it("leaves poshpool's own commands (hidden ones, the reset) out entirely", async () => {
    seen = '';
    await s.run('"visible-marker-of-hidden"', { hidden: true });
    expect((await s.reset()).ok).toBe(true);
    expect(seen).toBe('');
    await s.run('"after the reset"');
    expect(seen).toContain('after the reset');
    expectNoPoshpoolTraffic(seen);
  });

  it('publishes output while the command still runs', async () => {
    seen = '';
    const running = s.run('"first"; Start-Sleep -Milliseconds 1500; "second"');
    // Seen before the command's end: the stream is live, not a replay of the result.
    while (!seen.includes('first')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).not.toContain('second');
    await running;
    expect(seen).toContain('second');
    expectNoPoshpoolTraffic(seen);
  });
});

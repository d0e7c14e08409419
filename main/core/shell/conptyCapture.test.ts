import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../common/shell.js';
import { requirePwsh } from '../../../test/pwsh.js';
import { defaultShellConfig, type ShellConfig } from '../config/shellConfig.js';
import { OutputStore } from '../jobs/OutputStore.js';
import { ConptyShaper, conptyShapedPty, type ConptyShapeLog } from './conptyShape.test-support.js';
import { currentPlatform } from '../platform/Platform.js';
import { PwshSession, type PtyModule } from './PwshSession.js';
import { TerminalScreen, type CaptureFences } from './TerminalScreen.js';

// The capture must not depend on the order of markers and text, nor on long markers arriving:
// ConPTY paints text on its next frame but passes OSC sequences through at once, and Windows 10's
// conhost drops OSC sequences over 256 characters. These tests replay streams shaped that way
// against the capture code, then run real pwsh through the same shaping.

const OSC = 7717;
const FENCES: CaptureFences = { start: '#poshpool-fence-abc:1:s', end: '#poshpool-fence-abc:1:e' };
const osc = (kind: string): string => `\x1b]${OSC};nonce;1;${kind};\x07`;
const startFence = `\r${FENCES.start}\x1b[K\r\n`;
const endFence = `\r\n\r${FENCES.end}\x1b[K\r\n`;

/** A screen whose start marker begins a capture; resolves with the captured lines once complete. */
function capture(): { screen: TerminalScreen; lines: string[]; done: Promise<void>; markers: string[] } {
  const lines: string[] = [];
  const markers: string[] = [];
  let complete!: () => void;
  const done = new Promise<void>((resolve) => (complete = resolve));
  const screen: TerminalScreen = new TerminalScreen({
    cols: 80,
    rows: 10,
    scrollback: 1000,
    oscNumber: OSC,
    sliceChars: 256,
    onReply: () => undefined,
    onMarker: (data) => {
      markers.push(data);
      if (data.includes(';start;')) screen.beginCapture(FENCES, (l) => lines.push(l), complete);
      if (data.includes(';end;')) screen.checkFences();
    },
  });
  return { screen, lines, done, markers };
}

describe('capture replayed as ConPTY shapes it (markers before their text, repaints, long OSC dropped)', () => {
  it('captures the text painted after its start and end markers arrived', async () => {
    const c = capture();
    // ConPTY order: the start and end markers come first, the frame with the fences and output after.
    c.screen.write(`PS> ${osc('start')}${osc('end')}`);
    await c.screen.flush();
    expect(c.lines).toEqual([]);
    c.screen.write(`\x1b[?25l\r\n${startFence}line one\x1b[K\r\nline two\x1b[K${endFence}PS> \x1b[?25h`);
    await c.done;
    expect(c.lines.filter((l) => l !== '')).toEqual(['line one', 'line two']);
    c.screen.dispose();
  });

  it('is not complete until the end fence is painted, however long the frame takes', async () => {
    const c = capture();
    let completed = false;
    void c.done.then(() => (completed = true));
    c.screen.write(`${startFence}${osc('start')}first\r\n${osc('end')}`);
    await c.screen.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(completed).toBe(false);
    c.screen.write(`second\x1b[K${endFence}`);
    await c.done;
    expect(c.lines).toEqual(['first', 'second']);
    c.screen.dispose();
  });

  it('applies repaints: a row rewritten in place, the cursor moved back over the screen', async () => {
    const c = capture();
    c.screen.write(`${startFence}${osc('start')}`);
    // A progress line rewritten three times, then a row repainted by absolute cursor moves, as
    // ConPTY does when it redraws a frame.
    c.screen.write(`10%\r20%\r\x1b[Kdone\r\nrow B\r\n`);
    c.screen.write(`\x1b[2;1Hrow A\x1b[K\x1b[4;1H`);
    c.screen.write(`${endFence}${osc('end')}`);
    await c.done;
    expect(c.lines.filter((l) => l !== '')).toEqual(['row A', 'row B']);
    c.screen.dispose();
  });

  it('keeps every line of output that scrolls through the scrollback between two frames', async () => {
    const c = capture();
    const body = Array.from({ length: 500 }, (_, i) => `line ${i + 1}\x1b[K\r\n`).join('');
    c.screen.write(osc('start') + osc('end'));
    c.screen.write(`\x1b[?25l${startFence}${body}${endFence.slice(2)}\x1b[?25h`);
    await c.done;
    expect(c.lines).toEqual(Array.from({ length: 500 }, (_, i) => `line ${i + 1}`));
    c.screen.dispose();
  });

  it('a marker longer than 256 characters is dropped by the shaping, and the short ones all pass', async () => {
    const out: string[] = [];
    const shaper = new ConptyShaper((d) => out.push(d), { frameMs: 1 });
    shaper.push(`\x1b]${OSC};n;1;end;${'A'.repeat(300)}\x07text\r\n\x1b]${OSC};n;1;ready;0,1\x07`);
    shaper.paint();
    expect(shaper.log.dropped).toHaveLength(1);
    expect(shaper.log.forwarded).toEqual([`\x1b]${OSC};n;1;ready;0,1\x07`]);
    expect(out.join('')).not.toContain('AAAA');
    expect(shaper.log.overtook).toBe(1);
    shaper.dispose();
  });
});

// ---- real pwsh through ConPTY-shaped output ----------------------------------------------------

describe('real pwsh through ConPTY-shaped output', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-conpty-'));
  const store = new OutputStore({ dir: path.join(dir, 'outputs'), pageBytes: 64 * 1024, maxEntries: 20, maxTotalBytes: 64 * 1024 * 1024 });
  const logs: ConptyShapeLog[] = [];
  const sessions: PwshSession[] = [];
  let s: PwshSession;

  async function start(config: Partial<ShellConfig> = {}): Promise<PwshSession> {
    const started = await PwshSession.start({
      shell: requirePwsh(),
      config: defaultShellConfig(config),
      outputStore: store,
      tempRoot: dir,
      cwd: dir,
      // The real terminal library of this OS, its output shaped as ConPTY shapes it.
      ptyModule: conptyShapedPty((await import(currentPlatform().pty.module)) as PtyModule, { frameMs: 16, maxOscChars: 256 }, logs),
    });
    if (!started.ok) throw new Error(started.reason);
    sessions.push(started.session);
    return started.session;
  }

  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await Promise.all(sessions.map((x) => x.dispose()));
    store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function clean(r: CommandResult): void {
    expect(r.output).not.toContain('\x1b');
    expect(r.output).not.toContain('poshpool-fence');
    expect(r.output).not.toContain('Enter-PoshpoolCommand');
    expect(r.output).not.toMatch(/^PS> /m);
  }

  it('returns each command\'s whole output, no tail lost and none leaking into the next result', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await s.run(`1..40 | ForEach-Object { "cmd ${i} line $_" }; Write-Host -NoNewline "cmd ${i} tail"`);
      clean(r);
      const lines = r.output.split('\n');
      expect(lines).toHaveLength(41);
      expect(lines[0]).toBe(`cmd ${i} line 1`);
      expect(lines.at(-1)).toBe(`cmd ${i} tail`);
    }
    // The shaping really did reorder: markers overtook their text.
    expect(logs[0]!.overtook).toBeGreaterThan(0);
  });

  it('reports structured errors, exit codes and cwd although long records would be dropped as markers', async () => {
    const r = await s.run(`1..6 | ForEach-Object { Write-Error ("failure $_ " + ('x' * 300)) }; Set-Location '${dir}'; cmd-that-does-not-exist`);
    clean(r);
    expect(r.status).toBe('completed');
    expect(r.success).toBe(false);
    expect(r.errorCount).toBe(7);
    expect(r.errors[0]!.message).toMatch(/^failure 1 x{300}$/);
    expect(r.errors.at(-1)!.fullyQualifiedErrorId).toBe('CommandNotFoundException');
    expect(r.cwd).toBe(dir);
    // Nothing of ours was long enough to be dropped.
    for (const log of logs) expect(log.dropped).toEqual([]);
    for (const log of logs) for (const m of log.forwarded) expect(m.length).toBeLessThanOrEqual(256);
  });

  it('keeps working after a cancel, with the next result clean', async () => {
    const running = s.run('Write-Output before; Start-Sleep -Seconds 30; Write-Output after');
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.cancel()).toBe(true);
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.output).toContain('before');
    expect(r.output).not.toContain('after');
    const next = await s.run('Write-Output next');
    clean(next);
    expect(next.output).toBe('next');
  });

  it('sends every end record through the side file when markers must be tiny, with the same results', async () => {
    const tiny = await start({ maxMarkerChars: 96 });
    const ok = await tiny.run('Write-Output hi');
    expect(ok).toMatchObject({ status: 'completed', success: true, exitCode: 0, output: 'hi', cwd: dir });
    const failed = await tiny.run("Get-Item '/no/such/place'");
    expect(failed).toMatchObject({ status: 'completed', success: false, exitCode: 1, errorCount: 1 });
    expect(failed.errors[0]!.fullyQualifiedErrorId).toContain('PathNotFound');
  });
});

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { OutputStore } from '../main/core/jobs/OutputStore.js';
import { OutputCollector } from '../main/core/shell/OutputCollector.js';
import { TerminalScreen } from '../main/core/shell/TerminalScreen.js';

/** MB here is 10^6 bytes. */
const MB = 1e6;
const OSC = 7717;

/**
 * The engine's own share of output capture: pty-shaped text (CRLF lines between a start and an end
 * fence and marker, fed in 64 KiB chunks as a pty delivers them) through TerminalScreen and OutputCollector,
 * with no pwsh involved. Returns MB/s of output bytes.
 */
export async function measureCapturePipeline(store: OutputStore, lines: number, lineChars: number, capBytes: number): Promise<{ mbps: number; bytes: number }> {
  const body = `${'x'.repeat(lineChars)}\r\n`.repeat(lines);
  // As integration.ps1 prints them: a fence line before the start marker, one after the output.
  const fences = { start: '#poshpool-fence-bench:1:s', end: '#poshpool-fence-bench:1:e' };
  const data = `\r${fences.start}\x1b[K\r\n\x1b]${OSC};n;1;start;\x07${body}\r\n\r${fences.end}\x1b[K\r\n\x1b]${OSC};n;1;end;\x07`;
  const collector = new OutputCollector(capBytes, store);
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const screen = new TerminalScreen({
    cols: 200,
    rows: 50,
    scrollback: 4000,
    oscNumber: OSC,
    sliceChars: 2000,
    onReply: () => undefined,
    onMarker: (marker) => {
      if (marker.includes(';start;')) screen.beginCapture(fences, (line) => collector.push(line), done);
    },
  });
  const t0 = performance.now();
  const chunk = 64 * 1024;
  for (let i = 0; i < data.length; i += chunk) screen.write(data.slice(i, i + chunk));
  await ended;
  const result = collector.finish();
  const ms = performance.now() - t0;
  screen.dispose();
  if (result.outputRef) store.delete(result.outputRef);
  if (result.outputBytes !== lines * (lineChars + 1)) throw new Error(`capture pipeline lost output: ${result.outputBytes} of ${lines * (lineChars + 1)} bytes`);
  return { mbps: result.outputBytes / MB / (ms / 1000), bytes: result.outputBytes };
}

/** Wall time of `pwsh -Command <command>` with stdout drained through a pipe (no pty, no poshpool). */
export function timePwshToPipe(shellPath: string, command: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(shellPath, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', command], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`pwsh exited with ${code}`));
      else resolve({ ms: performance.now() - t0, bytes });
    });
  });
}

import { performance } from 'node:perf_hooks';
import type { SessionState } from '../../../common/shell.js';
import type { ShellConfig } from '../config/shellConfig.js';
import type { Disposable } from '../events/Emitter.js';
import type { Platform } from '../platform/Platform.js';
import { buildCommandLines, MAX_LINE_CHARS } from './commandLine.js';
import type { ResolvedShell } from './discovery.js';
import type { InputWatch } from './InputWatch.js';
import { decodeEndPayload, END_RECORD_IN_FILE, END_RECORD_IN_PIECES, type Marker } from './markers.js';
import { readEndRecordFile, type Finish, type Running } from './runningCommand.js';
import type { SessionControl } from './sessionControl.js';
import type { TerminalScreen } from './TerminalScreen.js';

/**
 * The last rows the running command printed: never rows from before it (a session can be lent to
 * another client after a reset, and the screen still holds what the previous one saw).
 */
export function captureTail(screen: TerminalScreen, rows: number): string {
  const lines = screen.peekCapture();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.slice(-rows).join('\n');
}

/** The session as a command's way through it sees it. */
export interface FlowHost {
  readonly config: ShellConfig;
  readonly shellKind: ResolvedShell['kind'];
  readonly platform: Platform;
  /** The session's private dir (end records too long for a marker, on this machine). */
  readonly tempDir: string;
  /** Per-session random text of the fence lines. */
  readonly fence: string;
  readonly screen: TerminalScreen;
  readonly inputWatch: InputWatch;
  readonly control: SessionControl;
  current(): Running | undefined;
  state(): SessionState;
  /** Types into the pty. */
  write(data: string): void;
  /** Fires once when pwsh has ended. */
  onExit(listener: () => void): Disposable;
  /** Gives the command its result (the session's own bookkeeping). */
  finish(r: Running, how: Finish): void;
  /** The command waits for input. */
  markWaiting(r: Running): void;
}

/**
 * One command's way through the session: typed in (base64 parts, each acknowledged), started (the
 * capture of its output begins), ended (the end record), settled (the end fence painted) and back at
 * the prompt. Command end is never guessed from text: each step is a marker of the session's nonce.
 */
export class CommandFlow {
  private partAck: ((count: number) => void) | undefined;

  constructor(private readonly host: FlowHost) {}

  /** Types the command in: its parts, each once the previous one was acknowledged, then the run line. */
  async send(command: string, r: Running, hidden: boolean): Promise<void> {
    const h = this.host;
    const c = h.config;
    const { parts, line } = buildCommandLines(command, r.seq, c.commandPartChars, MAX_LINE_CHARS[h.shellKind], hidden);
    for (const part of parts) {
      let onExit: Disposable | undefined;
      const acked = new Promise<boolean>((resolve) => {
        this.partAck = () => resolve(true);
        onExit = h.onExit(() => resolve(false));
      });
      h.write(part);
      const ok = await acked;
      onExit?.dispose();
      if (!ok) return;
    }
    this.partAck = undefined;
    if (h.current() === r) h.write(line);
  }

  /** A `part` marker: the integration script has read a part of the command numbered `seq` (the session's last). */
  onPart(m: Marker, seq: number): void {
    if (m.seq === seq - 1 || m.seq === seq) this.partAck?.(Number(m.payload));
  }

  /** A prompt (`ready` marker) once the session is up: the command's end, or a nested prompt. */
  onPrompt(m: Marker, nested: number): void {
    const r = this.host.current();
    if (!r || m.seq !== r.seq) return; // a prompt redrawn after a stray Ctrl+C
    if (nested > 0) {
      // A nested prompt ($Host.EnterNestedPrompt, a debugger stop): the command is paused, awaiting input.
      this.host.markWaiting(r);
      return;
    }
    if (r.report || r.reportProblem) {
      // The prompt marker can overtake the output too (ConPTY): finish once the output has settled.
      r.promptBack = true;
      this.completeIfDone(r);
    } else if (r.started) {
      // The prompt came back without an end marker: the stop landed inside poshpool's own epilogue.
      this.settle(r);
      this.host.finish(r, { status: r.stopReason ?? 'completed', message: r.stopReason ? undefined : 'pwsh returned to its prompt without reporting how the command ended.' });
    }
  }

  /** A `rec` marker: a piece of an end record too long for one marker (a session on another host). */
  onRecord(m: Marker): void {
    const r = this.host.current();
    if (r && m.seq === r.seq && r.started && !r.report) (r.recordPieces ??= []).push(m.payload);
  }

  onStart(m: Marker): void {
    const h = this.host;
    const r = h.current();
    if (!r || m.seq !== r.seq || r.started) return;
    r.started = true;
    r.startedAt = performance.now();
    h.screen.beginCapture(
      { start: `${h.fence}:${r.seq}:s`, end: `${h.fence}:${r.seq}:e` },
      (line) => r.collector.push(line),
      () => this.onSettled(r),
    );
    h.inputWatch.start(
      () => h.current() === r && !r.report && h.state() === 'running',
      () => h.markWaiting(r),
    );
    if (r.stopReason) h.control.beginInterrupt(r);
  }

  onEnd(m: Marker): void {
    const h = this.host;
    const r = h.current();
    if (!r || m.seq !== r.seq || !r.started || r.report) return;
    r.endedAt = performance.now();
    const decoded =
      m.payload === END_RECORD_IN_FILE
        ? readEndRecordFile(h.tempDir, h.platform.path.join, r.seq)
        : decodeEndPayload(m.payload === END_RECORD_IN_PIECES ? (r.recordPieces ?? []).join('') : m.payload);
    if (decoded.ok) r.report = decoded.report;
    else r.reportProblem = decoded.reason;
    h.inputWatch.stop();
    h.control.clearStopTimers(r);
    // The end fence was printed before this marker: on a plain pty it is on screen now; ConPTY paints
    // it on its next frame, so wait for it (bounded).
    h.screen.checkFences();
    if (!r.settled && h.current() === r) {
      r.settleTimer = setTimeout(() => {
        if (h.current() !== r || r.settled) return;
        this.settle(r);
        r.reportProblem ??= `the output did not settle within ${h.config.settleTimeoutMs} ms of the command's end; it may be incomplete`;
        this.completeIfDone(r);
      }, h.config.settleTimeoutMs);
    }
    this.completeIfDone(r);
  }

  /** Ends the capture where the screen stands (no end fence will come). */
  settle(r: Running): void {
    if (r.settled) return;
    this.host.screen.forceEndCapture();
    r.settled = true;
  }

  /** The capture saw the end fence: the output is complete. */
  private onSettled(r: Running): void {
    r.settled = true;
    if (r.settleTimer) clearTimeout(r.settleTimer);
    this.completeIfDone(r);
  }

  /**
   * A normal end is final once its output has settled: the next command may be typed ahead of the
   * prompt (the tty keeps it until pwsh reads its next line). Otherwise wait for the prompt: after a
   * stop, so that no Ctrl+C still in flight meets the next command; after a body that stopped early
   * (`exit`, a top-level return or break), because an `exit` outside a script file ends pwsh right
   * after the end marker.
   */
  private completeIfDone(r: Running): void {
    if (this.host.current() !== r || !r.settled || !(r.report || r.reportProblem)) return;
    if (r.promptBack || (!r.interrupted && r.report && !r.report.exited)) {
      this.host.finish(r, { status: r.stopReason ?? 'completed' });
      return;
    }
    this.watchForPrompt(r);
  }

  /**
   * The prompt is awaited after a stop: a Ctrl+C still in flight can cut pwsh's prompt function
   * short, and the prompt (with its marker) is then never drawn. An empty line asks for a new one;
   * if none comes either, the command's result is given all the same, with a note.
   */
  private watchForPrompt(r: Running): void {
    if (r.promptTimer) return;
    const h = this.host;
    const wait = h.config.settleTimeoutMs;
    r.promptTimer = setTimeout(() => {
      if (h.current() !== r || r.promptBack) return;
      h.write('\r');
      r.promptTimer = setTimeout(() => {
        if (h.current() !== r || r.promptBack) return;
        r.reportProblem ??= `pwsh did not show its prompt within ${2 * wait} ms after the command ended`;
        h.finish(r, { status: r.stopReason ?? 'completed' });
      }, wait);
    }, wait);
  }
}

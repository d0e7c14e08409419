import type * as Pty from '@lydell/node-pty';
import type { PtyModule } from './PwshSession.js';

/**
 * Shapes a real pty's output the way ConPTY (the Windows pseudoconsole) shapes a console's, for
 * tests that cannot run on Windows:
 * - OSC sequences it does not know are passed through at once, while the text around them is painted
 *   on its next frame (microsoft/terminal#11220, #8698, #17314): every OSC overtakes the text that
 *   preceded it in the same frame;
 * - Windows 10's conhost drops OSC sequences longer than 256 characters (microsoft/terminal#15551);
 * - a frame is painted as a repaint: cursor hidden, the text, erase-to-end-of-line after each row,
 *   cursor shown again.
 */
export interface ConptyShapeOptions {
  /** Frame interval (ConPTY paints at most ~60 times a second). */
  frameMs?: number;
  /** OSC sequences longer than this are dropped (Windows 10 conhost: 256). */
  maxOscChars?: number;
}

/** What the shaping saw, for assertions. */
export interface ConptyShapeLog {
  /** OSC sequences forwarded (whole, ESC to BEL). */
  forwarded: string[];
  /** OSC sequences dropped for their length. */
  dropped: string[];
  /** OSCs that overtook text painted after them. */
  overtook: number;
}

// eslint-disable-next-line no-control-regex -- OSC sequences are made of control characters
const OSC_RE = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** A stateful shaper: push raw chunks, receive shaped chunks through `emit`. */
export class ConptyShaper {
  readonly log: ConptyShapeLog = { forwarded: [], dropped: [], overtook: 0 };
  private text = '';
  private carry = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emit: (data: string) => void,
    private readonly options: ConptyShapeOptions = {},
  ) {}

  push(chunk: string): void {
    let data = this.carry + chunk;
    this.carry = '';
    // An OSC cut at the end of a chunk waits for its end.
    const open = data.lastIndexOf('\x1b]');
    // eslint-disable-next-line no-control-regex -- BEL or ST ends an OSC
    if (open >= 0 && !/\x07|\x1b\\/.test(data.slice(open))) {
      this.carry = data.slice(open);
      data = data.slice(0, open);
    }
    let last = 0;
    for (const m of data.matchAll(OSC_RE)) {
      this.text += data.slice(last, m.index);
      last = m.index + m[0].length;
      if (m[0].length > (this.options.maxOscChars ?? 256)) {
        this.log.dropped.push(m[0]);
        continue;
      }
      if (this.text.length > 0) this.log.overtook++;
      this.log.forwarded.push(m[0]);
      this.emit(m[0]);
    }
    this.text += data.slice(last);
    this.timer ??= setTimeout(() => this.paint(), this.options.frameMs ?? 16);
  }

  /** Paints what is pending now. */
  paint(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.text === '') return;
    // Each painted row ends with erase-to-end-of-line (CR runs before a line feed are one row end).
    const frame = this.text.replace(/\r+\n/g, '\x1b[K\r\n');
    this.text = '';
    this.emit(`\x1b[?25l${frame}\x1b[?25h`);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A pty module whose terminals' output goes through a ConptyShaper; `logs` collects each terminal's log. */
export function conptyShapedPty(real: PtyModule, options: ConptyShapeOptions = {}, logs: ConptyShapeLog[] = []): PtyModule {
  return {
    spawn(file: string, args: string[] | string, opts: Pty.IPtyForkOptions): Pty.IPty {
      const term = real.spawn(file, args, opts);
      const listeners = new Set<(data: string) => void>();
      const shaper = new ConptyShaper((data) => {
        for (const l of listeners) l(data);
      }, options);
      logs.push(shaper.log);
      term.onData((d) => shaper.push(d));
      term.onExit(() => shaper.paint());
      return new Proxy(term, {
        get(target, prop, receiver) {
          if (prop === 'onData') {
            return (listener: (data: string) => void) => {
              listeners.add(listener);
              return { dispose: () => listeners.delete(listener) };
            };
          }
          if (prop === 'onExit') {
            // The last frame is painted before the exit is reported.
            return (listener: (e: { exitCode: number; signal?: number }) => void) =>
              target.onExit((e) => {
                shaper.paint();
                shaper.dispose();
                listener(e);
              });
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}

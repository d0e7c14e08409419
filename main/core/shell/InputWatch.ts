/** A prompt-like last row: "Name: ", "Continue?", "[Y] Yes ...:", "(y/n)". */
const PROMPT_LIKE = /(?::|\?|>|\]|\(y\/n\)|\[y\/n\])\s*$/i;
const CURSOR_QUERY = '\x1b[6n';

/** What the watch reads of the screen. */
export interface WatchedScreen {
  cursorLine(): string;
}

/**
 * Tells when a running command waits for input: no output for `idleMs`, and either a cursor-position
 * query as the last thing printed (a console read asks for it first) or a prompt-like cursor row.
 */
export class InputWatch {
  private lastOutputAt = 0;
  private queriedSinceOutput = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly screen: WatchedScreen,
  ) {}

  /** Notes pty output of a running command. Returns true when it was more than a lone cursor query (the command is active). */
  noteOutput(data: string): boolean {
    const at = data.lastIndexOf(CURSOR_QUERY);
    const endsWithQuery = at >= 0 && at + CURSOR_QUERY.length === data.length;
    const active = !endsWithQuery || at > 0;
    if (active) this.lastOutputAt = Date.now();
    this.queriedSinceOutput = endsWithQuery;
    return active;
  }

  /** Input was sent or the command (re)started: the silence starts over. */
  reset(): void {
    this.lastOutputAt = Date.now();
    this.queriedSinceOutput = false;
  }

  /** Checks every quarter of idleMs while `watching()` holds; calls `onWaiting` when the command seems to wait. */
  start(watching: () => boolean, onWaiting: () => void): void {
    this.stop();
    this.reset();
    this.timer = setInterval(() => {
      if (!watching()) return;
      if (Date.now() - this.lastOutputAt < this.idleMs) return;
      if (this.queriedSinceOutput || PROMPT_LIKE.test(this.screen.cursorLine())) onWaiting();
    }, Math.max(25, Math.floor(this.idleMs / 4)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

import type { ActionResult, TerminalRead } from '../../common/dashboard.js';
import type { PoshpoolEvent } from '../../common/events.js';
import type { Disposable } from '../core/events/Emitter.js';
import { TerminalRing } from './TerminalRing.js';

/** Characters of recent terminal output kept per session (a late viewer gets this much of the screen). */
export const TERMINAL_RING_CHARS = 256 * 1024;
/** Longest a read waits for new output before it answers with nothing new. */
export const MAX_TERMINAL_WAIT_MS = 15_000;
/** A waiting read is answered this long after the first new output, so a burst goes in one answer. */
export const TERMINAL_BATCH_MS = 50;
/** Reads waiting at once on one session; more are answered at once (a viewer opened in many tabs). */
const MAX_WAITING_READS = 16;
/** Ended sessions whose terminal stays readable (the newest; older ones are forgotten). */
const KEPT_ENDED_SESSIONS = 16;
/** How a synthesized prompt line looks: `PS>` in bold green, as a terminal tab would show it. */
const PROMPT = '\x1b[1;32mPS>\x1b[0m ';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** What the feeds read a shell's terminal from (PwshSession fits). */
export interface TerminalSource {
  onTerminalData(listener: (data: string) => void): Disposable;
}

/** Where the feeds learn of sessions and commands (the EventBus fits). */
export interface TerminalEvents {
  onEvent(listener: (event: PoshpoolEvent) => void): Disposable;
}

/** A read waiting for output: `soon` answers after the batch delay, `now` at once. */
interface Waiter {
  soon(): void;
  now(): void;
}

interface Feed {
  ring: TerminalRing;
  sub: Disposable | undefined;
  ended: boolean;
  waiting: Set<Waiter>;
}

/**
 * Every lent session's live terminal, for the dashboard: from its start, the filtered pty stream
 * (PwshSession.onTerminalData) with a prompt line per command (from command.started) and, after one
 * that did not succeed, how it ended (from command.finished), in a bounded
 * ring per session. Viewers pull with a cursor (long poll over HTTP and IPC alike), so the host
 * never pushes faster than a viewer reads, and a viewer that falls behind is resynced from the ring.
 */
export class TerminalFeeds implements Disposable {
  private readonly feeds = new Map<string, Feed>();
  private readonly endedOrder: string[] = [];
  private readonly sub: Disposable;
  private disposed = false;

  constructor(
    events: TerminalEvents,
    private readonly shellOf: (sessionId: string) => TerminalSource | undefined,
    private readonly capacityChars = TERMINAL_RING_CHARS,
    private readonly batchMs = TERMINAL_BATCH_MS,
  ) {
    this.sub = events.onEvent((e) => this.onEvent(e));
  }

  /**
   * What session `sessionId`'s terminal showed since cursor `since` (0 for everything kept). When
   * nothing is new, waits up to `waitMs` (at most {@link MAX_TERMINAL_WAIT_MS}) for output.
   */
  async read(sessionId: string, since: number, waitMs = 0): Promise<ActionResult<TerminalRead>> {
    if (typeof sessionId !== 'string' || sessionId.length === 0) return { ok: false, reason: 'sessionId is required (a session id from the sessions table).' };
    if (!Number.isInteger(since) || since < 0) return { ok: false, reason: `since must be a whole number from 0, the "next" of the previous read (got ${String(since)}).` };
    const feed = this.feeds.get(sessionId);
    if (!feed) return { ok: false, reason: `No terminal for session "${sessionId}": it never existed or ended long ago.` };
    const wait = Math.min(Math.max(0, Number.isFinite(waitMs) ? waitMs : 0), MAX_TERMINAL_WAIT_MS);
    if (feed.ring.cursor === since && !feed.ended && wait > 0 && feed.waiting.size < MAX_WAITING_READS && !this.disposed) {
      await new Promise<void>((resolve) => {
        let batch: ReturnType<typeof setTimeout> | undefined;
        const done = (): void => {
          clearTimeout(timer);
          if (batch) clearTimeout(batch);
          feed.waiting.delete(waiter);
          resolve();
        };
        const waiter: Waiter = { soon: () => void (batch ??= setTimeout(done, this.batchMs)), now: done };
        const timer = setTimeout(done, wait);
        feed.waiting.add(waiter);
      });
    }
    return { ok: true, ...feed.ring.read(since), ended: feed.ended };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sub.dispose();
    for (const feed of this.feeds.values()) {
      feed.sub?.dispose();
      wakeAll(feed, true);
    }
    this.feeds.clear();
  }

  private onEvent(e: PoshpoolEvent): void {
    switch (e.type) {
      case 'session.started': {
        const feed: Feed = { ring: new TerminalRing(this.capacityChars), sub: undefined, ended: false, waiting: new Set() };
        feed.sub = this.shellOf(e.sessionId)?.onTerminalData((data) => this.append(feed, data));
        this.feeds.set(e.sessionId, feed);
        return;
      }
      case 'command.started': {
        const feed = this.feeds.get(e.sessionId);
        if (!feed) return;
        const lineStart = this.lineStart(feed);
        const shown = e.command.replace(/\r?\n/g, '\r\n>> ') + (e.commandChars > e.command.length ? `${DIM}…${RESET}` : '');
        this.append(feed, `${lineStart}${PROMPT}${shown}\r\n`);
        return;
      }
      case 'command.finished': {
        // How it ended, where it is not plain success, as a CI log says it: stopped, timed out, exit code.
        const feed = this.feeds.get(e.sessionId);
        const note = e.status === 'cancelled' ? 'cancelled' : e.status === 'timedOut' ? 'timed out' : e.status === 'sessionEnded' ? 'pwsh ended' : e.success ? undefined : `failed, exit code ${e.exitCode ?? 'unknown'}`;
        if (!feed || note === undefined) return;
        this.append(feed, `${this.lineStart(feed)}${DIM}[${note}]${RESET}\r\n`);
        return;
      }
      case 'session.ended': {
        const feed = this.feeds.get(e.sessionId);
        if (!feed) return;
        feed.sub?.dispose();
        feed.sub = undefined;
        this.append(feed, `\r\n${DIM}[session ended: ${e.detail || e.reason}]${RESET}\r\n`);
        feed.ended = true;
        wakeAll(feed, true);
        this.endedOrder.push(e.sessionId);
        while (this.endedOrder.length > KEPT_ENDED_SESSIONS) this.feeds.delete(this.endedOrder.shift()!);
        return;
      }
      default:
        return;
    }
  }

  /** A line end when the screen's last line is not finished, so a line poshpool adds starts its own. */
  private lineStart(feed: Feed): string {
    return feed.ring.cursor === 0 || feed.ring.read(feed.ring.cursor - 1).data === '\n' ? '' : '\r\n';
  }

  private append(feed: Feed, data: string): void {
    feed.ring.append(data);
    wakeAll(feed, false);
  }
}

/** Wakes the reads waiting on a feed: at once (it ended) or after the batch delay (new output). */
function wakeAll(feed: Feed, now: boolean): void {
  for (const waiter of [...feed.waiting]) {
    if (now) waiter.now();
    else waiter.soon();
  }
}

import { OwedRequests } from '../host/socket/owedRequests.js';

/**
 * How long the bridge waits, once its client's input ended, for the answers still owed (ms). Longer
 * than the host's default returnAfterSeconds (50 s), after which a long run_command answers with a
 * job id, so a one-shot pipe (`echo '...' | poshpool bridge`) gets every answer of a default host.
 */
export const DEFAULT_REPLY_GRACE_MS = 60_000;

/** Longest line the watcher reads; a longer one (the host refuses it anyway) is passed on unread. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Splits a byte stream into lines and hands each parsed JSON line on; what is not JSON is skipped. */
class LineTap {
  private parts: Buffer[] = [];
  private bytes = 0;
  private overlong = false;

  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly wanted: () => boolean = () => true,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, nl);
      from = nl + 1;
      const line = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
      const skip = this.overlong || line.length > MAX_LINE_BYTES;
      this.parts = [];
      this.bytes = 0;
      this.overlong = false;
      if (!skip && this.wanted()) this.parse(line);
    }
    const rest = chunk.subarray(from);
    if (rest.length === 0 || this.overlong) return;
    this.bytes += rest.length;
    if (this.bytes > MAX_LINE_BYTES) {
      this.overlong = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(rest));
  }

  private parse(line: Buffer): void {
    try {
      this.onValue(JSON.parse(line.toString('utf8')));
    } catch {
      // Not JSON: the host answers it (with id null); nothing here is owed for it.
    }
  }
}

/**
 * Watches what the bridge relays in both directions and counts the requests the client is still
 * owed an answer for, so that the bridge can wait for them after the client's input ends.
 */
export class ReplyWatch {
  private readonly owed = new OwedRequests();
  private readonly fromClient = new LineTap((v) => this.owed.fromClient(v));
  // Answers are read only while something is owed: an idle bridge parses nothing the host sends.
  private readonly toClient = new LineTap(
    (v) => this.owed.toClient(v),
    () => this.owed.size > 0,
  );

  /** Bytes the client sent (to the host). */
  clientBytes = (chunk: Buffer): void => this.fromClient.push(chunk);

  /** Bytes the host sent (to the client). */
  hostBytes = (chunk: Buffer): void => this.toClient.push(chunk);

  /** Resolves when nothing is owed, or after `timeoutMs` with the ids still owed. */
  settled(timeoutMs: number): ReturnType<OwedRequests['settled']> {
    return this.owed.settled(timeoutMs);
  }

  /** The ids still owed an answer. */
  owedIds(): ReturnType<OwedRequests['ids']> {
    return this.owed.ids();
  }

  /** Stops waiting. */
  dispose(): void {
    this.owed.dispose();
  }
}

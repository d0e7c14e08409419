/** Most events one MCP session keeps for replay to a client that reconnects with Last-Event-ID. */
export const MAX_STORED_EVENTS = 1000;
/** Most bytes of event data one MCP session keeps for replay (the oldest events go first). */
export const MAX_STORED_BYTES = 4 * 1024 * 1024;
/** Streams whose lost (evicted) events are remembered, so a late resume can say it missed some. */
const MAX_LOST_STREAMS = 1000;

interface StoredEvent {
  seq: number;
  stream: string;
  /** The event's data; null for a priming event (an id and no message). */
  data: string | null;
}

/** What a resume gets: the events kept after the client's last one, and how many it can no longer get. */
export interface Replay {
  events: Array<{ id: string; data: string }>;
  /** True when events of the stream after the client's last one were dropped from the store. */
  missed: boolean;
}

/**
 * The event store of one MCP session's event streams (the GET stream and the request streams that
 * became event streams), for resumption: every event gets an id `<stream>.<seq>` (seq counts up
 * across the session), and a client that reconnects with `Last-Event-ID` gets the events of that
 * stream that came after it. Bounded: the newest {@link MAX_STORED_EVENTS} events and at most
 * {@link MAX_STORED_BYTES} of data are kept (always at least the newest event); older ones are
 * dropped, and a resume from before them is told so ({@link Replay.missed}).
 */
export class SseEventStore {
  private readonly events: StoredEvent[] = [];
  private bytes = 0;
  private seq = 0;
  /** Per stream, the highest seq of an event of it that was dropped. */
  private readonly lost = new Map<string, number>();

  constructor(
    private readonly maxEvents: number = MAX_STORED_EVENTS,
    private readonly maxBytes: number = MAX_STORED_BYTES,
  ) {}

  /** Reads an event id of this store's shape, or undefined. */
  static parseId(id: string): { stream: string; seq: number } | undefined {
    const m = /^([a-z][a-z0-9]{0,15})\.(\d{1,15})$/.exec(id);
    return m ? { stream: m[1]!, seq: Number(m[2]) } : undefined;
  }

  /** Stores an event of `stream` (data null: a priming event) and returns its id. */
  add(stream: string, data: string | null): string {
    const seq = ++this.seq;
    this.events.push({ seq, stream, data });
    this.bytes += data?.length ?? 0;
    while (this.events.length > 1 && (this.events.length > this.maxEvents || this.bytes > this.maxBytes)) {
      const dropped = this.events.shift()!;
      this.bytes -= dropped.data?.length ?? 0;
      this.lost.delete(dropped.stream);
      this.lost.set(dropped.stream, dropped.seq);
      if (this.lost.size > MAX_LOST_STREAMS) this.lost.delete(this.lost.keys().next().value!);
    }
    return `${stream}.${seq}`;
  }

  /** Whether the store knows `stream` at all (an event of it is kept, or was dropped). */
  knows(stream: string): boolean {
    return this.lost.has(stream) || this.events.some((e) => e.stream === stream);
  }

  /** Whether `seq` is an id this store has handed out. */
  issued(seq: number): boolean {
    return seq >= 1 && seq <= this.seq;
  }

  /** The events of `stream` after `seq` that are still kept, in order (priming events left out). */
  after(stream: string, seq: number): Replay {
    const events: Replay['events'] = [];
    for (const e of this.events) if (e.stream === stream && e.seq > seq && e.data !== null) events.push({ id: `${stream}.${e.seq}`, data: e.data });
    return { events, missed: (this.lost.get(stream) ?? 0) > seq };
  }
}

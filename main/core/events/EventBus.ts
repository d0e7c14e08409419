import type { PoshpoolEvent } from '../../../common/events.js';
import { Emitter, type Disposable } from './Emitter.js';

/** An event without its time: the bus stamps it. */
export type EventInput = PoshpoolEvent extends infer E ? (E extends PoshpoolEvent ? Omit<E, 'time'> : never) : never;

/**
 * The one event bus: every state change of the core is published here, and fans out to MCP
 * notifications, the dashboard, the tray and the audit log. Publishing never throws.
 */
export class EventBus {
  private readonly emitter = new Emitter<PoshpoolEvent>();
  private disposed = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Subscribes to every event. */
  onEvent(listener: (event: PoshpoolEvent) => void): Disposable {
    return this.emitter.event(listener);
  }

  /** Publishes an event, stamped with the current time. */
  emit(event: EventInput): void {
    if (this.disposed) return;
    this.emitter.fire({ ...event, time: this.now() } as PoshpoolEvent);
  }

  dispose(): void {
    this.disposed = true;
    this.emitter.dispose();
  }
}

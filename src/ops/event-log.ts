/** The recent cluster events the status shows: a bounded list, oldest first. */
import { EVENT_LIMIT, type ClusterEvent, type ClusterEventType } from './snapshot.js';

export class EventLog {
  private items: ClusterEvent[] = [];

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly limit = EVENT_LIMIT,
  ) {}

  add(type: ClusterEventType, subject: string | null, message: string): void {
    this.items.push({ time: this.now().toISOString(), type, subject, message });
    if (this.items.length > this.limit) this.items = this.items.slice(-this.limit);
  }

  /** A copy: later events do not change it. */
  list(): ClusterEvent[] {
    return [...this.items];
  }
}

/**
 * Updates waiting to be spread, each sent a bounded number of times
 * (retransmitMult * ceil(log10(N+1))). A newer update about the same subject
 * replaces the older one. The least-sent updates go first.
 */
import { encodedSize } from './codec.js';
import type { PacketMessage } from './messages.js';

interface Entry {
  readonly message: PacketMessage;
  readonly size: number;
  transmits: number;
  /** Insertion order; newer first among equally-sent entries. */
  readonly order: number;
}

export class BroadcastQueue {
  private readonly entries = new Map<string, Entry>();
  private counter = 0;

  /** Queues `message` about `subject` (a member id, or a key such as `load:id`), replacing what was queued about it. */
  add(subject: string, message: PacketMessage): void {
    this.entries.set(subject, { message, size: encodedSize(message), transmits: 0, order: this.counter++ });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Takes updates that fit in `budget` bytes, counting a transmit for each and dropping those sent `limit` times. */
  take(budget: number, limit: number): PacketMessage[] {
    if (this.entries.size === 0) return [];
    const ordered = [...this.entries].sort(([, a], [, b]) => a.transmits - b.transmits || b.order - a.order);
    const out: PacketMessage[] = [];
    let left = budget;
    for (const [subject, entry] of ordered) {
      if (entry.size > left) continue;
      left -= entry.size;
      out.push(entry.message);
      entry.transmits++;
      if (entry.transmits >= limit) this.entries.delete(subject);
    }
    return out;
  }
}

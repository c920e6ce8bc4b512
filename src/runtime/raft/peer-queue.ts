/**
 * The messages waiting for one peer, bounded in count and in (estimated)
 * encoded bytes: when full, the oldest are dropped. Raft tolerates lost
 * messages (it retries from its own state); the agent's memory must stay
 * bounded while a peer is down or slow.
 */
import type { Message } from '../../core/raft/types.js';

export interface QueueLimits {
  /** Messages held at most. Default 8192. */
  readonly messages: number;
  /** Estimated encoded bytes held at most (the newest message is always kept). Default 64 MiB. */
  readonly bytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { messages: 8192, bytes: 64 * 1024 * 1024 };

/** An estimate of a message's encoded size, a little above the truth for ASCII ids; cheap (no encoding). */
export function estimatedSize(m: Message): number {
  const envelope = 13 + m.from.length + m.to.length;
  switch (m.type) {
    case 'append': {
      let n = envelope + 28;
      for (const e of m.entries) n += e.kind === 'normal' ? 21 + e.data.length : 21 + e.change.node.length;
      return n;
    }
    case 'snapshot': {
      let n = envelope + 44 + m.chunk.length;
      for (const id of m.meta.conf.voters) n += 1 + id.length;
      for (const id of m.meta.conf.learners) n += 1 + id.length;
      return n;
    }
    case 'heartbeat':
    case 'heartbeat-resp':
    case 'read-index':
    case 'read-index-resp':
      return envelope + 24 + (m.ctx?.length ?? 0) * 3;
    default:
      return envelope + 32;
  }
}

export class PeerQueue {
  private items: Message[] = [];
  private sizes: number[] = [];
  /** Index of the oldest message held. */
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: QueueLimits) {}

  /** Messages held. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds a message; returns how many of the oldest were dropped to make room. */
  push(m: Message): number {
    const size = estimatedSize(m);
    this.items.push(m);
    this.sizes.push(size);
    this.bytes += size;
    let dropped = 0;
    while (this.length > 1 && (this.length > this.limits.messages || this.bytes > this.limits.bytes)) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  /** Removes the oldest messages, up to `maxMessages` and about `maxBytes` (always at least one when any are held). */
  take(maxMessages: number, maxBytes: number): Message[] {
    const out: Message[] = [];
    let bytes = 0;
    while (this.length > 0 && out.length < maxMessages) {
      const size = this.sizes[this.head] as number;
      if (out.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      out.push(this.shift());
    }
    return out;
  }

  /** Drops everything; returns how many messages were held. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }

  private shift(): Message {
    const m = this.items[this.head] as Message;
    this.bytes -= this.sizes[this.head] as number;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return m;
  }
}

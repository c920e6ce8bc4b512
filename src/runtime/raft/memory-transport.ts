/**
 * Raft messages between drivers in one process: each member joins a
 * MemoryNetwork with its receiver and gets a MessageTransport. A batch is
 * delivered after `delayMs` on the network's timers (never synchronously, as
 * a socket would not), to a member that has joined and is not cut off from
 * the sender; anything else is dropped, as a real network may drop it.
 */
import type { Message, NodeId } from '../../core/raft/types.js';
import type { MessageTransport } from './message-transport.js';
import type { Timers } from './timers.js';

export type Receiver = (messages: readonly Message[]) => void;

export class MemoryNetwork {
  private readonly receivers = new Map<NodeId, Receiver>();
  private readonly cut = new Set<NodeId>();
  /** Batches handed to `send`, and those delivered. */
  readonly counts = { sent: 0, delivered: 0 };

  constructor(
    private readonly timers: Timers,
    private readonly delayMs = 0,
  ) {}

  /** Attaches `id`: messages to it go to `receive` (a second join replaces the first). */
  join(id: NodeId, receive: Receiver): MessageTransport {
    this.receivers.set(id, receive);
    return { send: (messages) => this.send(id, messages) };
  }

  /** Detaches `id`: messages to it are dropped from now on, those on their way included. */
  leave(id: NodeId): void {
    this.receivers.delete(id);
  }

  /** Cuts `id` off from every other member, both ways, until `heal`. */
  isolate(id: NodeId): void {
    this.cut.add(id);
  }

  heal(id: NodeId): void {
    this.cut.delete(id);
  }

  private send(from: NodeId, messages: readonly Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) byPeer.set(m.to, [...(byPeer.get(m.to) ?? []), m]);
    for (const [to, batch] of byPeer) {
      this.counts.sent++;
      this.timers.after(this.delayMs, () => {
        const receive = this.receivers.get(to);
        if (receive === undefined || this.cut.has(from) || this.cut.has(to)) return;
        this.counts.delivered++;
        receive(batch);
      });
    }
  }
}

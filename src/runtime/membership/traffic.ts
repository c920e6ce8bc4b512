/** Counts of the membership's traffic and drops, for the status snapshot and the metrics. */
import { MsgType } from '../../core/membership/messages.js';

export type Channel = 'udp' | 'tcp' | 'multicast';

interface Flow {
  packets: number;
  bytes: number;
}

/** Message type names as the status and the metrics show them. */
const MESSAGE_NAMES: Readonly<Record<MsgType, string>> = {
  [MsgType.Ping]: 'ping',
  [MsgType.IndirectPing]: 'indirect_ping',
  [MsgType.Ack]: 'ack',
  [MsgType.Nack]: 'nack',
  [MsgType.Alive]: 'alive',
  [MsgType.Suspect]: 'suspect',
  [MsgType.Dead]: 'dead',
  [MsgType.Load]: 'load',
  [MsgType.PushPull]: 'push_pull',
  [MsgType.Announce]: 'announce',
};

export class Traffic {
  readonly in: Record<Channel, Flow> = flows();
  readonly out: Record<Channel, Flow> = flows();
  readonly messagesIn = new Map<string, number>();
  readonly messagesOut = new Map<string, number>();
  readonly drops = new Map<string, number>();
  exchanges = 0;
  exchangeFailures = 0;

  received(channel: Channel, bytes: number): void {
    this.in[channel].packets++;
    this.in[channel].bytes += bytes;
  }

  sent(channel: Channel, bytes: number): void {
    this.out[channel].packets++;
    this.out[channel].bytes += bytes;
  }

  /** Counts messages by type, `in` or `out`. */
  messages(direction: 'in' | 'out', messages: readonly { readonly type: MsgType }[]): void {
    const counts = direction === 'in' ? this.messagesIn : this.messagesOut;
    for (const m of messages) bump(counts, MESSAGE_NAMES[m.type]);
  }

  drop(reason: string): void {
    bump(this.drops, reason);
  }
}

function flows(): Record<Channel, Flow> {
  return { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

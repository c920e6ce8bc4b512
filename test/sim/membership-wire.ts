/**
 * How membership traffic crosses the simulated network: either as the real
 * wire bytes (every packet and push-pull is encoded and decoded by the codec,
 * exactly as the runtime will), or as the message objects themselves (much
 * faster, for large clusters).
 */
import {
  PACKET_OVERHEAD,
  clusterTag,
  decodePacket,
  decodePushPull,
  encodePackets,
  encodePushPull,
  encodedSize,
  type DropReason,
} from '../../src/core/membership/codec.js';
import type { PacketMessage, PushPull } from '../../src/core/membership/messages.js';

export type Wire =
  | { readonly kind: 'packet'; readonly body: Uint8Array | readonly PacketMessage[] }
  /** A push-pull over a fresh TCP connection; `life` is the sender's, so a reply reaches only the process that asked. */
  | { readonly kind: 'push'; readonly life: number; readonly body: Uint8Array | PushPull }
  | { readonly kind: 'reply'; readonly life: number; readonly body: Uint8Array | PushPull };

export const SIM_CLUSTER_TAG: number = clusterTag('sim');

export class WireFormat {
  /** Packets and frames the decoder dropped, by reason. */
  readonly drops = new Map<DropReason, number>();

  constructor(
    readonly codec: boolean,
    private readonly maxPacketBytes: number,
  ) {}

  /** The datagrams that carry `messages` (the codec may split them into several). */
  packets(messages: readonly PacketMessage[]): Wire[] {
    if (!this.codec) return [{ kind: 'packet', body: messages }];
    return encodePackets(SIM_CLUSTER_TAG, messages, this.maxPacketBytes).map((body) => ({ kind: 'packet', body }));
  }

  pushPull(kind: 'push' | 'reply', life: number, message: PushPull): Wire {
    return { kind, life, body: this.codec ? encodePushPull(SIM_CLUSTER_TAG, message) : message };
  }

  /** The messages of a datagram, or undefined when the decoder drops it. */
  readPacket(body: Uint8Array | readonly PacketMessage[]): readonly PacketMessage[] | undefined {
    if (!(body instanceof Uint8Array)) return body;
    const decoded = decodePacket(body, SIM_CLUSTER_TAG);
    if (decoded.ok) return decoded.value;
    this.drops.set(decoded.reason, (this.drops.get(decoded.reason) ?? 0) + 1);
    return undefined;
  }

  readPushPull(body: Uint8Array | PushPull): PushPull | undefined {
    if (!(body instanceof Uint8Array)) return body;
    const decoded = decodePushPull(body, SIM_CLUSTER_TAG);
    if (decoded.ok) return decoded.value;
    this.drops.set(decoded.reason, (this.drops.get(decoded.reason) ?? 0) + 1);
    return undefined;
  }

  /** Bytes the message takes on the wire (UDP payload, or push-pull frame). */
  sizeOf(wire: Wire): number {
    if (wire.body instanceof Uint8Array) return wire.body.length;
    if (wire.kind === 'packet') return PACKET_OVERHEAD + wire.body.reduce((n, m) => n + encodedSize(m), 0);
    return encodePushPull(SIM_CLUSTER_TAG, wire.body).length;
  }
}

/**
 * The receive side that the membership UDP socket and the multicast
 * discovery socket share: a datagram over MAX_DATAGRAM_BYTES is dropped
 * unread and reported, any other is handed on, each counted, and a handler
 * that throws is counted and logged, never let out into the socket.
 */
import type { RemoteInfo } from 'node:dgram';
import type { HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';

/** Datagrams larger than this are dropped unread: the membership wire never sends more than 1400. */
export const MAX_DATAGRAM_BYTES = 1500;

export type PacketHandler = (bytes: Uint8Array, from: HostPort) => void;
/** Told of each datagram dropped unread for being larger than MAX_DATAGRAM_BYTES, with its size. */
export type OversizeHandler = (size: number, from: HostPort) => void;

/** The counters `receiveDatagram` keeps. */
export interface ReceiveCounters {
  /** Datagrams handed to the packet handler. */
  received: number;
  /** Datagrams larger than MAX_DATAGRAM_BYTES, dropped. */
  droppedOversize: number;
  /** Calls of a handler that threw (a bug; logged at error). */
  handlerFailed: number;
}

/** Where a datagram goes; `name` starts the error lines (`membership`, `discovery`). */
export interface DatagramSink {
  readonly name: string;
  readonly count: ReceiveCounters;
  readonly log: Logger;
  readonly onPacket: PacketHandler;
  readonly onOversize?: OversizeHandler | undefined;
}

/** Hands one datagram to `sink.onPacket`, or reports it to `sink.onOversize` when too large; never throws. */
export function receiveDatagram(sink: DatagramSink, msg: Buffer, rinfo: RemoteInfo): void {
  const from = { host: unmapped(rinfo.address), port: rinfo.port };
  if (msg.length > MAX_DATAGRAM_BYTES) {
    sink.count.droppedOversize++;
    try {
      sink.onOversize?.(msg.length, from);
    } catch (e) {
      sink.count.handlerFailed++;
      sink.log.error(`${sink.name} oversize handler failed`, { error: e });
    }
    return;
  }
  sink.count.received++;
  try {
    sink.onPacket(msg, from);
  } catch (e) {
    sink.count.handlerFailed++;
    sink.log.error(`${sink.name} packet handler failed`, { error: e });
  }
}

/** `host` with an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`, as dual-stack sockets report IPv4 peers) written as plain IPv4. */
export function unmapped(host: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return v4?.[1] ?? host;
}

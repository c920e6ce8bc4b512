/**
 * Carries Raft messages between members over TCP, on the member's one port
 * shared with its HTTP API.
 *
 * Each member opens one connection to each peer it sends to and only writes
 * on it; it only reads from the connections peers open to it. Messages to
 * one peer given in one turn of the event loop leave as one frame, and
 * frames are pipelined: nothing waits for a reply.
 *
 * Handshake. The client writes RAFT_MAGIC ("DRFT" 0x01; the listener routes
 * a connection that starts with it here, anything else to HTTP), then a
 * hello: `u16 BE length | version (1) | auth (0 none, 1 HMAC-SHA256) | from
 * (u8 length, UTF-8) | to (u8 length, UTF-8) | client nonce (32)`. The
 * server answers `u16 BE length | status | version`, followed, when the
 * status is 0 (ok), by a server nonce (32) and, with a secret, the server
 * proof (32). Any other status refuses and closes: 1 version not spoken
 * (the answer carries the server's), 2 `to` is not this member, 3 one side
 * has a secret and the other not, 4 malformed hello. With a secret the
 * client checks the server proof, then writes `u16 BE length | client proof
 * (32)`. With T = hello body | server nonce, the proofs and the session key
 * are HMAC-SHA256(secret, label | T) with the labels "dinc-raft server
 * proof", "dinc-raft client proof" and "dinc-raft session key" (each
 * followed by a zero byte). The server delivers nothing before the client
 * proof checks out; the whole handshake must finish within handshakeTimeoutMs (5 s; the raft role uses 1 s). The client
 * writes frames only after the server's answer, secret or not.
 *
 * Frames. Then the client writes frames `u32 BE length | payload | MAC`:
 * the payload is one encodeRaftMessages batch (1 byte to 64 MiB), and the
 * MAC, present only with a secret, is the first 16 bytes of
 * HMAC-SHA256(session key, frame number u64 BE | length u32 BE | payload),
 * frames numbered from 0 on each connection, so a frame tampered with,
 * replayed, reordered or moved to another connection is refused. A frame
 * whose length is 0 or over 64 MiB, that fails its MAC or that does not
 * decode closes the connection; the client reconnects and Raft resends what
 * it needs. The server never writes after its answer.
 */
import type { Socket } from 'node:net';
import type { Message, NodeId } from '../../core/raft/types.js';
import type { HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';
import type { MessageTransport } from './message-transport.js';
import { InboundConnection, type InboundHost } from './inbound-connection.js';
import { PeerConnection, type PeerContext } from './peer-connection.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './peer-queue.js';
import { REFUSAL_REASONS, WarnLimiter, copyPeerStats, newPeerStats, type PeerTransportStats, type RefusalReason } from './transport-stats.js';

export { RAFT_MAGIC } from './transport-frame.js';
export type { DroppedMessages, PeerTransportStats, RefusalReason } from './transport-stats.js';
export type { QueueLimits } from './peer-queue.js';

export interface TransportOptions {
  /** This member. */
  readonly id: NodeId;
  /** Shared secret; null: no authentication. */
  readonly secret: Uint8Array | null;
  /** Where a member listens now (the address book may change at run time); undefined: unknown, drop its messages. */
  resolve(id: NodeId): HostPort | undefined;
  /**
   * Messages received, decoded, each with `to === id` and `from` the member
   * that opened the connection (others dropped and counted). Called
   * synchronously from socket data handlers; what it throws is logged.
   */
  onMessages(messages: readonly Message[]): void;
  readonly log: Logger;
  /** Reconnect back-off, in ms: the first retry waits about minMs, each next one twice as long up to maxMs, with jitter. Default 50 and 1000. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  /** Time a handshake may take, connecting included, in ms. Default 5000. */
  readonly handshakeTimeoutMs?: number;
  /** Bounds of each peer's queue of unsent messages (oldest dropped first). Default 8192 messages, 64 MiB. */
  readonly queue?: QueueLimits;
  /** A connection that carries messages to a peer while nothing is heard from it for this long is dropped and made anew (ms). Default 1000. */
  readonly stallMs?: number;
  /** Time an inbound frame may take from its first byte to its last, in ms; then the connection is refused (frame-timeout). Default 30000. */
  readonly frameTimeoutMs?: number;
  /** Time an inbound connection may carry nothing after its handshake, in ms; then it is closed. Default 60000. */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_BACKOFF = { minMs: 50, maxMs: 1000 } as const;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
const DEFAULT_STALL_MS = 1000;
/** A 64 MiB frame at 10 MB/s takes under 7 s: 30 s is slow enough for any real link, and bounds a stalled sender. */
const DEFAULT_FRAME_TIMEOUT_MS = 30_000;
/** A leader sends each member a heartbeat many times a second; a minute of silence holds a connection slot for nothing. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export class RaftTransport implements MessageTransport {
  private readonly peers = new Map<NodeId, PeerConnection>();
  private readonly table = new Map<NodeId, PeerTransportStats>();
  private readonly heard = new Map<NodeId, number>();
  private readonly inbound = new Set<InboundConnection>();
  /** The established inbound connection of each peer: a newer one replaces it. */
  private readonly inboundOf = new Map<NodeId, InboundConnection>();
  private readonly refusedCount = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
  private readonly dirty = new Set<PeerConnection>();
  private flushing: NodeJS.Immediate | undefined;
  private closing = false;
  private readonly context: PeerContext;
  private readonly host: InboundHost;

  constructor(private readonly options: TransportOptions) {
    const log = options.log.child({ component: 'raft-transport' });
    const warn = new WarnLimiter(log);
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.context = {
      self: options.id,
      secret: options.secret,
      resolve: (id) => {
        try {
          return options.resolve(id);
        } catch (e) {
          log.error('raft transport: resolve threw; treating the address as unknown', { peer: id, error: e instanceof Error ? e.message : String(e) });
          return undefined;
        }
      },
      log,
      warn,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      handshakeTimeoutMs,
      queue: options.queue ?? DEFAULT_QUEUE_LIMITS,
      lastHeard: (id) => this.heard.get(id),
      stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    };
    this.host = {
      self: options.id,
      secret: options.secret,
      log,
      handshakeTimeoutMs,
      frameTimeoutMs: options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      opened: (conn) => this.inboundOpened(conn),
      received: (conn, messages, bytes) => this.deliver(conn, messages, bytes),
      refused: (conn, reason, detail) => {
        this.refusedCount[reason]++;
        const known = conn.peer === undefined ? undefined : this.table.get(conn.peer);
        if (known) known.refusedConnections++;
        const fields = { reason, detail, peer: conn.peer, remote: conn.remote };
        if (reason === 'handshake-incomplete') log.debug('raft connection ended in its handshake', fields);
        // Keyed on the cause alone: a flood from many addresses or ports still logs once a minute per reason.
        else warn.warn(`refused:${reason}`, 'refused a raft connection', fields);
      },
      closed: (conn) => {
        this.inbound.delete(conn);
        if (conn.peer !== undefined && this.inboundOf.get(conn.peer) === conn) this.inboundOf.delete(conn.peer);
      },
    };
  }

  /**
   * Queues messages for their `to` peers; never blocks, never throws.
   * Messages to the same peer given in one turn of the event loop go out as
   * one frame, written when the socket can take it, without waiting for
   * replies. Ignored after close().
   */
  send(messages: readonly Message[]): void {
    if (this.closing) return;
    try {
      for (const m of messages) {
        const peer = this.peerOf(m.to);
        peer.enqueue(m);
        this.dirty.add(peer);
      }
      this.flushing ??= setImmediate(() => this.flushDirty());
    } catch (e) {
      this.context.log.error('raft transport: unexpected failure queuing messages', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Takes an inbound connection whose first bytes (`head`, starting with RAFT_MAGIC) were already read. */
  accept(socket: Socket, head: Buffer): void {
    if (this.closing) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const conn = new InboundConnection(socket, this.host);
    this.inbound.add(conn);
    conn.start(head);
  }

  /** Per peer: connected, frames/messages/bytes sent and received, messages dropped by cause, refused connections, reconnects. A copy. */
  stats(): Record<NodeId, PeerTransportStats> {
    const out: Record<NodeId, PeerTransportStats> = {};
    for (const [id, s] of this.table) out[id] = copyPeerStats(s);
    return out;
  }

  /** Inbound connections closed for a protocol or authentication violation, by reason, whether or not the sender was identified. A copy. */
  refusals(): Record<RefusalReason, number> {
    return { ...this.refusedCount };
  }

  /** Whether the connection to `id` is open, past its handshake. */
  isConnected(id: NodeId): boolean {
    return this.table.get(id)?.connected === true;
  }

  /** Last time (ms, performance.now()) any message from `id` was received, or undefined. */
  lastHeard(id: NodeId): number | undefined {
    return this.heard.get(id);
  }

  /** Closes every connection and stops reconnecting; resolves when the sockets are closed. Messages still queued are dropped. */
  async close(): Promise<void> {
    this.closing = true;
    clearImmediate(this.flushing);
    this.flushing = undefined;
    this.dirty.clear();
    await Promise.all([...[...this.peers.values()].map((p) => p.close()), ...[...this.inbound].map((c) => c.close())]);
  }

  private peerOf(id: NodeId): PeerConnection {
    let peer = this.peers.get(id);
    if (peer === undefined) {
      peer = new PeerConnection(id, this.context, this.statsOf(id));
      this.peers.set(id, peer);
    }
    return peer;
  }

  private statsOf(id: NodeId): PeerTransportStats {
    let s = this.table.get(id);
    if (s === undefined) {
      s = newPeerStats();
      this.table.set(id, s);
    }
    return s;
  }

  private flushDirty(): void {
    this.flushing = undefined;
    const peers = [...this.dirty];
    this.dirty.clear();
    for (const peer of peers) {
      try {
        if (peer.kick()) peer.flush();
      } catch (e) {
        this.context.log.error('raft transport: unexpected failure sending', { peer: peer.peer, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private inboundOpened(conn: InboundConnection): void {
    const peer = conn.peer as NodeId;
    const older = this.inboundOf.get(peer);
    this.inboundOf.set(peer, conn);
    this.statsOf(peer);
    if (older !== undefined && older !== conn) void older.close();
    this.context.log.debug('raft peer connected in', { peer, remote: conn.remote });
  }

  private deliver(conn: InboundConnection, messages: Message[], bytes: number): void {
    const peer = conn.peer as NodeId;
    const s = this.statsOf(peer);
    s.framesReceived++;
    s.bytesReceived += bytes;
    const self = this.options.id;
    let ours = messages;
    if (messages.some((m) => m.to !== self || m.from !== peer)) {
      ours = messages.filter((m) => m.to === self && m.from === peer);
      s.dropped.misaddressed += messages.length - ours.length;
    }
    if (ours.length === 0) return;
    s.messagesReceived += ours.length;
    this.heard.set(peer, performance.now());
    try {
      this.options.onMessages(ours);
    } catch (e) {
      this.context.log.error('raft transport: onMessages threw', { peer, error: e instanceof Error ? e.message : String(e) });
    }
  }
}

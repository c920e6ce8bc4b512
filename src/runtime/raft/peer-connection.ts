/**
 * The one outbound connection to a peer, over which every message to it
 * goes. It connects when there is something to send, runs the client side
 * of the handshake, then writes frames without waiting for replies, as fast
 * as the socket takes them. When the connection fails it retries with
 * exponential back-off and jitter while messages are queued; a lost
 * connection is logged once per episode at warn, its recovery at info.
 */
import { connect, type Socket } from 'node:net';
import { MAX_MESSAGES_PER_FRAME, encodeRaftMessages } from '../../core/raft/codec.js';
import type { Message, NodeId } from '../../core/raft/types.js';
import { formatHostPort, type HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';
import { PeerQueue, type QueueLimits } from './peer-queue.js';
import { FrameMac, HelloStatus, MAC_BYTES, MAX_HANDSHAKE_BYTES, createHello, deriveKeys, encodeProof, parseChallenge, sameBytes } from './transport-auth.js';
import { FrameReader } from '../frame-reader.js';
import { FRAME_HEADER_BYTES, RAFT_MAGIC } from './transport-frame.js';
import type { PeerTransportStats, WarnLimiter } from './transport-stats.js';

/** Encoded bytes of messages in one frame, about (a larger message goes alone). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** A frame smaller than this is written as one buffer (one copy); a larger one as separate writes (no copy). */
const COPY_BELOW_BYTES = 64 * 1024;

/** What the connections to peers share: this member's settings. */
export interface PeerContext {
  readonly self: NodeId;
  readonly secret: Uint8Array | null;
  resolve(id: NodeId): HostPort | undefined;
  readonly log: Logger;
  readonly warn: WarnLimiter;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  readonly handshakeTimeoutMs: number;
  readonly queue: QueueLimits;
  /** When anything was last received from `id` (performance.now()), or undefined. */
  lastHeard(id: NodeId): number | undefined;
  /** An open connection over which messages go while nothing comes back from the peer for this long is taken as stalled. */
  readonly stallMs: number;
}

type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

const sameAddress = (a: HostPort, b: HostPort): boolean => a.host === b.host && a.port === b.port;
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class PeerConnection {
  private state: State = 'idle';
  private readonly queue: PeerQueue;
  private socket: Socket | undefined;
  private address: HostPort | undefined;
  private mac: FrameMac | undefined;
  private waitingForDrain = false;
  /** The back-off or handshake deadline. */
  private timer: NodeJS.Timeout | undefined;
  /** Attempts since the last successful handshake; sets the back-off. */
  private failures = 0;
  /** When the current episode of failure began (performance.now()); undefined while healthy. */
  private downSince: number | undefined;
  /** The last socket error, for the log line of a lost connection. */
  private lastError: string | undefined;
  /** The socket is being closed on purpose (peer moved or left): reconnect at once, log nothing. */
  private leaving = false;
  /** When the connection opened (performance.now()). */
  private openedAt = 0;

  constructor(
    readonly peer: NodeId,
    private readonly ctx: PeerContext,
    private readonly stats: PeerTransportStats,
  ) {
    this.queue = new PeerQueue(ctx.queue);
  }

  /** Queues a message; the oldest are dropped when the queue is full. */
  enqueue(m: Message): void {
    if (this.state === 'closed') return;
    const dropped = this.queue.push(m);
    if (dropped > 0) this.stats.dropped.queueFull += dropped;
    this.stats.queued = this.queue.length;
  }

  /** After a turn's messages were queued: connects when idle. Returns true when the connection is open and a flush is due. */
  kick(): boolean {
    if (this.state === 'idle' && this.queue.length > 0) this.connect();
    return this.state === 'open';
  }

  /** Writes what is queued, as frames, until the queue is empty or the socket asks to wait. */
  flush(): void {
    const socket = this.socket;
    if (this.state !== 'open' || this.waitingForDrain || socket === undefined || this.queue.length === 0) return;
    const now = this.ctx.resolve(this.peer);
    if (now === undefined || (this.address !== undefined && !sameAddress(now, this.address))) {
      this.ctx.log.info(now === undefined ? 'raft peer has no address any more; closing its connection' : 'raft peer moved; reconnecting', {
        peer: this.peer,
        address: now === undefined ? undefined : formatHostPort(now),
      });
      this.leaving = true;
      socket.destroy();
      return;
    }
    if (this.stalled()) return;
    while (this.queue.length > 0) {
      const batch = this.queue.take(MAX_MESSAGES_PER_FRAME, MAX_BATCH_BYTES);
      const payload = this.encode(batch);
      if (payload === undefined) continue;
      if (!this.writeFrame(socket, payload.bytes, payload.count)) {
        this.waitingForDrain = true;
        socket.once('drain', () =>
          this.safely(() => {
            if (socket !== this.socket) return;
            this.waitingForDrain = false;
            this.flush();
          }),
        );
        break;
      }
    }
    this.stats.queued = this.queue.length;
  }

  /** Drops the queue, closes the connection and stops retrying; resolves when the socket is closed. */
  close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.queue.clear();
    this.stats.queued = 0;
    this.stats.connected = false;
    const socket = this.socket;
    if (socket === undefined || socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private connect(): void {
    const address = this.ctx.resolve(this.peer);
    if (address === undefined) {
      this.stats.dropped.unknownAddress += this.queue.clear();
      this.stats.queued = 0;
      this.ctx.warn.warn(`address:${this.peer}`, 'no address known for raft peer; dropping its messages', { peer: this.peer });
      return;
    }
    let hello: ReturnType<typeof createHello>;
    try {
      hello = createHello(this.ctx.self, this.peer, this.ctx.secret !== null);
    } catch (e) {
      this.stats.dropped.unencodable += this.queue.clear();
      this.stats.queued = 0;
      this.ctx.log.error('cannot name raft peer in a handshake; dropping its messages', { peer: this.peer, error: errorText(e) });
      return;
    }
    if (this.downSince !== undefined) this.stats.reconnects++;
    this.state = 'connecting';
    this.address = address;
    this.leaving = false;
    this.lastError = undefined;
    let socket: Socket;
    try {
      socket = connect({ host: address.host, port: address.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 10_000 });
    } catch (e) {
      this.state = 'idle';
      this.stats.dropped.unknownAddress += this.queue.clear();
      this.stats.queued = 0;
      this.ctx.warn.warn(`address:${this.peer}`, 'raft peer address is not usable; dropping its messages', { peer: this.peer, address: formatHostPort(address), error: errorText(e) });
      return;
    }
    this.socket = socket;
    const reader = new FrameReader();
    this.timer = setTimeout(() => this.failHandshake(socket, 'timeout', `no handshake within ${this.ctx.handshakeTimeoutMs} ms`), this.ctx.handshakeTimeoutMs);
    socket.on('connect', () => {
      socket.setNoDelay(true);
      socket.write(Buffer.concat([RAFT_MAGIC, hello.wire]));
    });
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket || this.state !== 'connecting') return; // a server says nothing after the handshake
      this.safely(() => {
        reader.push(chunk);
        this.readAnswer(socket, reader, hello.body);
      }, socket);
    });
    socket.on('error', (e) => {
      this.lastError = e.message;
    });
    socket.on('close', () => this.safely(() => this.closed(socket)));
  }

  private readAnswer(socket: Socket, reader: FrameReader, helloBody: Buffer): void {
    const message = reader.next({ prefixBytes: 2, maxBytes: MAX_HANDSHAKE_BYTES });
    if (message === undefined) return;
    if ('refused' in message) return this.failHandshake(socket, 'protocol', `answer of ${message.refused} bytes`);
    const answer = parseChallenge(message.payload);
    if (typeof answer === 'string') return this.failHandshake(socket, 'protocol', answer);
    switch (answer.status) {
      case HelloStatus.Ok:
        break;
      case HelloStatus.NotThisMember:
        return this.failHandshake(socket, 'refused', `${this.where()} is another member, not ${this.peer}`);
      case HelloStatus.AuthMismatch:
        return this.failHandshake(socket, 'auth', this.ctx.secret ? 'the peer has no secret set' : 'the peer requires a secret');
      case HelloStatus.Version:
        return this.failHandshake(socket, 'refused', `the peer speaks transport version ${answer.version}`);
      default:
        return this.failHandshake(socket, 'refused', `the peer refused the handshake (status ${answer.status})`);
    }
    const nonce = answer.nonce as Buffer;
    if (this.ctx.secret === null) {
      if (answer.proof !== undefined) return this.failHandshake(socket, 'auth', 'the peer requires a secret');
    } else {
      if (answer.proof === undefined) return this.failHandshake(socket, 'auth', 'the peer has no secret set');
      const keys = deriveKeys(this.ctx.secret, helloBody, nonce);
      if (!sameBytes(answer.proof, keys.server)) return this.failHandshake(socket, 'auth', 'the peer does not know the secret');
      socket.write(encodeProof(keys.client));
      this.mac = new FrameMac(keys.session);
    }
    this.opened();
  }

  /**
   * A connection that was cut (a partition) and healed may sit in the
   * kernel's retransmission back-off for many seconds. Raft answers every
   * append and heartbeat, so sending while hearing nothing back for
   * `stallMs` means the connection is stalled: drop it and connect anew.
   */
  private stalled(): boolean {
    const heard = Math.max(this.openedAt, this.ctx.lastHeard(this.peer) ?? 0);
    if (performance.now() - heard <= this.ctx.stallMs || this.socket === undefined) return false;
    this.lastError = `nothing received from the peer for ${this.ctx.stallMs} ms while sending`;
    this.socket.destroy();
    return true;
  }

  private opened(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.openedAt = performance.now();
    this.state = 'open';
    this.stats.connected = true;
    const fields = { peer: this.peer, address: this.where() };
    if (this.downSince !== undefined) {
      this.ctx.log.info('reconnected to raft peer', { ...fields, attempts: this.failures, downMs: Math.round(performance.now() - this.downSince) });
    } else {
      this.ctx.log.debug('connected to raft peer', fields);
    }
    this.downSince = undefined;
    this.failures = 0;
    this.flush();
  }

  /**
   * Ends a handshake that cannot succeed. Refusals and authentication
   * failures drop the queue: those messages would only wait for a
   * configuration to be fixed.
   */
  private failHandshake(socket: Socket, kind: 'timeout' | 'protocol' | 'refused' | 'auth', why: string): void {
    if (socket !== this.socket) return;
    let dropped = 0;
    if (kind === 'refused' || kind === 'auth') {
      dropped = this.queue.clear();
      this.stats.queued = 0;
      if (kind === 'auth') this.stats.dropped.authFailed += dropped;
      else this.stats.dropped.refused += dropped;
    }
    const fields = { peer: this.peer, address: this.where(), reason: why, dropped };
    const msg = kind === 'auth' ? 'raft peer failed authentication' : 'raft handshake failed';
    if (this.downSince === undefined) {
      this.downSince = performance.now();
      this.ctx.log.warn(msg, fields);
    } else {
      this.ctx.log.debug(msg, fields);
    }
    this.leaving = false;
    this.lastError = undefined;
    socket.destroy();
  }

  private closed(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.mac = undefined;
    this.waitingForDrain = false;
    this.stats.connected = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    if (this.leaving) {
      this.leaving = false;
      this.state = 'idle';
      this.kick();
      return;
    }
    const fields = { peer: this.peer, address: this.where(), error: this.lastError };
    if (this.downSince === undefined) {
      this.downSince = performance.now();
      this.ctx.log.warn(wasOpen ? 'lost connection to raft peer' : 'cannot connect to raft peer', fields);
    } else {
      this.ctx.log.debug('raft peer connection attempt failed', fields);
    }
    this.retryLater();
  }

  private retryLater(): void {
    const { minMs, maxMs } = this.ctx.backoff;
    const capMs = Math.min(maxMs, minMs * 2 ** Math.min(this.failures, 30));
    const delayMs = Math.round(capMs / 2 + (Math.random() * capMs) / 2);
    this.failures++;
    this.state = 'backoff';
    this.ctx.log.debug('raft peer reconnect scheduled', { peer: this.peer, attempt: this.failures, capMs, delayMs });
    this.timer = setTimeout(
      () =>
        this.safely(() => {
          this.timer = undefined;
          if (this.state !== 'backoff') return;
          this.state = 'idle';
          this.kick();
        }),
      delayMs,
    );
  }

  /** Encodes a batch; a message the codec refuses is dropped (and logged), the rest still go. */
  private encode(batch: Message[]): { bytes: Uint8Array; count: number } | undefined {
    try {
      return { bytes: encodeRaftMessages(batch), count: batch.length };
    } catch {
      const good = batch.filter((m) => {
        try {
          encodeRaftMessages([m]);
          return true;
        } catch (e) {
          this.stats.dropped.unencodable++;
          this.ctx.log.error('raft message cannot be encoded; dropped', { peer: this.peer, type: m.type, error: errorText(e) });
          return false;
        }
      });
      return good.length === 0 ? undefined : { bytes: encodeRaftMessages(good), count: good.length };
    }
  }

  /** Writes one frame; returns false when the socket wants to drain first. */
  private writeFrame(socket: Socket, payload: Uint8Array, count: number): boolean {
    const total = FRAME_HEADER_BYTES + payload.length + (this.mac ? MAC_BYTES : 0);
    let ok: boolean;
    if (total < COPY_BELOW_BYTES) {
      const frame = Buffer.allocUnsafe(total);
      frame.writeUInt32BE(payload.length, 0);
      frame.set(payload, FRAME_HEADER_BYTES);
      if (this.mac) this.mac.next(frame.subarray(0, FRAME_HEADER_BYTES), payload).copy(frame, FRAME_HEADER_BYTES + payload.length);
      ok = socket.write(frame);
    } else {
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      header.writeUInt32BE(payload.length, 0);
      socket.cork();
      socket.write(header);
      ok = socket.write(payload);
      if (this.mac) ok = socket.write(this.mac.next(header, payload));
      socket.uncork();
    }
    this.stats.framesSent++;
    this.stats.messagesSent += count;
    this.stats.bytesSent += total;
    return ok;
  }

  /** Runs an event handler; what it throws (a bug) is logged, and closes `socket` if given, instead of crashing the process. */
  private safely(handler: () => void, socket?: Socket): void {
    try {
      handler();
    } catch (e) {
      this.ctx.log.error('raft transport: unexpected failure on a peer connection', { peer: this.peer, error: errorText(e) });
      socket?.destroy();
    }
  }

  private where(): string {
    return this.address === undefined ? '?' : formatHostPort(this.address);
  }
}

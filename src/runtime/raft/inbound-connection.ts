/**
 * One connection a peer opened to this member: the server side of the
 * handshake, then frames read and checked until the connection ends. It
 * only reads (replies travel on this member's own outbound connection).
 * Whatever the client sends, nothing here throws: a violation closes the
 * connection and is reported to the host once, with its reason.
 */
import type { Socket } from 'node:net';
import { MAX_FRAME_BYTES, decodeRaftMessages } from '../../core/raft/codec.js';
import type { Message, NodeId } from '../../core/raft/types.js';
import type { Logger } from '../../ops/log.js';
import {
  FrameMac,
  HelloStatus,
  MAC_BYTES,
  MAX_HANDSHAKE_BYTES,
  deriveKeys,
  encodeChallenge,
  newNonce,
  parseHello,
  sameBytes,
} from './transport-auth.js';
import { FrameReader } from '../frame-reader.js';
import { FRAME_HEADER_BYTES, RAFT_MAGIC, startsWithMagic } from './transport-frame.js';
import type { RefusalReason } from './transport-stats.js';

/** What an inbound connection needs from the transport that owns it. */
export interface InboundHost {
  readonly self: NodeId;
  readonly secret: Uint8Array | null;
  readonly log: Logger;
  readonly handshakeTimeoutMs: number;
  /** Time a frame may take from its first byte to its last, in ms. */
  readonly frameTimeoutMs: number;
  /** Time a connection may carry nothing once its handshake is done, in ms; then it is closed (its sender reconnects when it has something to say). */
  readonly idleTimeoutMs: number;
  /** The handshake of `conn` (from `conn.peer`) succeeded. */
  opened(conn: InboundConnection): void;
  /** A frame of `bytes` bytes from `conn.peer` decoded into `messages`. */
  received(conn: InboundConnection, messages: Message[], bytes: number): void;
  /** `conn` is being closed for `reason` (`conn.peer` is the id its hello claimed, if it got that far). */
  refused(conn: InboundConnection, reason: RefusalReason, detail: string): void;
  /** `conn` is closed, for whatever reason. */
  closed(conn: InboundConnection): void;
}

type State = 'hello' | 'proof' | 'frames' | 'done';

export class InboundConnection {
  /** The member the hello named as sender; set once the hello parsed. */
  peer: NodeId | undefined;
  /** The remote address, for logs. */
  readonly remote: string;
  private state: State = 'hello';
  private readonly reader = new FrameReader();
  private timer: NodeJS.Timeout | undefined;
  /** What `timer` times: a frame begun, or the quiet between frames. */
  private timing: 'frame' | 'idle' | undefined;
  private proof: Buffer | undefined;
  private session: Buffer | undefined;
  private mac: FrameMac | undefined;

  constructor(
    readonly socket: Socket,
    private readonly host: InboundHost,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  }

  /** True once the handshake succeeded and until the connection ends. */
  get established(): boolean {
    return this.state === 'frames';
  }

  /** Starts serving; `head`: the bytes already read, beginning with RAFT_MAGIC. */
  start(head: Buffer): void {
    const socket = this.socket;
    socket.on('error', (e) => this.host.log.debug('raft inbound connection error', { peer: this.peer, remote: this.remote, error: e.message }));
    socket.on('close', () => {
      clearTimeout(this.timer);
      if (this.state === 'hello' || this.state === 'proof') this.host.refused(this, 'handshake-incomplete', `the connection ended during the ${this.state}`);
      this.state = 'done';
      this.reader.clear();
      this.host.closed(this);
    });
    if (socket.closed) {
      this.state = 'done';
      this.host.closed(this);
      return;
    }
    if (!startsWithMagic(head)) return this.refuse('magic', 'the first bytes are not the Raft magic');
    this.timer = setTimeout(() => this.refuse('handshake-timeout', `no handshake within ${this.host.handshakeTimeoutMs} ms`), this.host.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.onData(head.subarray(RAFT_MAGIC.length));
    socket.resume();
  }

  /** Closes the connection; resolves when the socket is closed. */
  close(): Promise<void> {
    this.state = 'done';
    clearTimeout(this.timer);
    const socket = this.socket;
    if (socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'done') return;
    try {
      this.reader.push(chunk);
      this.process();
      this.watchFrame();
    } catch (e) {
      this.host.log.error('raft transport: unexpected failure reading a connection', { peer: this.peer, remote: this.remote, error: e instanceof Error ? e.message : String(e) });
      this.state = 'done';
      this.socket.destroy();
    }
  }

  /** Consumes whatever whole handshake messages and frames the reader holds. */
  private process(): void {
    for (;;) {
      if (this.state === 'done') return;
      if (this.state === 'frames') {
        if (!this.readFrame()) return;
        continue;
      }
      const body = this.handshakeMessage();
      if (body === undefined) return;
      if (this.state === 'hello') this.onHello(body);
      else this.onProof(body);
    }
  }

  /** The next `u16 length | body` handshake message, or undefined while incomplete (or refused). */
  private handshakeMessage(): Buffer | undefined {
    const message = this.reader.next({ prefixBytes: 2, maxBytes: MAX_HANDSHAKE_BYTES });
    if (message === undefined) return undefined;
    if ('refused' in message) {
      this.refuse(this.state === 'hello' ? 'hello' : 'auth-failed', `handshake message of ${message.refused} bytes, over ${MAX_HANDSHAKE_BYTES}`, HelloStatus.Malformed);
      return undefined;
    }
    return message.payload;
  }

  private onHello(body: Buffer): void {
    const hello = parseHello(body);
    if (typeof hello === 'string') return this.refuse('hello', hello, HelloStatus.Malformed);
    if ('unsupportedVersion' in hello) return this.refuse('version', `hello of version ${hello.unsupportedVersion}`, HelloStatus.Version);
    this.peer = hello.from;
    if (hello.to !== this.host.self) return this.refuse('not-this-member', `the hello is for ${hello.to}`, HelloStatus.NotThisMember);
    const secret = this.host.secret;
    if (hello.auth !== (secret !== null)) {
      return this.refuse('auth-mismatch', secret ? 'the client has no secret set' : 'the client has a secret, this member none', HelloStatus.AuthMismatch);
    }
    const nonce = newNonce();
    if (secret === null) {
      this.socket.write(encodeChallenge(HelloStatus.Ok, nonce));
      this.handshakeDone();
      return;
    }
    const keys = deriveKeys(secret, hello.body, nonce);
    this.proof = keys.client;
    this.session = keys.session;
    this.socket.write(encodeChallenge(HelloStatus.Ok, nonce, keys.server));
    this.state = 'proof';
  }

  private onProof(body: Buffer): void {
    if (this.proof === undefined || this.session === undefined || !sameBytes(body, this.proof)) {
      return this.refuse('auth-failed', 'the client does not know the secret (or replayed a handshake)');
    }
    this.mac = new FrameMac(this.session);
    this.proof = undefined;
    this.session = undefined;
    this.handshakeDone();
  }

  private handshakeDone(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'frames';
    this.host.opened(this);
  }

  /**
   * Once the handshake is done: times the frame whose first bytes are in,
   * from its first byte; between frames, the quiet (a connection that holds a
   * slot while sending nothing is closed after idleTimeoutMs).
   */
  private watchFrame(): void {
    if (this.state !== 'frames') return;
    if (this.reader.length === 0) {
      if (this.timing === 'idle' && this.timer !== undefined) {
        this.timer.refresh();
        return;
      }
      clearTimeout(this.timer);
      this.timing = 'idle';
      this.timer = setTimeout(() => this.closeIdle(), this.host.idleTimeoutMs);
    } else if (this.timing !== 'frame') {
      clearTimeout(this.timer);
      const ms = this.host.frameTimeoutMs;
      this.timing = 'frame';
      this.timer = setTimeout(() => this.refuse('frame-timeout', `a frame was begun but not finished within ${ms} ms`), ms);
    }
  }

  private closeIdle(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.host.log.debug('raft transport: closing a connection idle too long', { peer: this.peer, remote: this.remote, idle_ms: this.host.idleTimeoutMs });
    this.socket.destroy();
  }

  /** Reads, checks and delivers one frame; false while it is incomplete or when the connection was refused. */
  private readFrame(): boolean {
    const frame = this.reader.next({ prefixBytes: FRAME_HEADER_BYTES, minBytes: 1, maxBytes: MAX_FRAME_BYTES, trailerBytes: this.mac ? MAC_BYTES : 0 });
    if (frame === undefined) return false;
    if ('refused' in frame) {
      this.refuse('frame-too-large', `frame of ${frame.refused} bytes, allowed 1..${MAX_FRAME_BYTES}`);
      return false;
    }
    const { header, payload, trailer } = frame;
    const total = header.length + payload.length + trailer.length;
    // The next frame's time starts with its own first byte.
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mac && !sameBytes(trailer, this.mac.next(header, payload))) {
      this.refuse('bad-mac', 'frame MAC does not match (tampered, replayed or reordered)');
      return false;
    }
    // A plain Uint8Array view, so that the decoder's slices are copies, not views of the socket's chunks.
    const decoded = decodeRaftMessages(new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
    if (!decoded.ok) {
      this.refuse('bad-frame', decoded.reason);
      return false;
    }
    this.host.received(this, decoded.value, total);
    return true;
  }

  /** Reports and closes; with a status, tells the client why first (during the hello only). */
  private refuse(reason: RefusalReason, detail: string, status?: HelloStatus): void {
    if (this.state === 'done') return;
    this.state = 'done';
    clearTimeout(this.timer);
    this.reader.clear();
    this.host.refused(this, reason, detail);
    const socket = this.socket;
    if (status !== undefined && this.proof === undefined && this.mac === undefined && !socket.destroyed) {
      socket.end(encodeChallenge(status), () => socket.destroy());
    } else {
      socket.destroy();
    }
  }
}

/**
 * Push-pull over TCP, on the same port number as the UDP socket: a client
 * connects, sends one frame, reads one reply frame, and the connection ends.
 * A frame is a u32 big-endian payload length and the payload. The server
 * survives any client: one that sends nothing, half a header, a huge length
 * or a byte now and then is closed by its deadline or at once, and memory per
 * connection never exceeds what the client sent, up to `maxBytes`.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { formatHostPort, type HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';
import { FrameReader } from '../frame-reader.js';
import { unmapped } from './udp-receive.js';
import { listenFailed } from './udp-transport.js';

const HEADER_BYTES = 4;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 256;

/** Answers one request frame with a reply frame, or with null to close without a reply. */
export type StreamHandler = (payload: Uint8Array, from: HostPort) => Promise<Uint8Array | null> | Uint8Array | null;

export interface StreamServerOptions {
  readonly host: string;
  readonly port: number;
  /** Largest frame payload accepted, in bytes; a longer announced length closes the connection. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Time a connection may take from accept to reply sent, in ms; then it is closed. Default 10000. */
  readonly timeoutMs?: number;
  /** Connections served at once; any beyond are closed as soon as they are accepted. Default 256. */
  readonly maxConnections?: number;
  readonly log: Logger;
  readonly handle: StreamHandler;
}

export interface StreamCounters {
  /** Connections taken for serving. */
  accepted: number;
  /** Connections closed at once because maxConnections were open. */
  rejected: number;
  /** Request frames handed to the handler. */
  handled: number;
  /** Connections closed because their frame announced more than maxBytes. */
  oversize: number;
  /** Connections closed because they were not done within timeoutMs. */
  timedOut: number;
  /** Connections the client closed or broke before sending a whole frame. */
  incomplete: number;
  /** Handler calls that threw or rejected, or replied with more than maxBytes (a bug; logged at error). */
  handlerFailed: number;
}

export class StreamServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly maxConnections: number;
  private bound: HostPort | undefined;
  private readonly count: StreamCounters = { accepted: 0, rejected: 0, handled: 0, oversize: 0, timedOut: 0, incomplete: 0, handlerFailed: 0 };

  constructor(private readonly opts: StreamServerOptions) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.server = createServer({ noDelay: true }, (socket) => this.serve(socket));
  }

  /** The address actually bound (port 0 resolved); undefined before start. */
  get boundAddress(): HostPort | undefined {
    return this.bound;
  }

  /** A snapshot of the counters. */
  get counters(): Readonly<StreamCounters> {
    return { ...this.count };
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Listens; rejects with ListenFailedError when the address cannot be bound. */
  start(): Promise<void> {
    const { host, port, log } = this.opts;
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(listenFailed('membership (tcp)', { host, port }, e));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => log.warn('membership tcp listener error', { error: e }));
        const a = this.server.address();
        if (a !== null && typeof a === 'object') this.bound = { host: a.address, port: a.port };
        log.info(`membership listening on tcp ${formatHostPort(this.bound ?? { host, port })}`);
        resolve();
      });
    });
  }

  /**
   * Stops listening and closes every open connection at once; resolves when
   * the listener is closed. An exchange cut short is repaired by the next one.
   */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private serve(socket: Socket): void {
    if (this.sockets.size >= this.maxConnections) {
      this.count.rejected++;
      socket.destroy();
      return;
    }
    this.count.accepted++;
    this.sockets.add(socket);
    const from: HostPort = { host: unmapped(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    const reader = new FrameReader();
    let state: 'reading' | 'replying' | 'closed' = 'reading';
    const drop = (counter: 'oversize' | 'timedOut'): void => {
      if (state === 'closed') return;
      state = 'closed';
      this.count[counter]++;
      this.opts.log.debug('push-pull connection dropped', { from: formatHostPort(from), reason: counter });
      socket.destroy();
    };
    const deadline = setTimeout(() => drop('timedOut'), this.timeoutMs);
    socket.on('error', (e) => this.opts.log.debug('push-pull connection error', { from: formatHostPort(from), error: e }));
    socket.on('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(socket);
      if (state === 'reading') this.count.incomplete++;
      state = 'closed';
    });
    socket.on('data', (chunk: Buffer) => {
      if (state !== 'reading') return;
      reader.push(chunk);
      const frame = reader.next({ prefixBytes: HEADER_BYTES, maxBytes: this.maxBytes });
      if (frame === undefined) return;
      if ('refused' in frame) {
        drop('oversize');
        return;
      }
      state = 'replying';
      socket.pause();
      this.count.handled++;
      void this.reply(socket, frame.payload, from);
    });
  }

  private async reply(socket: Socket, frame: Uint8Array, from: HostPort): Promise<void> {
    let reply: Uint8Array | null;
    try {
      reply = await this.opts.handle(frame, from);
    } catch (e) {
      this.count.handlerFailed++;
      this.opts.log.error('push-pull handler failed', { from: formatHostPort(from), error: e });
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    if (reply === null) {
      socket.end();
    } else if (reply.length > this.maxBytes) {
      this.count.handlerFailed++;
      this.opts.log.error('push-pull reply larger than the frame limit; not sent', { bytes: reply.length, maxBytes: this.maxBytes });
      socket.destroy();
    } else {
      socket.write(header(reply.length));
      socket.end(reply);
    }
  }
}

/** Why an exchange failed. */
export type ExchangeFailure = 'connect' | 'timeout' | 'oversize' | 'closed';

/** An exchange that did not bring back a reply; `reason` says why, for counting. */
export class ExchangeError extends Error {
  constructor(
    readonly reason: ExchangeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export interface ExchangeOptions {
  /** Time for the whole exchange, connect included, in ms. Default 10000. */
  readonly timeoutMs?: number;
  /** Largest payload sent or accepted, in bytes. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Local address to connect from (the agent's bind address). Default: the kernel's choice. */
  readonly localAddress?: string;
}

/**
 * Connects to `to`, sends one frame, reads one reply frame and closes.
 * Rejects with ExchangeError: `connect` (refused, unreachable), `timeout`
 * (the whole exchange took longer than timeoutMs), `oversize` (the payload
 * or the reply's announced length exceeds maxBytes) or `closed` (the server
 * closed or broke the connection before a whole reply, as it does when its
 * handler has no reply).
 */
export function exchange(to: HostPort, payload: Uint8Array, opts: ExchangeOptions = {}): Promise<Uint8Array> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = formatHostPort(to);
  if (payload.length > maxBytes) {
    return Promise.reject(new ExchangeError('oversize', `push-pull with ${where}: payload of ${payload.length} bytes exceeds ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host: to.host, port: to.port, localAddress: opts.localAddress, noDelay: true });
    const reader = new FrameReader();
    let connected = false;
    let settled = false;
    const settle = (outcome: Uint8Array | ExchangeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      if (outcome instanceof ExchangeError) reject(outcome);
      else resolve(outcome);
    };
    const fail = (reason: ExchangeFailure, why: string): void => settle(new ExchangeError(reason, `push-pull with ${where}: ${why}`));
    const deadline = setTimeout(() => fail('timeout', `no reply within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(header(payload.length));
      socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      const frame = reader.next({ prefixBytes: HEADER_BYTES, maxBytes });
      if (frame === undefined) return;
      if ('refused' in frame) fail('oversize', `reply announces more than ${maxBytes} bytes`);
      else settle(frame.payload);
    });
    socket.on('error', (e) => fail(connected ? 'closed' : 'connect', e.message));
    socket.on('close', () => fail('closed', 'connection closed before a whole reply'));
  });
}

function header(length: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  h.writeUInt32BE(length, 0);
  return h;
}

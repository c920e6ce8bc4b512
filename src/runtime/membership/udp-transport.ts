/**
 * The UDP socket of membership: probes, acks and gossip travel as opaque
 * datagrams. Binds (host, port) as udp6 when host is an IPv6 literal (`::`
 * is dual-stack: IPv4 peers are reached and reported as plain IPv4), else
 * udp4. Sending never throws; failures and dropped datagrams are counted.
 * Also home of the small socket helpers the other membership sockets share.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { ListenFailedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import { receiveDatagram, type OversizeHandler, type PacketHandler, type ReceiveCounters } from './udp-receive.js';

/** Receive buffer asked of the kernel, so a burst of gossip is not lost; Linux caps it at net.core.rmem_max. */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpCounters extends ReceiveCounters {
  /** Datagrams the kernel accepted for sending. */
  sent: number;
  /** Sends that failed: not started, bad address, no route, message too long. */
  sendFailed: number;
}

export class UdpTransport {
  private socket: Socket | undefined;
  private bound: HostPort | undefined;
  /** A udp6 socket reaches IPv4 peers only by their IPv4-mapped addresses. */
  private readonly udp6: boolean;
  private handler: PacketHandler = () => undefined;
  private oversize: OversizeHandler = () => undefined;
  private readonly count: UdpCounters = { received: 0, droppedOversize: 0, handlerFailed: 0, sent: 0, sendFailed: 0 };

  /**
   * `reuseAddr` lets a multicast discovery socket share the port (bound to its
   * group address, it takes no unicast); the caller must guard against a
   * second agent on the same port, as the TCP listener bound first does.
   */
  constructor(private readonly opts: { readonly host: string; readonly port: number; readonly log: Logger; readonly reuseAddr?: boolean }) {
    this.udp6 = isIP(opts.host) === 6;
  }

  /** The address actually bound (port 0 resolved); undefined before start. */
  get boundAddress(): HostPort | undefined {
    return this.bound;
  }

  /** A snapshot of the counters. */
  get counters(): Readonly<UdpCounters> {
    return { ...this.count };
  }

  /** Sets the one function that receives every datagram (replacing any earlier one); it should not throw. */
  onPacket(handler: PacketHandler): void {
    this.handler = handler;
  }

  /** Sets the one function told of each datagram dropped for its size (replacing any earlier one); it should not throw. */
  onOversize(handler: OversizeHandler): void {
    this.oversize = handler;
  }

  /** Binds the socket; rejects with ListenFailedError when the address cannot be bound. */
  start(): Promise<void> {
    const { host, port, log } = this.opts;
    const socket = createSocket({ type: this.udp6 ? 'udp6' : 'udp4', reuseAddr: this.opts.reuseAddr ?? false });
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        closeQuietly(socket);
        reject(listenFailed('membership (udp)', { host, port }, e));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        socket.on('error', (e) => log.warn('membership udp socket error', { error: e }));
        socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
        setRecvBuffer(socket, log);
        const a = socket.address();
        this.bound = { host: a.address, port: a.port };
        this.socket = socket;
        log.info(`membership listening on udp ${formatHostPort(this.bound)}`);
        resolve();
      });
    });
  }

  /** Closes the socket; resolves once it is closed. Safe to call when not started. */
  stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return closeSocket(socket);
  }

  /** Sends one datagram to `to` (an IP literal); never throws. A failure is counted and logged at debug. */
  send(to: HostPort, bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket === undefined) {
      this.sendFailed(to, 'not started');
      return;
    }
    try {
      socket.send(bytes, to.port, this.udp6 && isIP(to.host) === 4 ? `::ffff:${to.host}` : to.host, (e) => {
        if (e) this.sendFailed(to, e);
        else this.count.sent++;
      });
    } catch (e) {
      this.sendFailed(to, e);
    }
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    receiveDatagram({ name: 'membership', count: this.count, log: this.opts.log, onPacket: this.handler, onOversize: this.oversize }, msg, rinfo);
  }

  private sendFailed(to: HostPort, error: unknown): void {
    this.count.sendFailed++;
    this.opts.log.debug('membership udp send failed', { to: formatHostPort(to), error });
  }
}

/** A ListenFailedError for a failed bind, worded like the HTTP listener's; `hint` is appended. */
export function listenFailed(what: string, address: HostPort, e: unknown, hint = ''): ListenFailedError {
  return new ListenFailedError(`cannot listen on ${formatHostPort(address)} for ${what}: ${reasonOf(e)}${hint}`);
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied',
  ENETUNREACH: 'network unreachable (no route through this interface)',
  ENODEV: 'no such interface',
  EMSGSIZE: 'message too long',
};

/** A socket error in words: a known errno code explained, else the error's message. */
export function reasonOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? REASONS[code] : undefined) ?? e.message;
}

/** Asks for a large receive buffer; where the kernel refuses, the default buffer stays and a debug line says so. */
export function setRecvBuffer(socket: Socket, log: Logger): void {
  try {
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch (e) {
    log.debug('udp receive buffer left at the default', { requested: RECV_BUFFER_BYTES, error: e });
    return;
  }
  log.debug('udp receive buffer set', { requested: RECV_BUFFER_BYTES, granted: socket.getRecvBufferSize() });
}

/** Closes a socket that may never have bound; never throws. */
/** Closes `socket` (if any); resolves once it is closed. */
export function closeSocket(socket: Socket | undefined): Promise<void> {
  return socket === undefined ? Promise.resolve() : new Promise((resolve) => socket.close(() => resolve()));
}

export function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}

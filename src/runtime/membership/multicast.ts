/**
 * Multicast discovery: announcements sent to a group, heard by every agent
 * that joined it, on this host too. Several agents on one host share the
 * group port (SO_REUSEADDR); each socket binds the group address itself, so
 * it hears only this group, never unicast to the port.
 *
 * What receivers must know: with `loopback` on, a socket hears its own
 * announcements, and every announcement from one host arrives from the same
 * address and the group port, so an agent recognizes its own by the sender
 * ID inside the payload, never by the source address.
 *
 * Found on Linux (the loopback interface has no MULTICAST flag):
 * - IPv4 works over loopback when the interface is named by address:
 *   `interfaceAddress: '127.0.0.1'` joins the group on lo (addMembership)
 *   and sends through it (IP_MULTICAST_IF); no route is needed. Joined on
 *   the default interface instead, the socket does not hear announcements
 *   sent through lo.
 * - IPv6 multicast has no route over lo (`multicast ff00::/8` is only on
 *   multicast-capable interfaces): joining `::%lo` succeeds but every send
 *   fails with ENETUNREACH, which is counted and warned about once.
 * - A socket bound without SO_REUSEADDR to the same port (such as the
 *   gossip UDP socket on 0.0.0.0) makes the bind fail with EADDRINUSE, so
 *   discovery_port must differ from the gossip port of every agent on the host.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { ListenFailedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import { closeQuietly, closeSocket, listenFailed, reasonOf, setRecvBuffer } from './udp-transport.js';
import { receiveDatagram, type OversizeHandler, type PacketHandler, type ReceiveCounters } from './udp-receive.js';

export interface MulticastOptions {
  /** Group address: IPv4 (224.0.0.0/4) or IPv6 (ff00::/8, on a udp6 socket). */
  readonly group: string;
  readonly port: number;
  /**
   * Interface to join on and send through: for IPv4 one of its addresses
   * (`127.0.0.1` for loopback), for IPv6 its scope (`::%eth0`), which a
   * link-local group (ff02::/16) requires. Default: the kernel's choice,
   * the interface of the default route.
   */
  readonly interfaceAddress?: string;
  /** Router hops an announcement may cross (IPv6: hop limit); 1 keeps it on the local network. Default 1. */
  readonly ttl?: number;
  /** Deliver announcements to sockets on this host too, so agents on one host hear each other. Default true. */
  readonly loopback?: boolean;
  readonly log: Logger;
  /** Receives every announcement heard, this socket's own included; it should not throw. */
  readonly onPacket: PacketHandler;
  /** Told of each datagram dropped unread for its size; it should not throw. */
  readonly onOversize?: OversizeHandler;
}

/** `received` counts announcements handed to onPacket. */
export interface MulticastCounters extends ReceiveCounters {
  /** Announcements the kernel accepted for sending. */
  sent: number;
  /** Announcements that could not be sent (not started, no route, too long); the first is logged at warn. */
  sendFailed: number;
}

export class MulticastDiscovery {
  /** Where announcements go and how, for the start-up log line. */
  readonly interfaceDescription: string;
  private socket: Socket | undefined;
  private readonly ttl: number;
  private readonly loopback: boolean;
  private readonly count: MulticastCounters = { received: 0, droppedOversize: 0, handlerFailed: 0, sent: 0, sendFailed: 0 };

  constructor(private readonly opts: MulticastOptions) {
    this.ttl = opts.ttl ?? 1;
    this.loopback = opts.loopback ?? true;
    this.interfaceDescription =
      `group ${formatHostPort(this.groupAddress)} on ${opts.interfaceAddress ?? 'the default interface'}, ` +
      `ttl ${this.ttl}, loopback ${this.loopback ? 'on' : 'off'}`;
  }

  /** A snapshot of the counters. */
  get counters(): Readonly<MulticastCounters> {
    return { ...this.count };
  }

  /**
   * Binds the group port (shared with other sockets that set SO_REUSEADDR)
   * and joins the group; rejects with ListenFailedError when either fails.
   */
  start(): Promise<void> {
    const { group, port, interfaceAddress: iface, log } = this.opts;
    const v6 = isIP(group) === 6;
    const scope = v6 && iface?.includes('%') ? iface.slice(iface.indexOf('%')) : '';
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: true });
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        closeQuietly(socket);
        const hint =
          e.code === 'EADDRINUSE' ? ' (a socket without SO_REUSEADDR holds the port: is discovery_port the gossip port of an agent on this host?)' : '';
        reject(listenFailed('discovery', this.groupAddress, e, hint));
      };
      socket.once('error', onError);
      socket.bind(port, `${group}${scope}`, () => {
        socket.off('error', onError);
        try {
          socket.addMembership(group, iface);
          if (iface !== undefined) socket.setMulticastInterface(iface);
          socket.setMulticastTTL(this.ttl);
          socket.setMulticastLoopback(this.loopback);
        } catch (e) {
          closeQuietly(socket);
          reject(new ListenFailedError(`cannot join multicast group ${group} on ${iface ?? 'the default interface'} for discovery: ${reasonOf(e)}`));
          return;
        }
        socket.on('error', (e) => log.warn('discovery socket error', { error: e }));
        socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
        setRecvBuffer(socket, log);
        this.socket = socket;
        resolve();
      });
    });
  }

  /** Leaves the group and closes the socket; resolves once it is closed. Safe to call when not started. */
  stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return closeSocket(socket);
  }

  /** Sends one announcement to the group; never throws. Failures are counted; the first is logged at warn, the rest at debug. */
  announce(bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket === undefined) {
      this.sendFailed('not started');
      return;
    }
    try {
      socket.send(bytes, this.opts.port, this.opts.group, (e) => {
        if (e) this.sendFailed(e);
        else this.count.sent++;
      });
    } catch (e) {
      this.sendFailed(e);
    }
  }

  private get groupAddress(): HostPort {
    return { host: this.opts.group, port: this.opts.port };
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    receiveDatagram({ name: 'discovery', count: this.count, log: this.opts.log, onPacket: this.opts.onPacket, onOversize: this.opts.onOversize }, msg, rinfo);
  }

  private sendFailed(error: unknown): void {
    this.count.sendFailed++;
    const to = formatHostPort(this.groupAddress);
    if (this.count.sendFailed === 1) {
      this.opts.log.warn(`discovery announcements cannot be sent to ${to}: ${reasonOf(error)}; further failures are only counted`, {
        interface: this.opts.interfaceAddress ?? 'default',
      });
    } else {
      this.opts.log.debug('discovery announcement not sent', { to, error });
    }
  }
}

/**
 * The Raft role's one TCP port, shared by its HTTP API and the members' Raft
 * traffic: each new connection's first bytes decide. A connection that starts
 * with the Raft transport's magic goes to the transport; anything else, with
 * those bytes put back, to the HTTP server, which applies the same header,
 * request and keep-alive timeouts as the web listener. A connection that
 * sends nothing within the header timeout is closed; beyond the listener's
 * connection caps (Raft and HTTP counted together) a connection is refused.
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { formatHostPort, type HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';
import { ConnectionLimiter, DEFAULT_CONNECTION_CAPS } from '../../runtime/connection-limits.js';
import type { Routes } from '../../runtime/http.js';
import { listenFailed, type ListenerOptions } from '../../runtime/http-listener.js';
import { HTTP_TIMEOUTS, createApiServer } from '../../runtime/http-server.js';
import { ListenerStats } from '../../runtime/listener-stats.js';
import { sniffConnection } from '../../runtime/sniff.js';

export interface RaftStreamSink {
  readonly magic: Uint8Array;
  accept(socket: Socket, head: Buffer): void;
}

/** The listener's name in logs and metrics. */
export const RAFT_LISTENER = 'raft';

export class RaftListener {
  private readonly server: Server;
  readonly http: HttpServer;
  private bound: HostPort | undefined;
  private readonly sockets = new Set<Socket>();
  /** The connections handed to the HTTP server: closed gently on stop, the Raft ones at once. */
  private readonly httpSockets = new WeakSet<Socket>();
  private readonly firstBytesMs: number;

  constructor(
    private readonly address: HostPort,
    routes: Routes,
    private readonly raft: RaftStreamSink,
    private readonly log: Logger,
    opts: ListenerOptions = {},
  ) {
    const counts = (opts.stats ?? new ListenerStats()).of(RAFT_LISTENER);
    const timeouts = opts.timeouts ?? HTTP_TIMEOUTS;
    this.firstBytesMs = timeouts.headersMs;
    this.http = createApiServer({ routes, log, counts, auth: opts.auth, timeouts });
    // Node checks the header and request timeouts only on a server that emitted 'listening'; this one is fed sockets and never listens itself.
    this.http.emit('listening');
    const limiter = new ConnectionLimiter(opts.caps ?? DEFAULT_CONNECTION_CAPS, (reason) => counts.refused[reason]++);
    this.server = createServer((socket) => {
      if (limiter.admit(socket)) this.sniff(socket);
    });
  }

  get boundAddress(): HostPort | undefined {
    return this.bound;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(listenFailed(this.address, RAFT_LISTENER, e));
      this.server.once('error', onError);
      this.server.listen(this.address.port, this.address.host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        this.bound = { host: a.address, port: a.port };
        this.log.info(`raft listening on ${formatHostPort(this.bound)}`);
        resolve();
      });
    });
  }

  /** Stops accepting; closes idle HTTP connections and, when `letGo` aborts, every connection left. */
  stop(letGo: AbortSignal): Promise<void> {
    const dropRest = (): void => {
      this.http.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    };
    return new Promise((resolve) => {
      this.http.closeIdleConnections();
      for (const socket of this.sockets) if (!this.httpSockets.has(socket)) socket.destroy();
      this.server.close(() => {
        letGo.removeEventListener('abort', dropRest);
        // Stops Node's timeout checks of the HTTP server (it never listened, so there is nothing else to close).
        this.http.close(() => undefined);
        resolve();
      });
      if (letGo.aborted) dropRest();
      else letGo.addEventListener('abort', dropRest, { once: true });
    });
  }

  private sniff(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), this.firstBytesMs);
    sniffConnection(socket, this.raft.magic, (isRaft, head) => {
      clearTimeout(timer);
      if (isRaft) {
        this.raft.accept(socket, head);
        return;
      }
      this.httpSockets.add(socket);
      socket.unshift(head);
      this.http.emit('connection', socket);
      socket.resume();
    });
  }
}

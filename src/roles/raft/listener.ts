/**
 * The Raft role's one TCP port, shared by its HTTP API and the members' Raft
 * traffic: each new connection's first bytes decide. A connection that starts
 * with the Raft transport's magic goes to the transport; anything else, with
 * those bytes put back, to the HTTP server. A connection that sends nothing
 * within the header timeout is closed.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { formatHostPort, type HostPort } from '../../config/values.js';
import type { Logger } from '../../ops/log.js';
import { router, type Routes } from '../../runtime/http.js';
import { listenFailed } from '../../runtime/http-listener.js';

const FIRST_BYTES_TIMEOUT_MS = 10_000;

export interface RaftStreamSink {
  readonly magic: Uint8Array;
  accept(socket: Socket, head: Buffer): void;
}

export class RaftListener {
  private readonly server: Server;
  readonly http: HttpServer;
  private bound: HostPort | undefined;
  private readonly sockets = new Set<Socket>();
  /** The connections handed to the HTTP server: closed gently on stop, the Raft ones at once. */
  private readonly httpSockets = new WeakSet<Socket>();

  constructor(
    private readonly address: HostPort,
    routes: Routes,
    private readonly raft: RaftStreamSink,
    private readonly log: Logger,
  ) {
    this.http = createHttpServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, router(routes, log));
    this.server = createServer((socket) => this.sniff(socket));
  }

  get boundAddress(): HostPort | undefined {
    return this.bound;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(listenFailed(this.address, 'raft', e));
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
    const magic = this.raft.magic;
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTES_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, magic.length);
      const isRaft = head.subarray(0, n).equals(Buffer.from(magic.subarray(0, n)));
      if (isRaft && head.length < magic.length) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (isRaft) {
        this.raft.accept(socket, head);
        return;
      }
      this.httpSockets.add(socket);
      socket.unshift(head);
      this.http.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', onData);
  }
}

/**
 * An HTTP listener as a lifecycle part: binds on start (reporting a bind
 * failure as ListenFailedError). On stop it refuses new connections, closes
 * idle keep-alive ones (server.close does), lets requests in flight finish,
 * and when told to let go, closes whatever connections are left.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { formatHostPort, type HostPort } from '../config/values.js';
import { ListenFailedError } from '../errors.js';
import type { Logger } from '../ops/log.js';
import { router, type Routes } from './http.js';
import type { Part } from './lifecycle.js';

/** Why a listener could not bind `address`, in words. */
export function listenFailed(address: HostPort, name: string, e: NodeJS.ErrnoException): ListenFailedError {
  const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EADDRNOTAVAIL' ? 'address not available on this host' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new ListenFailedError(`cannot listen on ${formatHostPort(address)} for ${name}: ${why}`);
}

export class HttpListener implements Part {
  private readonly server: Server;
  private bound: HostPort | undefined;

  constructor(
    readonly name: string,
    private readonly address: HostPort,
    routes: Routes,
    private readonly log: Logger,
    /** Takes HTTP upgrades (WebSocket); without it they are refused. */
    upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ) {
    this.server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, router(routes, log));
    this.server.keepAliveTimeout = 5_000;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if (upgrade) upgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
  }

  /** The address actually bound (port 0 resolved); undefined before start. */
  get boundAddress(): HostPort | undefined {
    return this.bound;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(listenFailed(this.address, this.name, e));
      this.server.once('error', onError);
      this.server.listen(this.address.port, this.address.host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        this.bound = { host: a.address, port: a.port };
        this.log.info(`${this.name} listening on ${formatHostPort(this.bound)}`);
        resolve();
      });
    });
  }

  stop(letGo: AbortSignal): Promise<void> {
    const dropRest = (): void => {
      this.server.getConnections((_e, open) => {
        if (open > 0) this.log.warn(`closing ${open} connection${open === 1 ? '' : 's'} still open at the stop deadline`);
        this.server.closeAllConnections();
      });
    };
    return new Promise((resolve, reject) => {
      this.server.close((e) => {
        letGo.removeEventListener('abort', dropRest);
        if (e) reject(e);
        else resolve();
      });
      if (letGo.aborted) dropRest();
      else letGo.addEventListener('abort', dropRest, { once: true });
    });
  }
}

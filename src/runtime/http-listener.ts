/**
 * An HTTP listener as a lifecycle part: binds on start (reporting a bind
 * failure as ListenFailedError). It holds at most its caps of connections
 * (connection-limits.ts) and applies the timeouts of http-server.ts. On stop
 * it refuses new connections, closes idle keep-alive ones (server.close
 * does), lets requests in flight finish, and when told to let go, closes
 * whatever connections are left.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';
import { formatHostPort, type HostPort } from '../config/values.js';
import { ListenFailedError } from '../errors.js';
import type { Logger } from '../ops/log.js';
import { ConnectionLimiter, DEFAULT_CONNECTION_CAPS, type ConnectionCaps } from './connection-limits.js';
import { checkAccess, type ApiAuth } from './http-guard.js';
import type { HttpError } from './http-error.js';
import { createApiServer, type HttpTimeouts } from './http-server.js';
import type { Routes } from './http.js';
import type { Part } from './lifecycle.js';
import { ListenerStats } from './listener-stats.js';

/** Why a listener could not bind `address`, in words. */
export function listenFailed(address: HostPort, name: string, e: NodeJS.ErrnoException): ListenFailedError {
  const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EADDRNOTAVAIL' ? 'address not available on this host' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new ListenFailedError(`cannot listen on ${formatHostPort(address)} for ${name}: ${why}`);
}

/** What every listener may be given: who may call it, where it counts, its limits. */
export interface ListenerOptions {
  /** The token settings its requests are checked against; none: everything is open. */
  readonly auth?: ApiAuth;
  /** Where it counts refusals, client errors and aborted requests (under its name). */
  readonly stats?: ListenerStats;
  readonly caps?: ConnectionCaps;
  readonly timeouts?: HttpTimeouts;
}

export interface HttpListenerOptions extends ListenerOptions {
  /** Takes HTTP upgrades (WebSocket) that passed the access guard; without it they are refused. */
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export class HttpListener implements Part {
  private readonly server: Server;
  private bound: HostPort | undefined;

  constructor(
    readonly name: string,
    private readonly address: HostPort,
    routes: Routes,
    private readonly log: Logger,
    opts: HttpListenerOptions = {},
  ) {
    const counts = (opts.stats ?? new ListenerStats()).of(name);
    this.server = createApiServer({ routes, log, counts, auth: opts.auth, timeouts: opts.timeouts });
    const limiter = new ConnectionLimiter(opts.caps ?? DEFAULT_CONNECTION_CAPS, (reason) => counts.refused[reason]++);
    this.server.prependListener('connection', (socket: Socket) => limiter.admit(socket));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if (!opts.upgrade) {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      try {
        checkAccess(req, (req.url ?? '/').split('?')[0] as string, opts.auth);
      } catch (e) {
        const { status, code, message } = e as HttpError;
        const body = `${JSON.stringify({ error: { code, message } })}\n`;
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        return;
      }
      opts.upgrade(req, socket, head);
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

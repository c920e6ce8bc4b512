/**
 * Forwards a request that only the leader can serve to the leader's Raft
 * listener, over a pool of kept-alive connections per leader address
 * (undici: about half the CPU of node:http's client per request), and relays
 * its answer. A forwarded request carries `x-dinc-forwarded`, and the leader
 * never forwards it again, so a request crosses at most one hop. A leader
 * that refuses the connection is reported as unreachable (nothing was sent);
 * any other failure leaves the outcome unknown.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { sendFailure, sendNoLeader, type Style } from './answers.js';
import { REQUEST_TIMEOUT_MS } from './settings.js';

export const FORWARDED_HEADER = 'x-dinc-forwarded';

const RELAYED_HEADERS = ['content-type', 'retry-after'];
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/**
 * Connections per leader: as many as requests a member is likely to have in flight.
 * Not a setting: the leader's listener bounds it sooner, admitting at most
 * DEFAULT_CONNECTION_CAPS.perAddress (256) connections from one address
 * (runtime/connection-limits.ts).
 */
const CONNECTIONS = 512;
/** Pools of leaders this member no longer forwards to are closed when more than this many exist. Not a setting: one pool per recent leader. */
const MAX_POOLS = 4;

export class Forwarder {
  private readonly pools = new Map<string, Pool>();
  forwarded = 0;

  constructor(private readonly selfId: string) {}

  /** True when `req` came from another member and must be served here or refused. */
  static isForwarded(req: IncomingMessage): boolean {
    return req.headers[FORWARDED_HEADER] !== undefined;
  }

  /** Sends `req` (with the body already read) to `leader` at `to` and relays the answer to `res`; waits up to `timeoutMs` for it. */
  async relay(req: IncomingMessage, body: Uint8Array, res: ServerResponse, leader: string, to: HostPort, style: Style, timeoutMs = REQUEST_TIMEOUT_MS + 1_000): Promise<void> {
    this.forwarded++;
    const headers: Record<string, string> = { [FORWARDED_HEADER]: this.selfId };
    for (const name of ['content-type', 'authorization', 'x-dinc-client', 'x-dinc-seq']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const answer = await this.poolFor(to).request({
        method: (req.method ?? 'GET') as 'GET',
        path: req.url ?? '/',
        headers,
        body: body.length > 0 ? body : null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = Buffer.from(await answer.body.arrayBuffer());
      const relayed: Record<string, string> = { 'content-length': String(text.length) };
      for (const name of RELAYED_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') relayed[name] = value;
      }
      res.writeHead(answer.statusCode, relayed);
      res.end(text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (res.headersSent) res.destroy();
      else if (code !== undefined && NOT_SENT.has(code)) sendNoLeader(res, style, `the leader ${leader} at ${formatHostPort(to)} refused the connection`);
      else sendFailure(res, style, 504, 'DINC_TIMEOUT', `forwarded to the leader ${leader}, which did not answer (${(e as Error).message}); the outcome is not known`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
    this.pools.clear();
  }

  private poolFor(to: HostPort): Pool {
    const origin = `http://${formatHostPort(to)}`;
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      if (this.pools.size >= MAX_POOLS) {
        const [oldest, stale] = this.pools.entries().next().value as [string, Pool];
        this.pools.delete(oldest);
        void stale.close();
      }
      pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 4_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

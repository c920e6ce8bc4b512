/**
 * Forwards a request that only the leader can serve to the leader's Raft
 * listener, over kept-alive connections, and relays its answer. A forwarded
 * request carries `x-dinc-forwarded`, and the leader never forwards it again,
 * so a request crosses at most one hop. A leader that refuses the connection
 * is reported as unreachable (nothing was sent); any other failure leaves the
 * outcome unknown.
 */
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { HostPort } from '../../config/values.js';
import { sendFailure, sendNoLeader, type Style } from './answers.js';
import { REQUEST_TIMEOUT_MS } from './settings.js';

export const FORWARDED_HEADER = 'x-dinc-forwarded';

const RELAYED_HEADERS = ['content-type', 'retry-after'];
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export class Forwarder {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512, scheduling: 'lifo' });
  forwarded = 0;

  constructor(private readonly selfId: string) {}

  /** True when `req` came from another member and must be served here or refused. */
  static isForwarded(req: IncomingMessage): boolean {
    return req.headers[FORWARDED_HEADER] !== undefined;
  }

  /** Sends `req` (with the body already read) to `leader` at `to` and relays the answer to `res`. */
  relay(req: IncomingMessage, body: Uint8Array, res: ServerResponse, leader: string, to: HostPort, style: Style): Promise<void> {
    this.forwarded++;
    const headers: Record<string, string> = { [FORWARDED_HEADER]: this.selfId, 'content-length': String(body.length) };
    for (const name of ['content-type', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return new Promise((resolve) => {
      const out = request({ host: to.host, port: to.port, method: req.method, path: req.url, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS + 1_000 }, (answer) => {
        const relayed: Record<string, string> = {};
        for (const name of RELAYED_HEADERS) {
          const value = answer.headers[name];
          if (typeof value === 'string') relayed[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, relayed);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      out.on('timeout', () => out.destroy(new Error('the leader did not answer in time')));
      out.on('error', (error: NodeJS.ErrnoException) => {
        if (!res.headersSent) {
          if (error.code !== undefined && NOT_SENT.has(error.code)) sendNoLeader(res, style, `the leader ${leader} at ${to.host}:${to.port} refused the connection`);
          else sendFailure(res, style, 504, 'DINC_TIMEOUT', `forwarded to the leader ${leader}, which did not answer (${error.message}); the outcome is not known`);
        } else res.destroy();
        resolve();
      });
      out.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

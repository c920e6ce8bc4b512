/**
 * Live status for watchers: `GET /v1/stream` (WebSocket: the snapshot, then
 * patches) and `GET /events` (Server-Sent Events in GoCluster's shape). Both
 * push on every change (at most every THROTTLE_MS) and at least every
 * HEARTBEAT_MS. A client that stops reading is dropped once BACKLOG_BYTES wait
 * for it, so no watcher can grow the agent's memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HttpErrorCode } from '../error-codes.js';
import type { Logger } from '../ops/log.js';
import type { StatusSnapshot } from '../ops/snapshot.js';
import { diffSnapshot, type StreamMessage } from '../ops/snapshot-patch.js';
import type { Part } from './lifecycle.js';

const THROTTLE_MS = 250;
const HEARTBEAT_MS = 1000;
/** Unsent bytes after which a watcher counts as stuck. */
export const BACKLOG_BYTES = 1 << 20;
/** Close code for a watcher too slow to keep up (4000-4999: application codes). */
const CLOSE_TOO_SLOW = 4008;
/** Close code when the agent stops. */
const CLOSE_GOING_AWAY = 1001;

interface Watcher {
  send(snapshot: StatusSnapshot): void;
  close(): void;
}

export interface StatusFeedOptions {
  /** Takes a fresh snapshot. */
  readonly take: () => StatusSnapshot;
  /** Subscribes to changes; returns the unsubscribe. */
  readonly onChange: (listener: () => void) => () => void;
  readonly log: Logger;
  /** Unsent bytes after which a watcher is dropped; default BACKLOG_BYTES. */
  readonly backlogBytes?: number;
}

export class StatusFeed implements Part {
  readonly name = 'status feed';
  private readonly watchers = new Set<Watcher>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private lastPushAt = 0;
  /** Watchers dropped for being too slow, since start. */
  dropped = 0;

  private readonly backlogBytes: number;

  constructor(private readonly opts: StatusFeedOptions) {
    this.backlogBytes = opts.backlogBytes ?? BACKLOG_BYTES;
  }

  /** `GET /events`: Server-Sent Events, GoCluster's fields. */
  readonly events = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const watcher: Watcher = {
      send: (snapshot) => {
        if (res.writableLength > this.backlogBytes) return this.drop(watcher, () => res.destroy());
        res.write(`data: ${JSON.stringify(goClusterView(snapshot))}\n\n`);
      },
      close: () => res.end(),
    };
    this.add(watcher);
    res.on('close', () => this.remove(watcher));
  };

  /** Handles an HTTP upgrade on `/v1/stream`; answers anything else with an error and closes. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/stream') {
      const body = JSON.stringify({ error: { code: 'DINC_NOT_FOUND' satisfies HttpErrorCode, message: `no WebSocket endpoint at ${path ?? ''}; use /v1/stream` } });
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws));
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Ends every watcher, so that the web listener can close. */
  stop(): Promise<void> {
    for (const w of [...this.watchers]) w.close();
    this.watchers.clear();
    this.idle();
    this.wss.close();
    return Promise.resolve();
  }

  private stream(ws: WebSocket): void {
    let last: StatusSnapshot | undefined;
    const watcher: Watcher = {
      send: (snapshot) => {
        if (ws.bufferedAmount > this.backlogBytes) {
          return this.drop(watcher, () => {
            ws.close(CLOSE_TOO_SLOW, `too slow: more than ${this.backlogBytes} bytes of status waited unsent`);
            setTimeout(() => ws.terminate(), 2000).unref();
          });
        }
        const patch = last && diffSnapshot(last, snapshot);
        if (last && patch === null) return;
        const message: StreamMessage = patch ? { type: 'patch', patch } : { type: 'snapshot', snapshot };
        ws.send(JSON.stringify(message));
        last = snapshot;
      },
      close: () => ws.close(CLOSE_GOING_AWAY, 'agent stopping'),
    };
    ws.on('message', () => undefined);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.remove(watcher));
    this.add(watcher);
  }

  private add(watcher: Watcher): void {
    this.watchers.add(watcher);
    watcher.send(this.opts.take());
    if (this.watchers.size === 1) {
      this.unsubscribe = this.opts.onChange(() => this.changed());
      this.heartbeat = setInterval(() => this.push(), HEARTBEAT_MS);
    }
  }

  private remove(watcher: Watcher): void {
    if (this.watchers.delete(watcher) && this.watchers.size === 0) this.idle();
  }

  private drop(watcher: Watcher, end: () => void): void {
    this.dropped++;
    this.opts.log.warn('dropping a status watcher that stopped reading', { backlog_bytes: this.backlogBytes });
    this.remove(watcher);
    end();
  }

  private idle(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** A change: push now, or once the throttle allows. */
  private changed(): void {
    if (this.pending) return;
    const wait = this.lastPushAt + THROTTLE_MS - Date.now();
    if (wait <= 0) return this.push();
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.push();
    }, wait);
  }

  private push(): void {
    this.lastPushAt = Date.now();
    const snapshot = this.opts.take();
    for (const w of [...this.watchers]) w.send(snapshot);
  }
}

/** The SSE payload, as GoCluster's page reads it. */
export function goClusterView(s: StatusSnapshot): Record<string, unknown> {
  return {
    cluster_name: s.cluster.name,
    local_node: s.agent.id,
    leader: s.leader.id,
    quorum: s.leader.quorum.reached,
    nodes: Object.fromEntries(
      s.members.map((m) => [
        m.id,
        {
          id: m.id,
          address: m.address,
          state: m.state === 'alive' ? (m.leader ? 'leader' : 'follower') : m.state,
          status: m.state,
          roles: m.roles,
          last_seen: m.last_seen,
        },
      ]),
    ),
    timestamp: s.time,
  };
}

/**
 * `GET /v1/monitor?level=debug|info|warn|error`: the agent's log records as
 * they happen, one JSON object per line (NDJSON), at the asked level whatever
 * the agent's own. Needs the API token when one is set: logs can hold
 * sensitive details. A client that stops reading is dropped once
 * BACKLOG_BYTES wait for it; on stop every stream ends, so that the web
 * listener can close.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatJson, isLogLevel, type Logger } from '../ops/log.js';
import { HttpError, requireToken, type Routes } from './http.js';
import { queryOf } from './http-input.js';
import type { Part } from './lifecycle.js';
import { BACKLOG_BYTES } from './status-feed.js';

export interface LogMonitorOptions {
  /** The logger whose records (and its relatives') are streamed. */
  readonly log: Logger;
  /** The current `[agent] api_token` ('' when none). */
  readonly token: () => string;
}

export class LogMonitor implements Part {
  readonly name = 'log monitor';
  private readonly streams = new Set<ServerResponse>();
  private stopped = false;
  /** Streams dropped for falling more than BACKLOG_BYTES behind, since start. */
  dropped = 0;

  constructor(private readonly opts: LogMonitorOptions) {}

  readonly routes: Routes = new Map([['/v1/monitor', { GET: (req: IncomingMessage, res: ServerResponse) => this.follow(req, res) }]]);

  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Ends every stream and refuses to follow any more. */
  stop(): Promise<void> {
    this.stopped = true;
    for (const res of [...this.streams]) res.end();
    return Promise.resolve();
  }

  private follow(req: IncomingMessage, res: ServerResponse): void {
    requireToken(req, this.opts.token());
    const level = queryOf(req).get('level') ?? 'info';
    if (!isLogLevel(level)) throw new HttpError(400, 'DINC_BAD_REQUEST', `level ${JSON.stringify(level.slice(0, 20))}: must be debug, info, warn or error`);
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    if (this.stopped) {
      res.end();
      return;
    }
    const untap = this.opts.log.tap(level, (r) => {
      res.write(`${formatJson(r.time, r.level, r.msg, r.fields)}\n`);
      if (res.writableLength > BACKLOG_BYTES) this.drop(res, untap);
    });
    this.streams.add(res);
    res.on('close', () => {
      untap();
      this.streams.delete(res);
    });
  }

  private drop(res: ServerResponse, untap: () => void): void {
    untap();
    this.streams.delete(res);
    res.destroy();
    this.dropped++;
    this.opts.log.warn('dropping a log monitor that stopped reading', { backlog_bytes: BACKLOG_BYTES });
  }
}

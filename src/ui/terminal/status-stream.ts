/**
 * Follows an agent's live status over `GET /v1/stream` (WebSocket: the
 * snapshot, then patches) and keeps the latest snapshot. When the connection
 * drops or stalls it reconnects with back-off, for as long as it runs, so an
 * agent that restarts is picked up again. Only an answer that is not the
 * stream at all (a 4xx, another snapshot version) ends it.
 */
import WebSocket from 'ws';
import { AgentError, AgentRequestError } from '../../errors.js';
import type { StatusSnapshot } from '../../ops/snapshot.js';
import { applyPatch, type StreamMessage } from '../../ops/snapshot-patch.js';
import { checkSnapshot } from './check-snapshot.js';

/** The agent pushes at least every second; this long without a message means the connection is gone. */
const STALL_MS = 5000;
const HANDSHAKE_MS = 5000;
const MAX_MESSAGE_BYTES = 16 << 20;

export type Connection =
  | { readonly state: 'connecting' }
  | { readonly state: 'live' }
  /** `retries`: reconnections that failed since it was lost; `error`: why the connection (or the last retry) failed. */
  | { readonly state: 'lost'; readonly retries: number; readonly error: string };

export interface StreamView {
  readonly connection: Connection;
  /** The latest snapshot; null until the first arrives. */
  readonly snapshot: StatusSnapshot | null;
  /** Local time (ms) when that snapshot arrived. */
  readonly receivedAt: number;
}

export interface StatusStreamOptions {
  /** `ws://host:port/v1/stream`. */
  readonly url: string;
  /** Sent with the upgrade request: the token when reads need one. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly onChange: (view: StreamView) => void;
  /** The agent answered with something retrying cannot fix; the stream has stopped. */
  readonly onFatal: (error: AgentError) => void;
}

/** Wait before reconnection `attempt` (1, 2, ...): 250 ms doubling to at most 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, attempt - 1));
}

const text = (data: WebSocket.RawData): string =>
  (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))).toString('utf8');

export class StatusStream {
  private view: StreamView = { connection: { state: 'connecting' }, snapshot: null, receivedAt: 0 };
  private socket: WebSocket | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stall: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(private readonly opts: StatusStreamOptions) {}

  get current(): StreamView {
    return this.view;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.stall);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket?.terminate();
    this.socket = undefined;
  }

  private connect(): void {
    let error = '';
    let live = false;
    const ws = new WebSocket(this.opts.url, { handshakeTimeout: HANDSHAKE_MS, maxPayload: MAX_MESSAGE_BYTES, headers: { ...this.opts.headers } });
    this.socket = ws;
    const stalled = (): void => {
      error ||= `no word from the agent for ${STALL_MS / 1000} s`;
      ws.terminate();
    };
    this.watchStall(stalled);
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status === 401) return this.fail(new AgentRequestError(`${this.opts.url} answered 401: reads need the token ([agent] api_token_reads); pass --token, set DINC_API_TOKEN, or --config`));
      if (status >= 400 && status < 500) return this.fail(new AgentRequestError(`${this.opts.url} answered ${status}, not a status stream: is the agent older than this dinc-agent?`));
      error = `the agent answered ${status}`;
      ws.terminate();
    });
    ws.on('error', (e) => (error ||= e.message));
    ws.on('message', (data) => {
      this.watchStall(stalled);
      try {
        live = this.receive(JSON.parse(text(data)) as StreamMessage, live);
      } catch (e) {
        this.fail(e instanceof AgentError ? e : new AgentRequestError(`${this.opts.url} sent something that is not a status message`));
      }
    });
    ws.on('close', (code, reason) => {
      if (this.stopped) return;
      clearTimeout(this.stall);
      this.attempt++;
      const why = error || (reason.length > 0 ? `the agent closed the stream: ${String(reason)}` : code === 1006 ? 'the connection dropped' : `the agent closed the stream (${code})`);
      this.update({ connection: { state: 'lost', retries: this.attempt - 1, error: why } });
      this.retry = setTimeout(() => this.connect(), backoffMs(this.attempt));
    });
  }

  /** Takes in one message of a connection that is `live` once its snapshot came; returns whether it is live now. */
  private receive(message: StreamMessage, live: boolean): boolean {
    if (message.type === 'snapshot') {
      this.attempt = 0;
      this.update({ connection: { state: 'live' }, snapshot: checkSnapshot(message.snapshot, this.opts.url), receivedAt: Date.now() });
      return true;
    }
    if (message.type !== 'patch' || !live || this.view.snapshot === null) throw new AgentRequestError(`${this.opts.url} sent a message that is not a snapshot or a patch after one`);
    this.update({ snapshot: applyPatch(this.view.snapshot, message.patch), receivedAt: Date.now() });
    return true;
  }

  /** Calls `stalled` if the connection stays silent for STALL_MS; each message restarts the count. */
  private watchStall(stalled: () => void): void {
    clearTimeout(this.stall);
    this.stall = setTimeout(stalled, STALL_MS);
  }

  private fail(error: AgentError): void {
    this.stop();
    this.opts.onFatal(error);
  }

  private update(change: Partial<StreamView>): void {
    this.view = { ...this.view, ...change };
    this.opts.onChange(this.view);
  }
}

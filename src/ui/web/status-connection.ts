/**
 * Keeps the page fed with the agent's status: the WebSocket stream
 * (`/v1/stream`, a snapshot then patches) first; if it closes before its first
 * snapshot, the SSE feed (`/events`); when both fail or a live feed ends, a
 * wait that doubles up to ten seconds, then the WebSocket again.
 */
import type { StatusSnapshot } from '../../ops/snapshot.js';
import { applyPatch, type StreamMessage } from '../../ops/snapshot-patch.js';
import { retryDelayMs } from './backoff.js';
import type { ConnectionState, FeedName } from './connection-state.js';
import { snapshotFromEvents } from './events-feed-view.js';

export interface ConnectionListener {
  snapshot(snapshot: StatusSnapshot, feed: FeedName): void;
  state(state: ConnectionState): void;
}

/** Where the page came from; the feeds are on the same host. */
export interface Origin {
  readonly protocol: string;
  readonly host: string;
}

export class StatusConnection {
  /** Failed attempts since the last live update. */
  private attempt = 0;
  /** The feed now open; a feed that is no longer current ignores its own events. */
  private current: object | undefined;

  constructor(
    private readonly origin: Origin,
    private readonly listener: ConnectionListener,
  ) {}

  start(): void {
    this.openStream();
  }

  private openStream(): void {
    const token = {};
    this.current = token;
    this.listener.state({ kind: 'connecting', attempt: this.attempt });
    const scheme = this.origin.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${this.origin.host}/v1/stream`);
    let snapshot: StatusSnapshot | undefined;
    socket.addEventListener('message', (event) => {
      if (this.current !== token) return;
      const message = streamMessageOf(event.data);
      if (message?.type === 'snapshot') snapshot = message.snapshot;
      else if (message?.type === 'patch' && snapshot !== undefined) snapshot = applyPatch(snapshot, message.patch);
      else return;
      this.deliver(snapshot, 'websocket');
    });
    // An error is always followed by close.
    socket.addEventListener('close', () => {
      if (this.current !== token) return;
      if (snapshot === undefined) this.openEvents();
      else this.retryLater();
    });
  }

  private openEvents(): void {
    const token = {};
    this.current = token;
    const source = new EventSource('/events');
    source.addEventListener('message', (event) => {
      if (this.current !== token) return;
      const snapshot = snapshotFromEvents(parseJson(event.data), new Date().toISOString());
      if (snapshot !== null) this.deliver(snapshot, 'events');
    });
    // EventSource would reconnect on its own; this connection decides instead, trying the WebSocket first.
    source.addEventListener('error', () => {
      source.close();
      if (this.current === token) this.retryLater();
    });
  }

  private deliver(snapshot: StatusSnapshot, feed: FeedName): void {
    this.attempt = 0;
    this.listener.state({ kind: 'live', feed });
    this.listener.snapshot(snapshot, feed);
  }

  private retryLater(): void {
    this.current = undefined;
    this.attempt++;
    const delay = retryDelayMs(this.attempt, Math.random());
    this.listener.state({ kind: 'retrying', attempt: this.attempt, retryAtMs: Date.now() + delay });
    setTimeout(() => this.openStream(), delay);
  }
}

/** A `/v1/stream` message, or null for anything else. */
function streamMessageOf(data: unknown): StreamMessage | null {
  const message = parseJson(data);
  if (typeof message !== 'object' || message === null) return null;
  const { type, snapshot, patch } = message as Record<string, unknown>;
  if (type === 'snapshot' && typeof snapshot === 'object' && snapshot !== null) return message as StreamMessage;
  if (type === 'patch' && typeof patch === 'object' && patch !== null) return message as StreamMessage;
  return null;
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

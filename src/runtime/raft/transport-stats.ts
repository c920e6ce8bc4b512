/**
 * What the Raft transport counts, per peer and for refused connections, and
 * a limiter that lets a repeated complaint reach the log at warn once per
 * minute per key (then at debug), so a hostile or misconfigured client that
 * reconnects in a loop cannot flood the log.
 */
import type { Logger, LogFields } from '../../ops/log.js';
import type { NodeId } from '../../core/raft/types.js';

/** Why messages to a peer were dropped before they were written. */
export interface DroppedMessages {
  /** The peer's queue was full (oldest dropped first). */
  queueFull: number;
  /** `resolve` knew no address for the peer. */
  unknownAddress: number;
  /** The handshake failed authentication (wrong secret, or one side without one); the queue was dropped. */
  authFailed: number;
  /** The peer refused the handshake (it is another member, or speaks another version); the queue was dropped. */
  refused: number;
  /** The codec could not encode the message (a bug of the sender; logged at error). */
  unencodable: number;
  /** Received from this peer but not addressed to this member, or not from this peer. */
  misaddressed: number;
}

export interface PeerTransportStats {
  /** The outbound connection is open and past its handshake. */
  connected: boolean;
  /** Messages waiting to be written. */
  queued: number;
  framesSent: number;
  messagesSent: number;
  /** Frame bytes written: length prefixes, payloads and MACs. */
  bytesSent: number;
  framesReceived: number;
  /** Messages delivered to onMessages. */
  messagesReceived: number;
  bytesReceived: number;
  dropped: DroppedMessages;
  /** Inbound connections from this peer closed for a protocol or authentication violation. */
  refusedConnections: number;
  /** Connection attempts after a failure or a lost connection. */
  reconnects: number;
}

/** Why an inbound connection was closed; stable names, counted by `RaftTransport.refusals()`. */
export const REFUSAL_REASONS = [
  /** The first bytes are not RAFT_MAGIC. */
  'magic',
  /** The hello is malformed or longer than allowed. */
  'hello',
  /** The hello's version is not spoken here. */
  'version',
  /** The hello names another member as `to`. */
  'not-this-member',
  /** One side has a secret and the other not. */
  'auth-mismatch',
  /** The client's proof is wrong: another secret, or a recorded handshake replayed. */
  'auth-failed',
  /** The handshake did not finish in time. */
  'handshake-timeout',
  /** The client closed the connection during the handshake (as one does that finds the server's proof wrong); logged at debug only. */
  'handshake-incomplete',
  /** A frame's length is 0 or over the limit. */
  'frame-too-large',
  /** A frame's MAC is wrong: tampered, replayed or reordered. */
  'bad-mac',
  /** A frame's payload is not a valid encoded batch. */
  'bad-frame',
  /** A frame was started but not finished in time. */
  'frame-timeout',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export function newPeerStats(): PeerTransportStats {
  return {
    connected: false,
    queued: 0,
    framesSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    dropped: { queueFull: 0, unknownAddress: 0, authFailed: 0, refused: 0, unencodable: 0, misaddressed: 0 },
    refusedConnections: 0,
    reconnects: 0,
  };
}

export function copyPeerStats(s: PeerTransportStats): PeerTransportStats {
  return { ...s, dropped: { ...s.dropped } };
}

const WARN_EVERY_MS = 60_000;
const MAX_KEYS = 1024;

/** Logs at warn the first time a key (a cause, such as a refusal reason) complains in a minute, at debug otherwise. */
export class WarnLimiter {
  private readonly last = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  warn(key: string, msg: string, fields: LogFields): void {
    const now = performance.now();
    const at = this.last.get(key);
    if (at !== undefined && now - at < WARN_EVERY_MS) {
      this.log.debug(msg, fields);
      return;
    }
    if (this.last.size >= MAX_KEYS) this.last.clear();
    this.last.set(key, now);
    this.log.warn(msg, fields);
  }
}

export type PeerStatsTable = Map<NodeId, PeerTransportStats>;

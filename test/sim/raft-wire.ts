/**
 * What crosses the simulated network in a Raft run: the core's messages
 * between servers, and the key/value requests and replies between clients
 * and servers. Objects travel frozen (bytes aside), so that a core that changes
 * a message it sent or received throws at once; in half the seeds Raft
 * messages also go through the wire codec.
 */
import { decodeRaftMessages, encodeRaftMessages } from '../../src/core/raft/codec.js';
import type { Message, NodeId } from '../../src/core/raft/types.js';
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';

/**
 * How a server runs an operation: a write (or a get) through the log with the
 * client's session, or a get served locally after a ReadIndex round.
 */
export type Path = 'log' | 'read-index';

export interface ClientRequest {
  readonly client: string;
  /** The client's command number; a retry keeps it. */
  readonly seq: number;
  /** Which send of this command it is; a reply names it. */
  readonly attempt: number;
  readonly op: KvOperation;
  readonly path: Path;
}

/** Why a server did not answer with a result; the client retries (same seq) unless the operation has timed out. */
export type RetryReason =
  /** Not the leader; ask `leader` if known. */
  | 'not-leader'
  /** The leader refused for now (flow control, leadership transfer). */
  | 'busy'
  /** The proposal's index was taken by an entry of another term, or the read was dropped by a change of leader. */
  | 'lost';

export type ClientReply =
  | { readonly client: string; readonly seq: number; readonly attempt: number; readonly result: KvResult }
  | { readonly client: string; readonly seq: number; readonly attempt: number; readonly retry: RetryReason; readonly leader: NodeId | null };

export type SimWire =
  | { readonly kind: 'raft'; readonly message: Message }
  | { readonly kind: 'request'; readonly request: ClientRequest }
  | { readonly kind: 'reply'; readonly reply: ClientReply };

/** `message` as a peer decodes it from the bytes the codec makes of it; a codec that cannot read its own output throws. */
export function throughCodec(message: Message): Message {
  const decoded = decodeRaftMessages(encodeRaftMessages([message]));
  if (!decoded.ok || decoded.value.length !== 1) throw new Error(`raft codec: cannot decode its own frame: ${decoded.ok ? 'wrong count' : decoded.reason}`);
  return decoded.value[0] as Message;
}

/** Freezes `message` and everything in it but byte arrays (which cannot be frozen); returns it. */
export function freezeMessage(message: Message): Message {
  if (message.type === 'append') {
    for (const entry of message.entries) Object.freeze(entry);
    Object.freeze(message.entries);
  } else if (message.type === 'snapshot') {
    Object.freeze(message.meta.conf.voters);
    Object.freeze(message.meta.conf.learners);
    Object.freeze(message.meta.conf);
    Object.freeze(message.meta);
  }
  return Object.freeze(message);
}

/**
 * Commands and results of the replicated key/value machine. Commands travel
 * through the Raft log as bytes (kv-codec.ts); results come back to the server
 * that applied them, and to a retrying client from its session.
 */
import type { JsonValue } from './json.js';

/**
 * Who sent a command, for exactly-once: a client numbers its commands 1, 2, 3, ...
 * and retries one with the same number until it has an answer.
 */
export interface ClientSession {
  /** Non-empty, at most MAX_CLIENT_ID_LENGTH characters. */
  readonly client: string;
  /** A positive safe integer, increasing from one command of the client to the next. */
  readonly seq: number;
}

/**
 * `cas` (compare-and-set) guards a write: the key's current revision must be
 * exactly `cas`, where an absent key's revision is 0. So `cas: 0` creates only.
 */
export type KvOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: JsonValue; readonly cas?: number }
  | { readonly type: 'delete'; readonly key: string; readonly cas?: number }
  | { readonly type: 'get'; readonly key: string };

/** A command: an operation, and the session that makes it exactly-once (without one, a retry may apply twice). */
export type KvCommand = KvOperation & { readonly session?: ClientSession };

export type KvError =
  /** get or delete of an absent key. */
  | 'not-found'
  /** The key's revision is not the command's `cas`; `revision` is the current one (0 if absent). */
  | 'cas-failed'
  /** The bytes are not a valid command; nothing was applied. */
  | 'bad-command'
  /** The client already had a later command applied; this older one was not applied. */
  | 'stale-sequence';

/**
 * What a command did. `revision` is the log index of the entry that last wrote
 * the key: for a successful put or delete, its own index; for get, the key's
 * revision; for cas-failed, the key's current revision; otherwise 0.
 * `value` is set by a successful get (and read).
 */
export type KvResult =
  | { readonly ok: true; readonly revision: number; readonly value?: JsonValue }
  | { readonly ok: false; readonly revision: number; readonly error: KvError; readonly reason?: string };

/** Longest key accepted, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;
/** Longest client id accepted, in UTF-16 code units. */
export const MAX_CLIENT_ID_LENGTH = 256;
/** Largest encoded command accepted: one fits in an append message (RaftConfig.maxBytesPerAppend). */
export const MAX_COMMAND_BYTES = 1 << 20;

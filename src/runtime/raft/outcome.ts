/**
 * What a request to the Raft host comes to. `done` carries the state
 * machine's result (which may itself be a not-found or a failed cas); every
 * other outcome says why there is no result and whether the command may
 * still have been applied.
 */
import type { NodeId } from '../../core/raft/types.js';
import type { KvResult } from '../../core/state/kv-types.js';

export type Outcome =
  | { readonly kind: 'done'; readonly result: KvResult }
  /** Not applied: this member is not the leader; `leader` is the one it knows, if any. */
  | { readonly kind: 'not-leader'; readonly leader: NodeId | null }
  /** Not applied: the leader is busy (a transfer in progress) or refused the change; retry. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Not applied, and asking again will not change that: no such member (404), or the group's state forbids it (409). No Retry-After. */
  | { readonly kind: 'rejected'; readonly status: 404 | 409; readonly code: 'DINC_NO_SUCH_MEMBER' | 'DINC_REJECTED'; readonly reason: string }
  /** Not applied: another leader's entry took the proposal's place in the log. */
  | { readonly kind: 'lost'; readonly reason: string }
  /** May or may not be applied: the deadline passed, or this member stopped or jumped ahead by a snapshot first. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /** Not applied: this member's disk refuses writes for now (out of space or descriptors); it retries by itself, come back in `retryAfterS`. */
  | { readonly kind: 'storage-retrying'; readonly reason: string; readonly retryAfterS: number }
  /** Not applied: this member's disk failed; it serves stale reads only. */
  | { readonly kind: 'storage-failed'; readonly reason: string };

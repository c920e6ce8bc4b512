/**
 * When a Raft member can serve requests (`GET /ready`): its group is formed
 * and it is in it, its disk takes writes, a leader is known, and it has
 * caught up with the entries it knows to be committed (within READY_APPLY_LAG,
 * so that a busy member, always a few entries behind, stays ready). `/health` says whether the
 * process works; `/ready` whether requests sent to it now would be served
 * rather than answered 503.
 */
import type { RaftStatus } from '../../core/raft/types.js';
import type { StorageCondition } from '../../runtime/raft/storage-condition.js';
import { describeCondition } from '../../runtime/raft/storage-condition.js';

/**
 * Committed entries a member may still have to apply and be ready: a member
 * under load is always a batch or two behind; one restarted with a backlog
 * is not ready until it has worked most of it off.
 */
export const READY_APPLY_LAG = 512;

export interface ReadinessInput {
  /** The core's status; undefined while the group is being formed. */
  readonly status: RaftStatus | undefined;
  readonly storage: StorageCondition;
  /** Whether the group's leader was seen to no longer list this member. */
  readonly removed: boolean;
}

/** Why the member cannot serve yet, in words; null when it can. */
export function notReady({ status, storage, removed }: ReadinessInput): string | null {
  if (storage.kind !== 'ok') return `storage ${describeCondition(storage)}`;
  if (removed) return 'this member was removed from the Raft group';
  if (status === undefined || status.conf.voters.length + status.conf.learners.length === 0) return 'waiting for the Raft group to form or to add this member';
  if (status.leader === null) return 'no Raft leader is known yet';
  if (status.commit - status.applied > READY_APPLY_LAG) return `applying committed entries (${status.applied} of ${status.commit})`;
  return null;
}

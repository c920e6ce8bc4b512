/**
 * Reads the raft role's slot (`roles.raft`) of a status snapshot that may
 * come from another version of dinc-agent: the slot when it has the shape of
 * a RaftRoleStatus, null when it is missing or malformed. Never throws, so
 * every view can fall back to showing the slot generically.
 */
import type { RaftMemberStatus, RaftRoleStatus } from './snapshot.js';

/** A follower this many entries behind the leader's log is worth a look: the views highlight it. */
export const LARGE_RAFT_LAG = 1000;

const STATES: Readonly<Record<RaftRoleStatus['state'], true>> = { leader: true, follower: true, candidate: true, 'pre-candidate': true, waiting: true, removed: true, failed: true };
const MEMBER_STATES: Readonly<Record<RaftMemberStatus['state'], true>> = { leader: true, follower: true, learner: true };
type RequiredCounters = Exclude<keyof RaftRoleStatus['counters'], OptionalCounters>;
/** Counters that agents before them do not send: absent is fine, present must be a count. */
type OptionalCounters = 'storage_retries';
const OPTIONAL_COUNTERS: readonly OptionalCounters[] = ['storage_retries'];
const COUNTERS: Readonly<Record<RequiredCounters, true>> = {
  proposals: true,
  linearizable_reads: true,
  stale_reads: true,
  forwarded: true,
  snapshots_taken: true,
  snapshots_installed: true,
  wal_saves: true,
  wal_fsyncs: true,
  messages_sent: true,
  messages_received: true,
  messages_refused: true,
};
const NUMBERS = ['term', 'commit_index', 'applied_index', 'last_index', 'snapshot_index', 'keys'] as const satisfies readonly (keyof RaftRoleStatus)[];

type Fields = Readonly<Record<string, unknown>>;

const isFields = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const isCountOrNull = (v: unknown): boolean => v === null || isCount(v);
const isOneOf = (v: unknown, names: Readonly<Record<string, true>>): boolean => typeof v === 'string' && Object.hasOwn(names, v);

function isMember(v: unknown): v is RaftMemberStatus {
  if (!isFields(v)) return false;
  return typeof v.id === 'string' && isTextOrNull(v.address) && typeof v.voter === 'boolean' && isOneOf(v.state, MEMBER_STATES) && isCountOrNull(v.match) && isCountOrNull(v.lag);
}

/** Whether `slot` has every field of a RaftRoleStatus, each of the right kind (fields it does not know are let through). */
export function isRaftRoleStatus(slot: unknown): slot is RaftRoleStatus {
  if (!isFields(slot)) return false;
  const { counters, members } = slot;
  return (
    isOneOf(slot.state, STATES) &&
    NUMBERS.every((name) => isCount(slot[name])) &&
    isTextOrNull(slot.listen) &&
    isTextOrNull(slot.leader) &&
    isTextOrNull(slot.storage_failure) &&
    (slot.storage_retrying === undefined || isTextOrNull(slot.storage_retrying)) &&
    (slot.not_ready === undefined || isTextOrNull(slot.not_ready)) &&
    Array.isArray(members) &&
    members.every(isMember) &&
    isFields(counters) &&
    Object.keys(COUNTERS).every((name) => isCount(counters[name])) &&
    OPTIONAL_COUNTERS.every((name) => counters[name] === undefined || isCount(counters[name]))
  );
}

/** The raft slot of `roles` when there is one in a shape this version reads; null otherwise. */
export function raftSlotOf(roles: Readonly<Record<string, unknown>>): RaftRoleStatus | null {
  const slot = isFields(roles) && Object.hasOwn(roles, 'raft') ? roles.raft : undefined;
  return isRaftRoleStatus(slot) ? slot : null;
}

/**
 * What a Raft member shows of itself and its group: the status slot
 * (`roles.raft` of the status snapshot), and from it the seed's `/cluster`
 * and `/health` answers and the peer list of `dinc-agent raft list-peers`.
 */
import { formatHostPort, type HostPort } from '../../config/values.js';
import { compareNatural } from '../../core/election/natural-order.js';
import type { RaftStatus } from '../../core/raft/types.js';
import type { RaftMemberStatus, RaftRoleStatus } from '../../ops/snapshot.js';
import { describeCondition } from '../../runtime/raft/storage-condition.js';
import type { RaftHost } from '../../runtime/raft/host.js';
import { notReady } from './readiness.js';

export interface ViewSources {
  readonly id: string;
  host(): RaftHost | undefined;
  listen(): HostPort | undefined;
  resolve(id: string): HostPort | undefined;
  /** Whether gossip or the transport heard from `id` lately. */
  alive(id: string): boolean;
  /** Whether the group's leader was seen to no longer list this member (removal-check.ts). */
  removed(): boolean;
  counters(): { readonly forwarded: number; readonly walSaves: number; readonly walFsyncs: number; readonly walRetries: number; readonly messagesSent: number; readonly messagesReceived: number };
}

export function raftSlot(src: ViewSources): RaftRoleStatus {
  const host = src.host();
  const status = host?.status();
  const c = src.counters();
  const hc = host?.counters;
  const listen = src.listen();
  const storage = host?.storageCondition ?? { kind: 'ok' as const };
  const removed = src.removed();
  return {
    listen: listen ? formatHostPort(listen) : null,
    state: host?.storageFailure ? 'failed' : status === undefined || status.conf.voters.length + status.conf.learners.length === 0 ? 'waiting' : removed ? 'removed' : status.role,
    term: status?.term ?? 0,
    leader: status?.leader ?? null,
    commit_index: status?.commit ?? 0,
    applied_index: status?.applied ?? 0,
    last_index: status?.lastIndex ?? 0,
    snapshot_index: host?.lastSnapshotIndex ?? 0,
    keys: host?.keys ?? 0,
    members: status ? members(src, status) : [],
    storage_failure: host?.storageFailure?.message ?? null,
    storage_retrying: storage.kind === 'retrying' ? describeCondition(storage) : null,
    not_ready: notReady({ status, storage, removed }),
    counters: {
      proposals: hc?.proposals ?? 0,
      linearizable_reads: hc?.readIndexReads ?? 0,
      stale_reads: hc?.staleReads ?? 0,
      forwarded: c.forwarded + (hc?.forwarded ?? 0),
      snapshots_taken: hc?.snapshotsTaken ?? 0,
      snapshots_installed: hc?.snapshotsInstalled ?? 0,
      wal_saves: c.walSaves,
      wal_fsyncs: c.walFsyncs,
      messages_sent: c.messagesSent,
      messages_received: c.messagesReceived,
      storage_retries: c.walRetries,
      messages_refused: status ? Object.values(status.refused).reduce((sum, n) => sum + n, 0) : 0,
    },
  };
}

function members(src: ViewSources, status: RaftStatus): RaftMemberStatus[] {
  const ids = [...status.conf.voters, ...status.conf.learners].sort(compareNatural);
  return ids.map((id) => {
    const address = src.resolve(id);
    const progress = status.progress?.[id];
    const match = id === status.id && status.role === 'leader' ? status.lastIndex : (progress?.match ?? null);
    return {
      id,
      address: address ? formatHostPort(address) : null,
      voter: status.conf.voters.includes(id),
      state: id === status.leader ? 'leader' : status.conf.voters.includes(id) ? 'follower' : 'learner',
      match: status.role === 'leader' ? match : null,
      lag: status.role === 'leader' && match !== null ? Math.max(0, status.lastIndex - match) : null,
    };
  });
}

/** Seed 002's `GET /cluster`, with term and indexes; a member removed from the group lists only the others and says `is_member: false`. */
export function clusterView(src: ViewSources, slot: RaftRoleStatus): Record<string, unknown> {
  const isMember = slot.state !== 'removed' && slot.state !== 'waiting';
  const ids = slot.members.map((m) => m.id).filter((id) => isMember || id !== src.id);
  const alive = ids.filter((id) => id === src.id || src.alive(id));
  return {
    node_id: src.id,
    state: slot.state,
    is_member: isMember,
    cluster_nodes: ids,
    alive_nodes: alive,
    failed_nodes: ids.filter((id) => !alive.includes(id)),
    current_leader: slot.leader,
    is_leader: slot.leader === src.id,
    term: slot.term,
    commit_index: slot.commit_index,
    applied_index: slot.applied_index,
  };
}

/** `dinc-agent raft list-peers`: Consul's columns. */
export function peerList(slot: RaftRoleStatus): Record<string, unknown> {
  return {
    leader: slot.leader,
    term: slot.term,
    peers: slot.members.map((m) => ({
      node: m.id,
      id: m.id,
      address: m.address,
      state: m.state,
      voter: m.voter,
      commit_index: m.match,
      trails_leader_by: m.lag,
    })),
  };
}

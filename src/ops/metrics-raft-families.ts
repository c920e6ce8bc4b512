/**
 * The raft role's metric families, read from the snapshot's `roles.raft`
 * slot. Without a slot (the role is off) or with one this version cannot
 * read, every one of them has no sample. No member id becomes a label.
 */
import type { Family, Sample, ScrapeInput } from './metric-family.js';
import { raftSlotOf } from './raft-slot.js';
import type { RaftRoleStatus } from './snapshot.js';

type Counters = RaftRoleStatus['counters'];

/** `read` applied to the raft slot; no samples when there is none. */
const fromSlot =
  (read: (r: RaftRoleStatus) => readonly Sample[]) =>
  ({ snapshot }: ScrapeInput): readonly Sample[] => {
    const slot = raftSlotOf(snapshot.roles);
    return slot === null ? [] : read(slot);
  };

const gauge = (name: string, help: string, value: (r: RaftRoleStatus) => number): Family => ({ name, help, type: 'gauge', labels: [], read: fromSlot((r) => [[{}, value(r)]]) });
const counter = (name: string, help: string, key: keyof Counters): Family => ({ name, help, type: 'counter', labels: [], read: fromSlot((r) => [[{}, r.counters[key] ?? 0]]) });

/** The most entries a member trails the leader's log by; 0 on a member that is not the leader (it does not know). */
function maxLag(r: RaftRoleStatus): number {
  if (r.state !== 'leader') return 0;
  return r.members.reduce((max, m) => Math.max(max, m.lag ?? 0), 0);
}

export const RAFT_FAMILIES: readonly Family[] = [
  gauge('dinc_raft_term', 'The Raft term this member is in.', (r) => r.term),
  gauge('dinc_raft_is_leader', 'Whether this member leads its Raft group (1) or not (0).', (r) => (r.state === 'leader' ? 1 : 0)),
  gauge('dinc_raft_commit_index', 'Highest Raft log index known to be committed.', (r) => r.commit_index),
  gauge('dinc_raft_applied_index', 'Highest Raft log index applied to the key-value store.', (r) => r.applied_index),
  gauge('dinc_raft_last_index', 'Index of the last entry of the Raft log on this member.', (r) => r.last_index),
  gauge('dinc_raft_snapshot_index', 'Last Raft log index covered by the latest snapshot.', (r) => r.snapshot_index),
  gauge('dinc_raft_keys', 'Keys in the replicated key-value store.', (r) => r.keys),
  {
    name: 'dinc_raft_members',
    type: 'gauge',
    help: 'Members of the Raft group as this member knows it, by whether they vote (true) or are learners (false).',
    labels: ['voter'],
    read: fromSlot((r) => [true, false].map((voter): Sample => [{ voter: String(voter) }, r.members.filter((m) => m.voter === voter).length])),
  },
  gauge('dinc_raft_max_lag_entries', "Most entries any member trails the leader's log by; known on the leader only, 0 on other members.", maxLag),
  counter('dinc_raft_proposals_total', 'Writes and group changes this member proposed to the Raft log.', 'proposals'),
  counter('dinc_raft_linearizable_reads_total', 'Linearizable reads served by this member.', 'linearizable_reads'),
  counter('dinc_raft_stale_reads_total', 'Stale reads served by this member from its own store.', 'stale_reads'),
  counter('dinc_raft_forwarded_total', 'Requests this member forwarded to the Raft leader.', 'forwarded'),
  counter('dinc_raft_snapshots_taken_total', 'Snapshots of the store this member took to compact its log.', 'snapshots_taken'),
  counter('dinc_raft_snapshots_installed_total', 'Snapshots this member installed from the leader.', 'snapshots_installed'),
  counter('dinc_raft_wal_saves_total', 'Saves asked of the Raft write-ahead log.', 'wal_saves'),
  counter('dinc_raft_wal_fsyncs_total', 'Flushes (fdatasync) of the Raft write-ahead log; fewer than saves means saves are batched.', 'wal_fsyncs'),
  counter('dinc_raft_messages_sent_total', 'Raft messages sent to other members.', 'messages_sent'),
  counter('dinc_raft_messages_received_total', 'Raft messages received from other members.', 'messages_received'),
  counter('dinc_raft_storage_retries_total', 'Attempts at a Raft log write that failed with a transient error (out of space, descriptors or memory) and were retried.', 'storage_retries'),
  gauge('dinc_raft_storage_retrying', 'Whether a Raft log write waits on a transient disk error (1) and this member waits with it, or not (0).', (r) => (r.storage_retrying ? 1 : 0)),
  counter(
    'dinc_raft_messages_refused_total',
    'Raft messages refused as implausible (a term or index at or over 2^48, a term too far ahead, a timeout-now not from the leader): forged, most likely.',
    'messages_refused',
  ),
  gauge('dinc_raft_storage_failed', 'Whether the Raft storage failed (1) and this member stopped taking part, or works (0).', (r) => (r.storage_failure === null ? 0 : 1)),
];

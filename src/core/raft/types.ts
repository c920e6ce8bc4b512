/**
 * The Raft core's contract, in the shape of etcd's raft package: inputs go in
 * (`step`, `tick`, `propose`, `readIndex`, ...), and a `Ready` comes out with
 * what to persist, what to send (only after the persist is done), what to
 * apply and which reads may now be served. No I/O, no clocks, no Math.random:
 * time is counted in ticks and randomness comes from an injected Rng.
 */
import type { RefusedCounts } from './plausible.js';

export type NodeId = string;

/** A server's part in the group. Learners receive the log but do not vote or count for quorums. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** One server at a time: add as learner, promote to voter once caught up, remove (voter or learner). */
export interface ConfChange {
  readonly type: 'add-learner' | 'promote' | 'remove';
  readonly node: NodeId;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/**
 * A log entry. `normal` entries carry the application's command (an empty
 * `data` is the no-op a new leader appends); `config` entries a ConfChange,
 * which takes effect as soon as it is appended (as in the Raft thesis, §4.1).
 */
export type Entry =
  | { readonly term: number; readonly index: number; readonly kind: 'normal'; readonly data: Uint8Array }
  | { readonly term: number; readonly index: number; readonly kind: 'config'; readonly change: ConfChange };

/** What must be on disk before any message that depends on it leaves the process. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface SnapshotMeta {
  /** Index and term of the last entry the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** The configuration as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine's bytes. */
  readonly data: Uint8Array;
}

/**
 * What a server finds on its disk at start. The application restores its
 * state machine from `snapshot` itself; committed entries after it come again
 * in `Ready.committed`.
 */
export interface PersistedState {
  readonly hardState: HardState;
  /**
   * The latest snapshot; its conf is the starting configuration. Without one
   * the server is a new member with no log and no configuration (`joinState`):
   * it never campaigns and waits for the leader to send it a snapshot.
   */
  readonly snapshot?: Snapshot;
  /** Entries after the snapshot, in index order, contiguous. */
  readonly entries: readonly Entry[];
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Messages between servers. The runtime carries them as they are; the core never trusts them blindly. */
export type Message =
  | (Envelope & { readonly type: 'pre-vote' | 'vote'; readonly lastIndex: number; readonly lastTerm: number; readonly transfer: boolean })
  | (Envelope & { readonly type: 'pre-vote-resp' | 'vote-resp'; readonly reject: boolean })
  | (Envelope & { readonly type: 'append'; readonly prevIndex: number; readonly prevTerm: number; readonly entries: readonly Entry[]; readonly commit: number })
  /**
   * On success `index` is the follower's last matching index; on reject, the
   * rejected prevIndex with a hint where to retry: `hintIndex` is the last
   * index that may match and `hintTerm` its term (-1 and 0: the follower has
   * no log at all, send it a snapshot).
   */
  | (Envelope & { readonly type: 'append-resp'; readonly reject: boolean; readonly index: number; readonly hintIndex: number; readonly hintTerm: number })
  /** `ctx`: the heartbeat round it belongs to (confirms leadership for reads and leases); echoed in the response. */
  | (Envelope & { readonly type: 'heartbeat'; readonly commit: number; readonly ctx: string | null })
  | (Envelope & { readonly type: 'heartbeat-resp'; readonly ctx: string | null })
  /** One chunk of a snapshot: bytes [offset, offset + chunk.length) of `size`. */
  | (Envelope & { readonly type: 'snapshot'; readonly meta: SnapshotMeta; readonly size: number; readonly offset: number; readonly chunk: Uint8Array })
  /** `offset`: the next byte wanted (size when the snapshot is complete and installed); reject: start over. */
  | (Envelope & { readonly type: 'snapshot-resp'; readonly index: number; readonly offset: number; readonly reject: boolean })
  | (Envelope & { readonly type: 'timeout-now' })
  /** A follower asks the leader for a read index on behalf of its caller. */
  | (Envelope & { readonly type: 'read-index'; readonly ctx: string })
  /** `index` 0: the leader could not serve it (not leader any more). */
  | (Envelope & { readonly type: 'read-index-resp'; readonly ctx: string; readonly index: number })
  /**
   * A follower passes its clients' commands to the leader (etcd's MsgProp).
   * The leader appends them if it still leads and takes proposals; otherwise
   * they are dropped without an answer: the proposer learns the outcome when
   * it applies (or never applies) the command, so commands forwarded this
   * way should identify themselves (a session).
   */
  | (Envelope & { readonly type: 'propose'; readonly entries: readonly Uint8Array[] });

export type MessageType = Message['type'];

/** A read that may be served once the state machine has applied `index`. */
export interface ReadState {
  readonly ctx: string;
  readonly index: number;
}

/** Why a proposal or read was refused. The caller learns at once; nothing is silently lost. */
export type Refusal =
  /** This server is not the leader; `leader` is the one it knows, if any. */
  | { readonly error: 'not-leader'; readonly leader: NodeId | null }
  /** A leadership transfer is in progress, or flow control is full: retry shortly. */
  | { readonly error: 'busy'; readonly reason: string }
  /** A configuration change is already pending (one at a time), or the change is invalid. */
  | { readonly error: 'conf-change-rejected'; readonly reason: string };

export type ProposeResult = { readonly ok: true; readonly index: number; readonly term: number } | ({ readonly ok: false } & Refusal);

/** A read that was refused after it was accepted (leadership lost before it was confirmed). */
export interface FailedRead {
  readonly ctx: string;
  readonly refusal: Refusal;
}

export interface Ready {
  /** Set when term, vote or commit changed: persist before sending `messages`. */
  readonly hardState?: HardState;
  /** Entries to append to the log on disk; an entry at an index already stored replaces it and everything after it. */
  readonly entries: readonly Entry[];
  /**
   * A snapshot received from the leader: persist it (replacing the log on
   * disk), then restore the state machine from it. A snapshot at index 0 has
   * empty `data`: the state machine of a new group.
   */
  readonly snapshot?: Snapshot;
  /**
   * Send these only after `hardState`, `entries` and `snapshot` are durable;
   * except a leader's, when the Ready changes neither term nor vote: the leader
   * counts only its persisted entries towards commit (thesis §10.2.1).
   */
  readonly messages: readonly Message[];
  /** Committed entries to apply to the state machine, in order (after `snapshot`, if any); config entries included. */
  readonly committed: readonly Entry[];
  /** Reads that may be served once `applied >= index`. */
  readonly readStates: readonly ReadState[];
  /** Reads accepted earlier that can no longer be served. */
  readonly failedReads: readonly FailedRead[];
  /** Set when the leader or this server's role changed. */
  readonly softState?: { readonly leader: NodeId | null; readonly role: Role };
}

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without hearing a leader before an election; the real timeout is random in [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  /** Ticks between a leader's heartbeats; less than electionTicks. */
  readonly heartbeatTicks: number;
  /** Entries per append message, at most. */
  readonly maxEntriesPerAppend: number;
  /** Bytes of entry data per append message, at most (one entry always fits). */
  readonly maxBytesPerAppend: number;
  /** Append messages in flight to one follower before the leader waits for acks. */
  readonly maxInflightAppends: number;
  /** Bytes of a snapshot per chunk. */
  readonly snapshotChunkBytes: number;
  /**
   * Entries kept in memory behind a snapshot the application takes (`compact`),
   * at most this many and this many bytes of data, so that a follower a little
   * behind catches up from the log rather than by a whole snapshot. Default 0.
   */
  readonly catchUpEntries: number;
  readonly catchUpBytes: number;
  /** Pre-vote (§9.6 of the thesis): a server rejoining after a partition cannot depose a healthy leader. Default true. */
  readonly preVote: boolean;
  /** A leader that has not heard a quorum within an election timeout steps down. Default true. */
  readonly checkQuorum: boolean;
  /**
   * Serve reads by lease (no heartbeat round) instead of ReadIndex. Only safe
   * while clock drift between servers is bounded well below the election
   * timeout; needs checkQuorum. Default false.
   */
  readonly leaseReads: boolean;
  /**
   * TEST-ONLY FAULT, never set it in production. The leader commits entries of
   * earlier terms by counting replicas, violating §5.4.2 (Figure 8 of the
   * paper); the simulator uses it to prove that its checkers catch the bug.
   * Default false.
   */
  readonly unsafeCommitPreviousTerm?: boolean;
}

export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, 'id'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  maxEntriesPerAppend: 256,
  maxBytesPerAppend: 1 << 20,
  maxInflightAppends: 64,
  snapshotChunkBytes: 256 * 1024,
  catchUpEntries: 0,
  catchUpBytes: 0,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
};

/** What a server can say about itself and, when leader, about its followers. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly role: Role;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
  /** Messages refused as implausible (a term or index past the ceiling, a forged timeout-now, ...), by reason: see plausible.ts. */
  readonly refused: RefusedCounts;
  /** Leader only: each other member's match index and whether it is receiving a snapshot. */
  readonly progress?: Readonly<Record<NodeId, { readonly match: number; readonly next: number; readonly snapshot: boolean }>>;
}

/**
 * The Raft server (implemented in `node.ts`):
 *
 *   new RaftNode(config, persisted, rng)   starts from what is on disk (a new member: empty log, conf from a snapshot or bootstrap)
 *   tick()                                 one logical clock tick
 *   step(message)                          a message from another server (stale or foreign ones are ignored)
 *   propose(data)                          -> ProposeResult: leader only; a follower refuses with not-leader + leader id
 *   forward(data)                          -> Refusal | null: a follower sends the command to the leader it knows
 *   proposeConfChange(change)              -> ProposeResult: one at a time, learners first, promote only once caught up
 *   readIndex(ctx)                         -> Refusal | null: the read's index comes later in Ready.readStates (or failedReads)
 *   transferLeadership(to)                 -> Refusal | null
 *   hasReady() / ready() / advance(ready)  as in etcd: take a Ready, persist, send, apply, then advance
 *   applied(index)                         the application reports what it applied (for compaction and status)
 *   compact(index, data)                   -> Snapshot: the application took a snapshot of its state at applied index
 *                                          `index`; the node fills in term and conf, drops its log up to `index` and
 *                                          keeps the snapshot to send to lagging followers; the application persists
 *                                          the returned Snapshot and may drop its stored entries up to `index`
 *   status()                               -> RaftStatus
 *
 * Driving it: `while (node.hasReady()) { const r = node.ready(); persist(r); send(r.messages); apply(r); node.advance(r); }`.
 * `ready()` may not be called again before `advance()`.
 */

/** The state of a brand-new group: an empty log and `voters` as the configuration (a snapshot at index 0). */
export function bootstrapState(voters: readonly NodeId[]): PersistedState {
  return {
    hardState: { term: 0, vote: null, commit: 0 },
    snapshot: { meta: { index: 0, term: 0, conf: { voters: [...voters], learners: [] } }, data: new Uint8Array(0) },
    entries: [],
  };
}

/** The state of a server that joins an existing group: no log and no configuration until the leader sends a snapshot. */
export function joinState(): PersistedState {
  return { hardState: { term: 0, vote: null, commit: 0 }, entries: [] };
}

/**
 * The status snapshot: one typed, versioned object holding everything an
 * operator sees. `GET /v1/status`, the WebSocket stream, the SSE feed,
 * `dinc-agent status` and the web UI all render this object and nothing else.
 * Plain JSON (ISO times, snake_case), so it crosses the wire unchanged.
 */

/** Bumped when a field changes meaning or disappears; new fields do not bump it. */
export const SNAPSHOT_VERSION = 1;

export type MemberStateName = 'alive' | 'suspect' | 'dead' | 'left';

export interface MemberStatus {
  readonly id: string;
  /** Gossip address, `host:port`. */
  readonly address: string;
  readonly state: MemberStateName;
  readonly roles: readonly string[];
  /** Role name -> `host:port` of that role's listener. */
  readonly services: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly version: string;
  readonly incarnation: number;
  /** When this agent saw the member's state last change. */
  readonly state_since: string;
  /** When this agent last heard from the member directly; null if never. */
  readonly last_seen: string | null;
  /** Latest load the member spread; null before the first. */
  readonly load: { readonly cpu: number; readonly lag_ms: number; readonly heard_at: string } | null;
  readonly leader: boolean;
  readonly self: boolean;
}

export type ClusterEventType = 'join' | 'suspect' | 'alive' | 'dead' | 'left' | 'reap' | 'update' | 'leader' | 'quorum';

export interface ClusterEvent {
  readonly time: string;
  readonly type: ClusterEventType;
  /** The member concerned; for `leader`, the new leader (null: none). */
  readonly subject: string | null;
  /** One line for humans, in the log's words. */
  readonly message: string;
}

/** The membership leader: the lowest node ID among the members seen alive, while a quorum is seen (not the Raft role's leader, which its group elects). */
export interface LeaderStatus {
  readonly id: string | null;
  readonly self: boolean;
  readonly quorum: { readonly needed: number; readonly seen: number; readonly reached: boolean };
  /** True when no cluster size is configured: the agent counts as its own quorum. */
  readonly own_quorum: boolean;
  readonly reason: string;
  /** When the leader or the quorum state last changed. */
  readonly since: string;
  readonly changes: number;
}

export interface TrafficFlow {
  readonly packets: number;
  readonly bytes: number;
}

export interface StatusCounters {
  /** By channel: udp (gossip), tcp (push-pull), multicast (discovery). */
  readonly in: Readonly<Record<'udp' | 'tcp' | 'multicast', TrafficFlow>>;
  readonly out: Readonly<Record<'udp' | 'tcp' | 'multicast', TrafficFlow>>;
  /** Messages by type name (ping, ack, alive, ...). */
  readonly messages_in: Readonly<Record<string, number>>;
  readonly messages_out: Readonly<Record<string, number>>;
  readonly probes: number;
  readonly indirect_probes: number;
  readonly suspicions: number;
  readonly refutes: number;
  /** Gossip claims ignored for an implausible number (incarnation above the ceiling, load seq far ahead); absent from older agents. */
  readonly claims_refused?: number;
  /** Gossip claims believed only up to a bound (an incarnation rising too far at once); absent from older agents. */
  readonly claims_bounded?: number;
  readonly exchanges: number;
  readonly exchange_failures: number;
  /** Dropped input by reason (bad_crc, auth_failed, ...). */
  readonly drops: Readonly<Record<string, number>>;
}

export interface AgentStatus {
  readonly id: string;
  readonly version: string;
  /** Advertised gossip address, `host:port`. */
  readonly gossip: string;
  /** The web listener, `host:port`; null when off. */
  readonly web: string | null;
  readonly roles: readonly string[];
  readonly uptime_s: number;
  /** Lifeguard's local health score: 0 is healthy. */
  readonly health_score: number;
  readonly pid: number;
}

export interface StatusSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  /** When the snapshot was taken. */
  readonly time: string;
  readonly cluster: { readonly name: string; readonly encrypted: boolean; readonly profile: string; readonly expect: number };
  readonly agent: AgentStatus;
  readonly leader: LeaderStatus;
  /** Every member known, this agent included, in natural order of id. */
  readonly members: readonly MemberStatus[];
  /** Recent events, oldest first. */
  readonly events: readonly ClusterEvent[];
  readonly counters: StatusCounters;
  /** One slot per role, filled by the role; empty until roles exist. */
  readonly roles: Readonly<Record<string, unknown>>;
  /**
   * What the operator should fix, one line each: listeners reachable beyond
   * loopback without authentication. Absent from agents older than the field.
   */
  readonly warnings?: readonly string[];
}

/** A member of the Raft group as one member sees it; `match` and `lag` are known to the leader only. */
export interface RaftMemberStatus {
  readonly id: string;
  /** `host:port` of its Raft listener; null when unknown here. */
  readonly address: string | null;
  readonly voter: boolean;
  readonly state: 'leader' | 'follower' | 'learner';
  /** Highest log index known to be on its disk (the leader's view); null on followers. */
  readonly match: number | null;
  /** Entries it trails the leader's log by; null on followers. */
  readonly lag: number | null;
}

/** The raft role's slot (`roles.raft`). */
export interface RaftRoleStatus {
  /** `host:port` of the Raft listener. */
  readonly listen: string | null;
  /**
   * `waiting` until the group is formed or this member is added; `removed`
   * once the group's leader no longer lists this member; `failed` after a
   * disk failure (a disk that refuses writes for now keeps the role's state
   * and sets `storage_retrying`).
   */
  readonly state: 'leader' | 'follower' | 'candidate' | 'pre-candidate' | 'waiting' | 'removed' | 'failed';
  readonly term: number;
  readonly leader: string | null;
  readonly commit_index: number;
  readonly applied_index: number;
  readonly last_index: number;
  readonly snapshot_index: number;
  readonly keys: number;
  readonly members: readonly RaftMemberStatus[];
  /** Why the disk failed; null while it works. */
  readonly storage_failure: string | null;
  /** While a write waits on a transient disk error, e.g. `retrying after ENOSPC (3 attempts, next in 2 s)`; null otherwise. Absent from older agents. */
  readonly storage_retrying?: string | null;
  /** Why this member cannot serve requests yet (see `/ready`); null once it can. Absent from older agents. */
  readonly not_ready?: string | null;
  readonly counters: {
    readonly proposals: number;
    readonly linearizable_reads: number;
    readonly stale_reads: number;
    readonly forwarded: number;
    readonly snapshots_taken: number;
    readonly snapshots_installed: number;
    readonly wal_saves: number;
    readonly wal_fsyncs: number;
    readonly messages_sent: number;
    readonly messages_received: number;
    /** Raft messages refused as implausible: a term or index at or over 2^48, a term jumping too far, a timeout-now not from the leader. */
    readonly messages_refused: number;
    /** Attempts at a WAL write that failed transiently and were retried. Absent from older agents. */
    readonly storage_retries?: number;
  };
}

/** How many recent events a snapshot keeps. */
export const EVENT_LIMIT = 100;

/**
 * Timing and fan-out of the membership protocol, with three profiles.
 * `lan` is the default; `local` suits one host or a very fast network; `wan`
 * tolerates high latency. Each profile starts from memberlist's numbers and
 * overrides only what differs. `lan` probes twice as often as memberlist
 * (500 ms) so that a crash in a small cluster is dead everywhere in about
 * 3 s. To keep false deaths away at that pace it retransmits updates more
 * (6 x ceil(log10(N+1)) instead of 4) and keeps memberlist's suspicion
 * multiplier of 4: in the simulator at 10% loss and 50 nodes, multiplier 3
 * or retransmits 4 each gave false deaths within 30 minutes; these gave none.
 */
export interface MembershipConfig {
  /** Interval between failure probes of one member. */
  readonly probeIntervalMs: number;
  /** How long to wait for a direct ack before asking others to probe. */
  readonly probeTimeoutMs: number;
  /** Members asked to probe indirectly (k). */
  readonly indirectChecks: number;
  /** Suspicion timeout = mult * max(1, log10(N)) * probe interval, at least. */
  readonly suspicionMult: number;
  /** The timeout starts at this many times the minimum and shrinks with confirmations. */
  readonly suspicionMaxTimeoutMult: number;
  /** Each update is retransmitted mult * ceil(log10(N+1)) times. */
  readonly retransmitMult: number;
  /** Interval between gossip rounds (updates not piggybacked on probes). */
  readonly gossipIntervalMs: number;
  /** Members gossiped to per round. */
  readonly gossipNodes: number;
  /** Dead members still receive gossip this long (so they learn and refute). */
  readonly gossipToTheDeadMs: number;
  /** Interval of full-state exchange over TCP (stretched above 32 members). */
  readonly pushPullIntervalMs: number;
  /** Interval of attempts to reach a dead member again (heals partitions). */
  readonly reconnectIntervalMs: number;
  /** Dead and left members are forgotten after this long. */
  readonly reapMs: number;
  /** Upper bound of the local health multiplier (Lifeguard). */
  readonly awarenessMaxMultiplier: number;
  /** First interval of multicast announcements; doubles up to the max once others are known. */
  readonly announceIntervalMs: number;
  readonly announceMaxIntervalMs: number;
  /** Largest UDP payload the core fills (the runtime subtracts encryption overhead). */
  readonly maxPacketBytes: number;
}

export const PROFILE_NAMES = ['lan', 'local', 'wan'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

const LAN: MembershipConfig = {
  probeIntervalMs: 500,
  probeTimeoutMs: 250,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 6,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 30_000,
  reconnectIntervalMs: 10_000,
  reapMs: 24 * 3_600_000,
  awarenessMaxMultiplier: 8,
  announceIntervalMs: 1000,
  announceMaxIntervalMs: 60_000,
  maxPacketBytes: 1400,
};

export const PROFILES: Readonly<Record<ProfileName, MembershipConfig>> = {
  lan: LAN,
  local: { ...LAN, probeIntervalMs: 300, probeTimeoutMs: 100, gossipIntervalMs: 100, pushPullIntervalMs: 15_000, gossipToTheDeadMs: 15_000 },
  wan: { ...LAN, probeIntervalMs: 5000, probeTimeoutMs: 3000, suspicionMult: 6, gossipNodes: 4, gossipIntervalMs: 500, gossipToTheDeadMs: 60_000, pushPullIntervalMs: 60_000, reconnectIntervalMs: 30_000 },
};

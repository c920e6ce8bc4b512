/** Takes the status snapshot from the running agent's parts. */
import { exposures } from '../config/exposure.js';
import type { AgentConfig } from '../config/load.js';
import { formatHostPort, type HostPort } from '../config/values.js';
import { compareNatural } from '../core/election/natural-order.js';
import { formatAddress, type Member } from '../core/membership/types.js';
import { SNAPSHOT_VERSION, type MemberStatus, type StatusCounters, type StatusSnapshot } from '../ops/snapshot.js';
import { VERSION } from '../version.js';
import type { MembershipService } from './membership/service.js';
import type { Traffic } from './membership/traffic.js';

export interface StatusSources {
  config(): AgentConfig;
  /** Seconds since the agent started. */
  uptime(): number;
  readonly membership: MembershipService;
  /** The bound web listener, if any. */
  web(): HostPort | undefined;
  /** Each role's slot. */
  roles(): Readonly<Record<string, unknown>>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** Load travels as float32: show it to a tenth. */
const tenths = (x: number): number => Math.round(x * 10) / 10;

export function takeSnapshot(src: StatusSources, now = Date.now()): StatusSnapshot {
  const config = src.config();
  const { agent, cluster, gossip } = config;
  const view = src.membership.leader();
  const self = agent.id;
  const web = src.web();
  const gossipAddr = src.membership.address;
  return {
    version: SNAPSHOT_VERSION,
    time: iso(now),
    cluster: { name: cluster.name, encrypted: src.membership.encrypted, profile: gossip.profile, expect: src.membership.expected },
    agent: {
      id: self,
      version: VERSION,
      gossip: gossipAddr ? formatAddress(gossipAddr) : `${agent.bind_address}:${agent.port}`,
      web: web ? formatHostPort(web) : null,
      roles: agent.roles,
      uptime_s: src.uptime(),
      health_score: src.membership.health(),
      pid: process.pid,
    },
    leader: {
      id: view.leader,
      self: view.leader === self,
      quorum: view.quorum,
      own_quorum: src.membership.expected === 0,
      reason: view.reason,
      since: iso(view.since),
      changes: view.changes,
    },
    members: membersOf(src.membership.members(), view.leader, self, now),
    events: src.membership.events.list(),
    counters: countersOf(src.membership.traffic, src.membership.stats()),
    roles: src.roles(),
    warnings: exposures(config).map((e) => e.text),
  };
}

function membersOf(members: readonly Member[], leader: string | null, self: string, now: number): MemberStatus[] {
  return members.map((m) => memberStatus(m, leader, self, now)).sort((a, b) => compareNatural(a.id, b.id));
}

function memberStatus(m: Member, leader: string | null, self: string, now: number): MemberStatus {
  return {
    id: m.id,
    address: formatAddress(m.addr),
    state: m.state,
    roles: m.meta.roles,
    services: m.meta.services,
    tags: m.meta.tags,
    version: m.meta.version,
    incarnation: m.incarnation,
    state_since: iso(m.stateChangedAt),
    last_seen: m.id === self ? iso(now) : m.heardAt !== undefined ? iso(m.heardAt) : null,
    load: m.load ? { cpu: tenths(m.load.cpu), lag_ms: tenths(m.load.lagMs), heard_at: iso(m.load.heardAt) } : null,
    leader: m.id === leader,
    self: m.id === self,
  };
}

function countersOf(t: Traffic, stats: ReturnType<MembershipService['stats']>): StatusCounters {
  return {
    in: { udp: { ...t.in.udp }, tcp: { ...t.in.tcp }, multicast: { ...t.in.multicast } },
    out: { udp: { ...t.out.udp }, tcp: { ...t.out.tcp }, multicast: { ...t.out.multicast } },
    messages_in: Object.fromEntries(t.messagesIn),
    messages_out: Object.fromEntries(t.messagesOut),
    probes: stats.probes,
    indirect_probes: stats.indirectProbes,
    suspicions: stats.suspicions,
    refutes: stats.refutes,
    claims_refused: stats.claimsRefused,
    claims_bounded: stats.claimsBounded,
    exchanges: t.exchanges,
    exchange_failures: t.exchangeFailures,
    drops: Object.fromEntries(t.drops),
  };
}

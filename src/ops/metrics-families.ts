/**
 * The dinc metric families: name, type, help and how to read the samples from
 * a status snapshot. Labels are bounded sets (states, channels, message types,
 * drop reasons); no member id ever becomes a label. The raft role's
 * families, read from its slot, are in metrics-raft-families.ts.
 */
import type { Family, Sample } from './metric-family.js';
import { LISTENER_FAMILIES } from './metrics-listener-families.js';
import { RAFT_FAMILIES } from './metrics-raft-families.js';
import type { MemberStateName, StatusSnapshot } from './snapshot.js';

const STATES: readonly MemberStateName[] = ['alive', 'suspect', 'dead', 'left'];
const CHANNELS = ['udp', 'tcp', 'multicast'] as const;
const DIRECTIONS = ['in', 'out'] as const;

const one = (value: number): Sample[] => [[{}, value]];
const flag = (yes: boolean): Sample[] => one(yes ? 1 : 0);

function flows(s: StatusSnapshot, unit: 'packets' | 'bytes'): Sample[] {
  return DIRECTIONS.flatMap((direction) => CHANNELS.map((channel): Sample => [{ direction, channel }, s.counters[direction][channel][unit]]));
}

function messages(s: StatusSnapshot): Sample[] {
  const by = (direction: 'in' | 'out', counts: Readonly<Record<string, number>>): Sample[] => Object.entries(counts).map(([type, n]) => [{ direction, type }, n]);
  return [...by('in', s.counters.messages_in), ...by('out', s.counters.messages_out)];
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'dinc_agent_info',
    type: 'gauge',
    help: 'Always 1; the labels name this agent, its version and its cluster.',
    labels: ['id', 'version', 'cluster'],
    read: ({ snapshot: s }) => [[{ id: s.agent.id, version: s.agent.version, cluster: s.cluster.name }, 1]],
  },
  { name: 'dinc_uptime_seconds', type: 'gauge', help: 'Seconds since the agent started.', labels: [], read: ({ snapshot: s }) => one(s.agent.uptime_s) },
  {
    name: 'dinc_members',
    type: 'gauge',
    help: 'Members this agent knows, itself included, by state (alive, suspect, dead, left).',
    labels: ['state'],
    read: ({ snapshot: s }) => STATES.map((state): Sample => [{ state }, s.members.filter((m) => m.state === state).length]),
  },
  { name: 'dinc_members_known', type: 'gauge', help: 'Members this agent knows in any state, itself included.', labels: [], read: ({ snapshot: s }) => one(s.members.length) },
  { name: 'dinc_is_leader', type: 'gauge', help: 'Whether this agent is the cluster leader (1) or not (0).', labels: [], read: ({ snapshot: s }) => flag(s.leader.self) },
  {
    name: 'dinc_leader_changes_total',
    type: 'counter',
    help: 'Times the leader this agent follows changed from one member to another or to none.',
    labels: [],
    read: ({ snapshot: s }) => one(s.leader.changes),
  },
  { name: 'dinc_quorum_reached', type: 'gauge', help: 'Whether this agent sees a quorum alive (1) or not (0).', labels: [], read: ({ snapshot: s }) => flag(s.leader.quorum.reached) },
  { name: 'dinc_quorum_members_seen', type: 'gauge', help: 'Members this agent sees alive, counted towards the quorum.', labels: [], read: ({ snapshot: s }) => one(s.leader.quorum.seen) },
  { name: 'dinc_quorum_members_needed', type: 'gauge', help: 'Members that must be seen alive for a quorum.', labels: [], read: ({ snapshot: s }) => one(s.leader.quorum.needed) },
  {
    name: 'dinc_health_score',
    type: 'gauge',
    help: "Lifeguard's local health score: 0 is healthy; higher means this agent doubts its own timeliness.",
    labels: [],
    read: ({ snapshot: s }) => one(s.agent.health_score),
  },
  { name: 'dinc_probes_total', type: 'counter', help: 'Failure-detection probes started.', labels: [], read: ({ snapshot: s }) => one(s.counters.probes) },
  { name: 'dinc_indirect_probes_total', type: 'counter', help: 'Indirect probe requests sent to helper members.', labels: [], read: ({ snapshot: s }) => one(s.counters.indirect_probes) },
  { name: 'dinc_suspicions_total', type: 'counter', help: 'Suspicions of other members this agent started or adopted.', labels: [], read: ({ snapshot: s }) => one(s.counters.suspicions) },
  {
    name: 'dinc_gossip_claims_total',
    type: 'counter',
    help: 'Gossip claims with an implausible number, by action: refused (incarnation above the ceiling, load seq far ahead of the clock) or bounded (incarnation rising too far at once).',
    labels: ['action'],
    read: ({ snapshot: s }) => [[{ action: 'refused' }, s.counters.claims_refused ?? 0], [{ action: 'bounded' }, s.counters.claims_bounded ?? 0]],
  },
  { name: 'dinc_refutes_total', type: 'counter', help: 'Times this agent refuted a suspicion or death of itself.', labels: [], read: ({ snapshot: s }) => one(s.counters.refutes) },
  {
    name: 'dinc_gossip_packets_total',
    type: 'counter',
    help: 'Membership packets by direction (in, out) and channel (udp gossip, tcp push-pull, multicast discovery).',
    labels: ['direction', 'channel'],
    read: ({ snapshot: s }) => flows(s, 'packets'),
  },
  {
    name: 'dinc_gossip_bytes_total',
    type: 'counter',
    help: 'Membership bytes by direction (in, out) and channel (udp gossip, tcp push-pull, multicast discovery).',
    labels: ['direction', 'channel'],
    read: ({ snapshot: s }) => flows(s, 'bytes'),
  },
  { name: 'dinc_gossip_messages_total', type: 'counter', help: 'Membership messages by direction (in, out) and type (ping, ack, alive, ...).', labels: ['direction', 'type'], read: ({ snapshot: s }) => messages(s) },
  {
    name: 'dinc_gossip_dropped_total',
    type: 'counter',
    help: 'Membership input dropped unread, by reason (decrypt, crc, cluster, ...).',
    labels: ['reason'],
    read: ({ snapshot: s }) => Object.entries(s.counters.drops).map(([reason, n]): Sample => [{ reason }, n]),
  },
  { name: 'dinc_pushpull_exchanges_total', type: 'counter', help: 'Push-pull full-state exchanges this agent started over TCP.', labels: [], read: ({ snapshot: s }) => one(s.counters.exchanges) },
  { name: 'dinc_pushpull_failures_total', type: 'counter', help: 'Push-pull exchanges this agent started that failed.', labels: [], read: ({ snapshot: s }) => one(s.counters.exchange_failures) },
  {
    name: 'dinc_stream_clients_dropped_total',
    type: 'counter',
    help: 'Streaming clients dropped for falling more than 1 MiB behind, by stream (status, monitor).',
    labels: ['stream'],
    read: ({ streamDrops }) => Object.entries(streamDrops).map(([stream, n]): Sample => [{ stream }, n]),
  },
  ...RAFT_FAMILIES,
  ...LISTENER_FAMILIES,
];

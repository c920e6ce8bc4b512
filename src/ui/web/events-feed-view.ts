/**
 * The fallback feed, `GET /events` (Server-Sent Events in GoCluster's shape),
 * read into a StatusSnapshot so that one renderer serves both feeds. GoCluster's
 * shape carries no load, events, quorum counts or agent details: those come out
 * empty, and the page says the view is basic. Pure.
 */
import { compareNatural } from '../../core/election/natural-order.js';
import { SNAPSHOT_VERSION, type MemberStateName, type MemberStatus, type StatusSnapshot, type StatusCounters } from '../../ops/snapshot.js';

const MEMBER_STATES: readonly string[] = ['alive', 'suspect', 'dead', 'left'] satisfies MemberStateName[];

const NO_TRAFFIC = { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } };
const NO_COUNTERS: StatusCounters = {
  in: NO_TRAFFIC,
  out: NO_TRAFFIC,
  messages_in: {},
  messages_out: {},
  probes: 0,
  indirect_probes: 0,
  suspicions: 0,
  refutes: 0,
  exchanges: 0,
  exchange_failures: 0,
  drops: {},
};

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/**
 * A member's state from GoCluster's `status` (alive, suspect, dead, left) or,
 * failing that, its `state`: `leader` and `follower` are alive members, and
 * anything else unknown counts as suspect.
 */
export function memberStateOf(node: Fields): MemberStateName {
  for (const value of [node.status, node.state]) {
    if (typeof value !== 'string') continue;
    if (MEMBER_STATES.includes(value)) return value as MemberStateName;
    if (value === 'leader' || value === 'follower') return 'alive';
  }
  return 'suspect';
}

/**
 * The snapshot an `/events` message describes, timed by its `timestamp` or,
 * lacking one, by `receivedAt` (ISO); null when the message is not in GoCluster's shape.
 */
export function snapshotFromEvents(data: unknown, receivedAt: string): StatusSnapshot | null {
  if (!isFields(data) || typeof data.cluster_name !== 'string' || typeof data.local_node !== 'string' || !isFields(data.nodes)) return null;
  const leader = typeof data.leader === 'string' && data.leader !== '' ? data.leader : null;
  const self = data.local_node;
  const time = text(data.timestamp, receivedAt);
  const members: MemberStatus[] = Object.entries(data.nodes)
    .filter((entry): entry is [string, Fields] => isFields(entry[1]))
    .map(([key, node]) => {
      const id = text(node.id, key);
      return {
        id,
        address: text(node.address),
        state: memberStateOf(node),
        roles: Array.isArray(node.roles) ? node.roles.filter((r): r is string => typeof r === 'string') : [],
        services: {},
        tags: {},
        version: '',
        incarnation: 0,
        state_since: time,
        last_seen: typeof node.last_seen === 'string' ? node.last_seen : null,
        load: null,
        leader: id === leader,
        self: id === self,
      };
    })
    .sort((a, b) => compareNatural(a.id, b.id));
  const reached = data.quorum === true;
  return {
    version: SNAPSHOT_VERSION,
    time,
    cluster: { name: data.cluster_name, encrypted: false, profile: '', expect: 0 },
    agent: { id: self, version: '', gossip: '', web: null, roles: [], uptime_s: 0, health_score: 0, pid: 0 },
    leader: {
      id: leader,
      self: leader === self,
      quorum: { needed: 0, seen: 0, reached },
      own_quorum: false,
      reason: reached ? '' : 'no quorum',
      since: time,
      changes: 0,
    },
    members,
    events: [],
    counters: NO_COUNTERS,
    roles: {},
  };
}

import { describe, expect, it } from 'vitest';
import { SNAPSHOT_VERSION, type MemberStatus, type StatusSnapshot } from '../../../../src/ops/snapshot.js';
import { goClusterView } from '../../../../src/runtime/status-feed.js';
import { memberStateOf, snapshotFromEvents } from '../../../../src/ui/web/events-feed-view.js';

const T = '2026-01-01T12:00:00.000Z';
const LATER = '2026-01-01T12:00:05.000Z';

function member(id: string, state: MemberStatus['state'], extra: Partial<MemberStatus> = {}): MemberStatus {
  return { id, address: `10.0.0.${id.slice(-1)}:7946`, state, roles: ['registry'], services: {}, tags: {}, version: '1', incarnation: 3, state_since: T, last_seen: T, load: { cpu: 5, lag_ms: 1, heard_at: T }, leader: false, self: false, ...extra };
}

const snapshot: StatusSnapshot = {
  version: SNAPSHOT_VERSION,
  time: T,
  cluster: { name: 'proxy', encrypted: true, profile: 'lan', expect: 3 },
  agent: { id: 'node2', version: '1', gossip: '10.0.0.2:7946', web: null, roles: [], uptime_s: 9, health_score: 0, pid: 7 },
  leader: { id: 'node1', self: false, quorum: { needed: 2, seen: 2, reached: true }, own_quorum: false, reason: '', since: T, changes: 1 },
  members: [member('node10', 'dead', { last_seen: null }), member('node1', 'alive', { leader: true }), member('node2', 'alive', { self: true }), member('node3', 'suspect')],
  events: [],
  counters: {
    in: { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } },
    out: { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } },
    messages_in: {},
    messages_out: {},
    probes: 0,
    indirect_probes: 0,
    suspicions: 0,
    refutes: 0,
    exchanges: 0,
    exchange_failures: 0,
    drops: {},
  },
  roles: {},
};

describe('the SSE fallback reads GoCluster-shaped events', () => {
  it("recovers what GoCluster's fields carry: cluster, agent, leader, quorum, and each member's state, roles, address, last seen", () => {
    const view = snapshotFromEvents(JSON.parse(JSON.stringify(goClusterView(snapshot))), LATER);
    expect(view).not.toBeNull();
    expect(view?.cluster.name).toBe('proxy');
    expect(view?.agent.id).toBe('node2');
    expect(view?.leader).toMatchObject({ id: 'node1', self: false, quorum: { reached: true } });
    expect(view?.time).toBe(T);
    expect(view?.members.map((m) => [m.id, m.state, m.leader, m.self, m.address, m.roles, m.last_seen])).toEqual([
      ['node1', 'alive', true, false, '10.0.0.1:7946', ['registry'], T],
      ['node2', 'alive', false, true, '10.0.0.2:7946', ['registry'], T],
      ['node3', 'suspect', false, false, '10.0.0.3:7946', ['registry'], T],
      ['node10', 'dead', false, false, '10.0.0.0:7946', ['registry'], null],
    ]);
  });

  it('takes the time of arrival for a message without a timestamp', () => {
    const { timestamp: _, ...untimed } = goClusterView(snapshot);
    expect(snapshotFromEvents(untimed, LATER)?.time).toBe(LATER);
  });

  it('carries no load or events, which that feed does not have', () => {
    const view = snapshotFromEvents(goClusterView(snapshot), LATER);
    expect(view?.members.every((m) => m.load === null)).toBe(true);
    expect(view?.events).toEqual([]);
  });

  it("reads GoCluster's own states: leader and follower are alive, an unknown state is suspect", () => {
    expect(memberStateOf({ state: 'leader' })).toBe('alive');
    expect(memberStateOf({ state: 'follower' })).toBe('alive');
    expect(memberStateOf({ state: 'follower', status: 'dead' })).toBe('dead');
    expect(memberStateOf({ state: 'left' })).toBe('left');
    expect(memberStateOf({ state: 'confused' })).toBe('suspect');
    expect(memberStateOf({})).toBe('suspect');
  });

  it('ignores messages of any other shape', () => {
    for (const junk of [null, 42, 'text', [], {}, { cluster_name: 'c', local_node: 'n' }, { cluster_name: 1, local_node: 'n', nodes: {} }]) {
      expect(snapshotFromEvents(junk, LATER)).toBeNull();
    }
  });
});

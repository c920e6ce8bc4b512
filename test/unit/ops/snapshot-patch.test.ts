import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_LIMIT, SNAPSHOT_VERSION, type ClusterEvent, type MemberStatus, type StatusSnapshot } from '../../../src/ops/snapshot.js';
import { applyPatch, diffSnapshot } from '../../../src/ops/snapshot-patch.js';
import { compareNatural } from '../../../src/core/election/natural-order.js';

const STATES = ['alive', 'suspect', 'dead', 'left'] as const;

const member = fc.record({
  id: fc.constantFrom('node1', 'node2', 'node10', 'node11', 'web-a', 'web-b'),
  state: fc.constantFrom(...STATES),
  incarnation: fc.nat(5),
  cpu: fc.nat(100),
});

function snapshot(time: number, members: readonly { id: string; state: (typeof STATES)[number]; incarnation: number; cpu: number }[], events: readonly ClusterEvent[], leader: string | null): StatusSnapshot {
  const unique = [...new Map(members.map((m) => [m.id, m])).values()].sort((a, b) => compareNatural(a.id, b.id));
  return {
    version: SNAPSHOT_VERSION,
    time: new Date(time).toISOString(),
    cluster: { name: 'c', encrypted: false, profile: 'lan', expect: 3 },
    agent: { id: 'node1', version: 't', gossip: '127.0.0.1:1', web: null, roles: [], uptime_s: time / 1000, health_score: 0, pid: 1 },
    leader: { id: leader, self: leader === 'node1', quorum: { needed: 2, seen: unique.length, reached: unique.length >= 2 }, own_quorum: false, reason: 'r', since: new Date(0).toISOString(), changes: 0 },
    members: unique.map(
      (m): MemberStatus => ({
        id: m.id,
        address: `10.0.0.1:${m.incarnation}`,
        state: m.state,
        roles: [],
        services: {},
        tags: {},
        version: 't',
        incarnation: m.incarnation,
        state_since: new Date(0).toISOString(),
        last_seen: null,
        load: { cpu: m.cpu, lag_ms: 1, heard_at: new Date(time).toISOString() },
        leader: m.id === leader,
        self: m.id === 'node1',
      }),
    ),
    events,
    counters: { in: { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } }, out: { udp: { packets: 0, bytes: 0 }, tcp: { packets: 0, bytes: 0 }, multicast: { packets: 0, bytes: 0 } }, messages_in: {}, messages_out: {}, probes: time, indirect_probes: 0, suspicions: 0, refutes: 0, exchanges: 0, exchange_failures: 0, drops: {} },
    roles: {},
  };
}

const event = (n: number): ClusterEvent => ({ time: new Date(n).toISOString(), type: 'join', subject: `node${n}`, message: `New node discovered: node${n}` });
const events = (from: number, to: number): ClusterEvent[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => event(from + i)).slice(-EVENT_LIMIT);

describe('snapshot patches', () => {
  it('applying the diff of two snapshots to the first gives the second', () => {
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 6 }),
        fc.array(member, { maxLength: 6 }),
        fc.nat(150),
        fc.nat(150),
        fc.constantFrom(null, 'node1', 'node2'),
        (ma, mb, ea, extra, leader) => {
          const a = snapshot(1000, ma, events(0, ea), 'node1');
          const b = snapshot(2000, mb, events(0, ea + extra), leader);
          const patch = diffSnapshot(a, b);
          expect(patch).not.toBeNull();
          expect(applyPatch(a, patch!)).toEqual(b);
        },
      ),
    );
  });

  it('sends only the members that changed, and nothing when only the time moved', () => {
    const a = snapshot(1000, [{ id: 'node1', state: 'alive', incarnation: 0, cpu: 1 }, { id: 'node2', state: 'alive', incarnation: 0, cpu: 1 }], [], 'node1');
    const b = { ...a, time: new Date(5000).toISOString() };
    expect(diffSnapshot(a, b)).toBeNull();
    const c = snapshot(1000, [{ id: 'node1', state: 'alive', incarnation: 0, cpu: 1 }, { id: 'node2', state: 'dead', incarnation: 0, cpu: 1 }], [event(1)], 'node1');
    const patch = diffSnapshot(a, c);
    expect(patch?.upsert.map((m) => m.id)).toEqual(['node2']);
    expect(patch?.remove).toEqual([]);
    expect(patch?.events).toEqual([event(1)]);
    expect(Object.keys(patch?.set ?? {}).sort()).toEqual(['time']);
  });
});

// Safety under random faults, with every feature in play at once: loss,
// duplication, reordering, partitions, crashes that keep only what was
// persisted, compaction and snapshots, membership changes, transfers and reads.
// The deep version of this lives in the simulator (test/sim); this one keeps
// the core honest on its own, fast and seeded.
import { describe, expect, it } from 'vitest';
import type { Entry, NodeId } from '../../../src/core/raft/types.js';
import { joinState } from '../../../src/core/raft/types.js';
import type { Rng } from '../../../src/core/rng.js';
import { seededRng } from '../../../src/core/rng.js';
import { Network, bytes, text } from './harness.js';

const VOTERS = ['a', 'b', 'c', 'd', 'e'];
const SPARE = 'f';

function describeEntry(e: Entry): string {
  return `${e.term}:${e.kind === 'normal' ? text(e.data) : `${e.change.type} ${e.change.node}`}`;
}

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items[rng.int(items.length)];
}

class Checker {
  private readonly appliedAt = new Map<number, string>();
  private readonly leaderOf = new Map<number, NodeId>();
  private readonly cursor = new Map<NodeId, number>();
  /** For each read asked, the highest commit index any server knew then: the read must see at least that much. */
  private readonly readFloor = new Map<string, number>();
  private readonly readCursor = new Map<NodeId, number>();

  constructor(private readonly net: Network) {}

  askRead(id: NodeId, ctx: string): void {
    const floor = Math.max(...[...this.net.servers.values()].map((s) => s.node.status().commit));
    if (this.net.node(id).readIndex(ctx) === null) this.readFloor.set(ctx, floor);
  }

  /**
   * State machine safety (no two servers apply different entries at an
   * index), election safety (one leader per term), and read safety (a read
   * index covers every entry committed before the read was asked).
   */
  check(seed: number): void {
    for (const server of this.net.servers.values()) {
      for (const read of server.readStates.slice(this.readCursor.get(server.id) ?? 0)) {
        expect(read.index, `seed ${seed}: read ${read.ctx} on ${server.id}`).toBeGreaterThanOrEqual(this.readFloor.get(read.ctx) ?? Infinity);
      }
      this.readCursor.set(server.id, server.readStates.length);
      const from = this.cursor.get(server.id) ?? 0;
      for (const e of server.committed.slice(from)) {
        const seen = this.appliedAt.get(e.index);
        expect(seen ?? describeEntry(e), `seed ${seed}: ${server.id} applied a different entry at ${e.index}`).toBe(describeEntry(e));
        this.appliedAt.set(e.index, describeEntry(e));
      }
      this.cursor.set(server.id, server.committed.length);
      const status = server.node.status();
      if (status.role === 'leader') {
        expect(this.leaderOf.get(status.term) ?? server.id, `seed ${seed}: two leaders in term ${status.term}`).toBe(server.id);
        this.leaderOf.set(status.term, server.id);
      }
    }
  }
}

function chaos(seed: number, steps: number): Network {
  const net = new Network(VOTERS, { snapshotChunkBytes: 64, maxEntriesPerAppend: 4, maxInflightAppends: 4 }, seed);
  net.add(SPARE, joinState());
  const rng = seededRng(seed);
  const checker = new Checker(net);
  net.filter = () => {
    const roll = rng.next();
    return roll < 0.1 ? 'drop' : roll < 0.15 ? 'duplicate' : 'deliver';
  };
  const ids = [...net.servers.keys()];
  for (let step = 0; step < steps; step++) {
    const roll = rng.next();
    const leader = pick(rng, net.leaders());
    if (roll < 0.04) net.partition(...splitRandomly(rng, ids));
    else if (roll < 0.1) net.heal();
    else if (roll < 0.12) net.get(pick(rng, ids) ?? 'a').restart();
    else if (roll < 0.15) {
      const server = net.get(pick(rng, ids) ?? 'a');
      if (server.node.status().applied > 0) server.compact();
    } else if (roll < 0.17 && leader) {
      const conf = net.node(leader).status().conf;
      const change = conf.learners.length > 0 ? { type: 'promote' as const, node: conf.learners[0] ?? '' } : ids.every((id) => conf.voters.includes(id) || conf.learners.includes(id)) ? { type: 'remove' as const, node: pick(rng, conf.voters) ?? '' } : { type: 'add-learner' as const, node: ids.find((id) => !conf.voters.includes(id)) ?? '' };
      net.node(leader).proposeConfChange(change);
    } else if (roll < 0.18 && leader) net.node(leader).transferLeadership(pick(rng, ids) ?? 'a');
    else if (roll < 0.25) checker.askRead(pick(rng, ids) ?? 'a', `r${step}`);
    else if (leader) net.node(leader).propose(bytes(`s${step}`));

    for (const id of ids) net.node(id).tick();
    net.flush();
    rng.shuffle(net.queue);
    while (net.deliverOne()) net.flush();
    checker.check(seed);
  }
  net.heal();
  net.filter = () => 'deliver';
  for (let i = 0; i < 60; i++) {
    net.tick(1);
    checker.check(seed);
  }
  return net;
}

function splitRandomly(rng: Rng, ids: readonly NodeId[]): NodeId[][] {
  const shuffled = rng.shuffle([...ids]);
  const cut = 1 + rng.int(ids.length - 1);
  return [shuffled.slice(0, cut), shuffled.slice(cut)];
}

describe('safety under random faults', () => {
  it('never two leaders in a term, never two different entries applied at an index, and the group recovers', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const net = chaos(seed, 300);
      const leaders = net.leaders();
      expect(leaders, `seed ${seed}`).toHaveLength(1);
      const leader = net.node(leaders[0] ?? '');
      const members = [...leader.status().conf.voters, ...leader.status().conf.learners];
      for (const id of members) expect(net.node(id).status().commit, `seed ${seed} ${id}`).toBe(leader.status().commit);
    }
  });
});

import { describe, expect } from 'vitest';
import { MsgType } from '../../src/core/membership/messages.js';
import fc from 'fast-check';
import { encodePackets } from '../../src/core/membership/codec.js';
import { seededRng } from '../../src/core/rng.js';
import { corrupt, nonsenseMessage, randomBytes } from './garbage.js';
import { MembershipSim, type SimPacket } from './membership-cluster.js';
import { SIM_CLUSTER_TAG } from './membership-wire.js';
import { itWithSeeds } from './seeds.js';
import { agreedLeader, eventsAbout, everyoneSees, groupSees, leaders, viewSnapshot } from './views.js';

// Whole clusters of the real membership core on a virtual clock (lan profile,
// real codec). Every test names its seeds; see seeds.ts to replay one.

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** A cluster of `nodes` that has converged; fails the test if it does not within 30 s. */
function convergedCluster(seed: number, nodes: number): MembershipSim {
  const sim = new MembershipSim({ seed, nodes });
  expect(sim.runUntilTrue(() => sim.converged(), 30_000), 'the cluster converges').toBeDefined();
  return sim;
}

describe('joining', () => {
  itWithSeeds('100 nodes joining through seeds and multicast all see each other alive', [1, 2], (seed, note) => {
    const sim = new MembershipSim({ seed, nodes: 100 });
    const at = sim.runUntilTrue(() => sim.converged(), 30_000, 100);
    expect(at, 'converged within 30 s').toBeDefined();
    note(`converged at ${s(at as number)} (nodes started within the first 1 s)`);
    expect(sim.events.filter((e) => e.type === 'suspect' || e.type === 'dead')).toEqual([]);
    expect(sim.stalls).toBe(0);
    expect([...sim.wire.drops]).toEqual([]);
    expect(sim.unknownDestinations).toBe(0);
  });
});

describe('the simulation itself', () => {
  itWithSeeds('the same seed gives the same run, event for event', [1, 2], (seed) => {
    const run = (): string[] => {
      const sim = new MembershipSim({ seed, nodes: 20, network: { loss: 0.05, duplicate: 0.02 } });
      sim.runFor(5000);
      sim.crash('node004');
      sim.pause('node009', 800);
      sim.runFor(15_000);
      return sim.events.map((e) => `${e.time} ${e.observer} ${e.type} ${e.subject}@${e.incarnation}`);
    };
    const first = run();
    expect(first.length).toBeGreaterThan(400);
    expect(run()).toEqual(first);
  });

  itWithSeeds('a cluster on a network that duplicates, delays and reorders packets converges and detects a crash', [1, 2], (seed) => {
    const sim = new MembershipSim({ seed, nodes: 20, network: { duplicate: 0.1, delay: { baseMs: 1, jitterMs: 40, jitter: 'uniform' } } });
    expect(sim.runUntilTrue(() => sim.converged(), 30_000)).toBeDefined();
    sim.crash('node011');
    expect(sim.runUntilTrue(() => everyoneSees(sim, 'node011', 'dead'), 30_000)).toBeDefined();
    expect(sim.events.filter((e) => e.type === 'dead' && e.subject !== 'node011')).toEqual([]);
  });
});

describe('failure detection', () => {
  itWithSeeds('a crashed node is declared dead by every other node, within 10 s at 20 nodes', [1, 2, 3], (seed, note) => {
    const sim = convergedCluster(seed, 20);
    const crashedAt = sim.now;
    sim.crash('node007');
    const allDead = sim.runUntilTrue(() => everyoneSees(sim, 'node007', 'dead'), 30_000);
    expect(allDead, 'every node sees node007 dead').toBeDefined();
    const firstSuspect = eventsAbout(sim.events, 'node007', 'suspect', crashedAt)[0]?.time as number;
    const firstDead = eventsAbout(sim.events, 'node007', 'dead', crashedAt)[0]?.time as number;
    const lastDead = Math.max(...eventsAbout(sim.events, 'node007', 'dead', crashedAt).map((e) => e.time));
    note(`crash -> first suspicion ${s(firstSuspect - crashedAt)}, first dead ${s(firstDead - crashedAt)}, dead everywhere ${s(lastDead - crashedAt)}`);
    expect(lastDead - crashedAt).toBeLessThan(10_000);
    // Only the crashed node was ever declared dead.
    expect(sim.events.filter((e) => e.type === 'dead' && e.subject !== 'node007')).toEqual([]);
  });

  itWithSeeds('a node paused until it is suspected, then resumed, refutes the suspicion and is never declared dead', [1, 2, 3], (seed, note) => {
    const sim = convergedCluster(seed, 20);
    const since = sim.now;
    sim.pause('node005');
    const suspected = sim.runUntilTrue(() => eventsAbout(sim.events, 'node005', 'suspect', since).length > 0, 10_000, 10);
    expect(suspected, 'a paused node is suspected').toBeDefined();
    sim.runFor(300);
    sim.resume('node005');
    note(`suspected ${s((suspected as number) - since)} into the pause, resumed 0.3 s later`);
    sim.runFor(20_000);
    expect(sim.events.filter((e) => e.type === 'dead' && e.time >= since)).toEqual([]);
    expect(everyoneSees(sim, 'node005', 'alive')).toBe(true);
    expect(sim.membership('node005').member('node005')?.incarnation).toBeGreaterThan(0);
  });

  itWithSeeds('a node whose acks are lost until it is suspected refutes the suspicion and is never declared dead', [1, 2, 3], (seed) => {
    const sim = convergedCluster(seed, 20);
    const since = sim.now;
    const restore = sim.dropIf((p, m) => p.from === 'node009' && m.type === MsgType.Ack);
    expect(sim.runUntilTrue(() => eventsAbout(sim.events, 'node009', 'suspect', since).length > 0, 10_000, 10)).toBeDefined();
    sim.runFor(300);
    restore();
    sim.runFor(20_000);
    expect(sim.events.filter((e) => e.type === 'dead' && e.time >= since)).toEqual([]);
    expect(sim.converged()).toBe(true);
  });
});

describe('partitions', () => {
  itWithSeeds('a partition long enough for both sides to declare the other dead heals into one cluster within 30 s', [1, 2, 3], (seed, note) => {
    const sim = convergedCluster(seed, 10);
    const majority = sim.ids.slice(0, 6);
    const minority = sim.ids.slice(6);
    const partitionedAt = sim.now;
    sim.network.partition(majority, minority);
    const split = sim.runUntilTrue(() => groupSees(sim, majority, minority, 'dead') && groupSees(sim, minority, majority, 'dead'), 60_000);
    expect(split, 'both sides declare the other dead').toBeDefined();
    const healedAt = sim.now;
    sim.network.heal();
    const merged = sim.runUntilTrue(() => sim.converged(), 60_000);
    expect(merged, 'all alive everywhere again').toBeDefined();
    note(`both sides saw the other dead ${s((split as number) - partitionedAt)} into the partition; merged ${s((merged as number) - healedAt)} after healing`);
    expect((merged as number) - healedAt).toBeLessThan(30_000);
  });
});

describe('leaving', () => {
  itWithSeeds('a node that leaves is seen as left everywhere and is never reported dead', [1, 2, 3], (seed, note) => {
    const sim = convergedCluster(seed, 10);
    const since = sim.now;
    sim.leave('node004');
    const at = sim.runUntilTrue(() => everyoneSees(sim, 'node004', 'left'), 10_000);
    expect(at, 'left everywhere').toBeDefined();
    note(`left everywhere after ${s((at as number) - since)}`);
    sim.runFor(30_000);
    expect(everyoneSees(sim, 'node004', 'left')).toBe(true);
    expect(eventsAbout(sim.events, 'node004', 'dead', since)).toEqual([]);
  });
});

describe('leader by node ID', () => {
  itWithSeeds('after the leader crashes, every node agrees on the next lowest ID', [1, 2, 3], (seed, note) => {
    const sim = convergedCluster(seed, 7);
    expect(agreedLeader(sim, 7)).toBe('node001');
    const crashedAt = sim.now;
    sim.crash('node001');
    const at = sim.runUntilTrue(() => agreedLeader(sim, 7) === 'node002', 30_000);
    expect(at, `all agree on node002; now ${JSON.stringify([...leaders(sim, 7)])}`).toBeDefined();
    note(`all agreed on node002 ${s((at as number) - crashedAt)} after the crash`);
  });

  itWithSeeds('the minority side of a partition elects nobody; the majority elects its lowest ID', [1, 2, 3], (seed) => {
    const sim = convergedCluster(seed, 5);
    const minority = ['node001', 'node002'];
    const majority = ['node003', 'node004', 'node005'];
    sim.network.partition(minority, majority);
    expect(sim.runUntilTrue(() => groupSees(sim, minority, majority, 'dead') && groupSees(sim, majority, minority, 'dead'), 60_000)).toBeDefined();
    const chosen = leaders(sim, 5);
    expect(minority.map((id) => chosen.get(id))).toEqual([null, null]);
    expect(majority.map((id) => chosen.get(id))).toEqual(['node003', 'node003', 'node003']);
  });
});

describe('stale and hostile input', () => {
  itWithSeeds('replaying every packet of an earlier period (a crash, a death, a restart) changes no state', [1, 2, 3], (seed, note) => {
    const sim = new MembershipSim({ seed, nodes: 10 });
    const captured: SimPacket[] = [];
    sim.onPacket((p) => captured.push(p));
    expect(sim.runUntilTrue(() => sim.converged(), 30_000)).toBeDefined();
    sim.crash('node003');
    expect(sim.runUntilTrue(() => everyoneSees(sim, 'node003', 'dead'), 30_000)).toBeDefined();
    sim.restart('node003');
    expect(sim.runUntilTrue(() => sim.converged(), 60_000)).toBeDefined();
    sim.runFor(5000);
    const old = [...captured];
    const before = viewSnapshot(sim);
    const eventsBefore = sim.events.length;
    for (const p of old) sim.inject(p.to, sim.addressOf(p.from), p.messages);
    sim.runFor(2000);
    note(`replayed ${old.length} packets`);
    expect(sim.events.slice(eventsBefore)).toEqual([]);
    expect(viewSnapshot(sim)).toEqual(before);
  });

  itWithSeeds('random bytes, corrupted packets with a valid CRC and nonsense messages never make a node throw', [1, 2, 3], (seed, note) => {
    const sim = new MembershipSim({ seed, nodes: 10 });
    const samples: SimPacket[] = [];
    sim.onPacket((p) => {
      if (samples.length < 300) samples.push(p);
    });
    expect(sim.runUntilTrue(() => sim.converged(), 30_000)).toBeDefined();
    const rng = seededRng(seed + 1);
    const stranger = { host: '10.9.9.9', port: 7946 };
    const target = (): string => sim.ids[rng.int(sim.ids.length)] as string;
    for (let i = 0; i < 500; i++) {
      sim.injectBytes(target(), stranger, randomBytes(rng, rng.int(120)));
      const sample = samples[rng.int(samples.length)] as SimPacket;
      for (const bytes of encodePackets(SIM_CLUSTER_TAG, sample.messages)) sim.injectBytes(target(), stranger, corrupt(rng, bytes));
      sim.runFor(5);
    }
    for (const m of fc.sample(nonsenseMessage(sim.ids), { numRuns: 1000, seed })) {
      sim.inject(target(), stranger, [m]);
      sim.runFor(2);
    }
    sim.runFor(10_000);
    note(`decoder drops: ${JSON.stringify(Object.fromEntries(sim.wire.drops))}`);
    expect(sim.wire.drops.get('magic') ?? 0).toBeGreaterThan(0);
    expect(sim.wire.drops.get('malformed') ?? 0).toBeGreaterThan(0);
    expect(sim.stalls).toBe(0);
  });
});

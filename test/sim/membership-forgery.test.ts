import { describe, expect } from 'vitest';
import { INCARNATION_CEILING, MAX_INCARNATION_RISE, REFUTE_STEP } from '../../src/core/membership/incarnation.js';
import { MsgType, type PacketMessage } from '../../src/core/membership/messages.js';
import type { Address } from '../../src/core/membership/types.js';
import { MembershipSim } from './membership-cluster.js';
import { itWithSeeds } from './seeds.js';

// An attacker without the key (none is set: the default) injects forged
// gossip at extreme incarnations into a converged cluster. Once the forgery
// stops, every member must be alive, at its own address, in every view
// within 30 simulated seconds. See docs/protocol.md, "Incarnation bounds".

const FILE = 'test/sim/membership-forgery.test.ts';
const ATTACKER: Address = { host: '10.9.9.9', port: 7946 };
const HEAL_MS = 30_000;
const TOP = 0xffffffff;

/** A forgery about `victim`, given the incarnation the cluster knows it by. */
type Forge = (victim: string, known: number) => PacketMessage[];

const dead = (inc: (known: number) => number): Forge => (victim, known) => [{ type: MsgType.Dead, id: victim, incarnation: inc(known), from: 'mallory', left: false }];
const left = (inc: (known: number) => number): Forge => (victim, known) => [{ type: MsgType.Dead, id: victim, incarnation: inc(known), from: victim, left: true }];
const suspect = (inc: (known: number) => number): Forge => (victim, known) => [{ type: MsgType.Suspect, id: victim, incarnation: inc(known), from: 'mallory' }];
const alive = (inc: (known: number) => number): Forge => (victim, known) => [
  { type: MsgType.Alive, id: victim, incarnation: inc(known), addr: ATTACKER, meta: { roles: [], services: {}, tags: {}, version: 'evil' } },
];

const FORGERIES: readonly (readonly [string, Forge])[] = [
  ['Dead at 0xFFFFFFFF', dead(() => TOP)],
  ['Dead at 0xFFFFFFFE', dead(() => TOP - 1)],
  ['Dead at 2^31', dead(() => 2 ** 31)],
  ['Dead at known + 2^20', dead((k) => k + 2 ** 20)],
  ['Left at 0xFFFFFFFF', left(() => TOP)],
  ['Suspect at 0xFFFFFFFF', suspect(() => TOP)],
  ['Suspect at known + 2^20', suspect((k) => k + 2 ** 20)],
  ['Alive elsewhere at 0xFFFFFFFF', alive(() => TOP)],
  ['Alive elsewhere at known + 2^20', alive((k) => k + 2 ** 20)],
];

/** A converged five-node cluster. */
function cluster(seed: number): MembershipSim {
  const sim = new MembershipSim({ seed, nodes: 5 });
  expect(sim.runUntilTrue(() => sim.converged(), 30_000), 'the cluster converges').toBeDefined();
  sim.runFor(2000);
  return sim;
}

/** Every live node sees every other alive at its own address. */
function healthy(sim: MembershipSim): boolean {
  const live = sim.liveIds();
  return live.every((o) =>
    live.every((s) => {
      if (o === s) return true;
      const m = sim.membership(o).member(s);
      const home = sim.addressOf(s);
      return m?.state === 'alive' && m.addr.host === home.host && m.addr.port === home.port;
    }),
  );
}

/** Sends `forge(victim)` to every node, the victim included, from the attacker's address. */
function inject(sim: MembershipSim, victim: string, forge: Forge): void {
  for (const to of sim.liveIds()) {
    const known = sim.membership(to).member(victim)?.incarnation ?? 0;
    sim.inject(to, ATTACKER, forge(victim, known));
  }
}

describe('forged gossip without a key', () => {
  for (const [name, forge] of FORGERIES) {
    itWithSeeds(
      `one forged ${name} about a member leaves every member alive everywhere within 30 s`,
      [1, 2],
      (seed, note) => {
        const sim = cluster(seed);
        inject(sim, 'node002', forge);
        const stopped = sim.now;
        const at = sim.runUntilTrue(() => healthy(sim), HEAL_MS);
        expect(at, 'healed within 30 s of the forgery').toBeDefined();
        note(`healed ${((at as number) - stopped) / 1000} s after the forgery`);
        // And stays so: a refused value must not come back through push-pull.
        sim.runFor(40_000);
        expect(healthy(sim), 'still healthy 40 s later').toBe(true);
      },
      30_000,
      FILE,
    );
  }

  itWithSeeds(
    'an attacker repeating every forgery at every member for 10 s does no harm that outlasts it by 30 s',
    [1, 2, 3],
    (seed, note) => {
      const sim = cluster(seed);
      const victims = ['node001', 'node003', 'node005'];
      for (let t = 0; t < 10_000; t += 250) {
        for (const [i, victim] of victims.entries()) {
          const [, forge] = FORGERIES[(t / 250 + i) % FORGERIES.length] as readonly [string, Forge];
          inject(sim, victim, forge);
        }
        sim.runFor(250);
      }
      const stopped = sim.now;
      const at = sim.runUntilTrue(() => healthy(sim), HEAL_MS);
      expect(at, 'healed within 30 s of the last forgery').toBeDefined();
      note(`healed ${((at as number) - stopped) / 1000} s after the last forgery`);
      for (const id of sim.liveIds()) expect(sim.membership(id).stats.claimsBounded + sim.membership(id).stats.claimsRefused).toBeGreaterThan(0);
    },
    30_000,
    FILE,
  );

  itWithSeeds(
    'claims stepping up by the largest rise, sent all at once, raise a member by one rise and a small step each: it is never left at the ceiling',
    [1, 2],
    (seed, note) => {
      const sim = cluster(seed);
      const victim = 'node002';
      for (const to of sim.liveIds()) {
        if (to === victim) continue;
        const record = sim.membership(to).member(victim);
        let inc = record?.incarnation ?? 0;
        const chain: PacketMessage[] = [];
        while (inc < INCARNATION_CEILING) {
          inc = Math.min(INCARNATION_CEILING, inc + MAX_INCARNATION_RISE);
          chain.push({ type: MsgType.Alive, id: victim, incarnation: inc, addr: sim.addressOf(victim), meta: record?.meta ?? { roles: [], services: {}, tags: {}, version: '' } });
        }
        chain.push({ type: MsgType.Dead, id: victim, incarnation: INCARNATION_CEILING, from: victim, left: true });
        sim.inject(to, ATTACKER, chain);
        const most = (record?.incarnation ?? 0) + MAX_INCARNATION_RISE + REFUTE_STEP * chain.length;
        expect(sim.membership(to).member(victim)?.incarnation, `${to} believes one rise and a step per claim at most`).toBeLessThanOrEqual(most);
        expect(most).toBeLessThan(INCARNATION_CEILING / 1000);
      }
      const stopped = sim.now;
      const at = sim.runUntilTrue(() => healthy(sim), HEAL_MS);
      expect(at, 'healed within 30 s of the forgery').toBeDefined();
      note(`healed ${((at as number) - stopped) / 1000} s after the forgery`);
    },
    30_000,
    FILE,
  );
});

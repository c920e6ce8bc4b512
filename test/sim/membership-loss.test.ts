import { describe, expect } from 'vitest';
import { MembershipSim } from './membership-cluster.js';
import { itWithSeeds } from './seeds.js';

// Long runs on a lossy network: apart from the other simulation tests so that
// the two files run side by side. The codec is off here (message objects
// travel as they are) to simulate an hour quickly; the other tests cover it.

const FILE = 'test/sim/membership-loss.test.ts';
const MINUTES = 60;

describe('lossy networks', () => {
  itWithSeeds(
    `at 10% packet loss no live node is ever declared dead (50 nodes, ${MINUTES} simulated minutes per seed)`,
    [1, 2],
    (seed, note) => {
      const sim = new MembershipSim({ seed, nodes: 50, codec: false, recordEvents: false, network: { loss: 0.1 } });
      const deaths: string[] = [];
      let suspicions = 0;
      sim.onEvent((e) => {
        if (e.type === 'suspect') suspicions++;
        if (e.type === 'dead') deaths.push(`${(e.time / 1000).toFixed(1)}s ${e.observer} declared ${e.subject}@${e.incarnation} dead`);
      });
      expect(sim.runUntilTrue(() => sim.converged(), 30_000), 'converges despite the loss').toBeDefined();
      sim.runFor(MINUTES * 60_000);
      note(`${suspicions} suspicions (observer-events), ${deaths.length} false deaths (observer-events), lost ${sim.network.stats.dropped.loss} of ${sim.network.stats.sent} messages`);
      expect(deaths.length, `false deaths; the first: ${deaths.slice(0, 3).join('; ')}`).toBe(0);
      // Suspicions come and go at this loss; what must never be is a live node seen dead.
      const live = sim.liveIds();
      expect(live.flatMap((o) => live.filter((m) => sim.stateOf(o, m) === 'dead').map((m) => `${o} sees ${m} dead`))).toEqual([]);
    },
    300_000,
    FILE,
  );
});

import { it } from 'vitest';
import type { MembershipConfig } from '../../src/core/membership/config.js';
import { MembershipSim } from './membership-cluster.js';
function run(config: Partial<MembershipConfig>, label: string, nodes: number, ms: number): void {
  let deaths = 0;
  for (const seed of [1, 2]) {
    const sim = new MembershipSim({ seed, nodes, codec: false, network: { loss: 0.1 }, recordEvents: false, config });
    sim.runUntilTrue(() => sim.converged(), 60_000);
    sim.onEvent((e) => { if (e.type === 'dead') deaths++; });
    sim.runFor(ms);
  }
  console.log(`${label}: false dead events (${nodes} nodes, 10% loss, 2x${ms / 60000} min) ${deaths}`);
}
it('exp', () => {
  run({}, 'lan', 50, 3_600_000);
}, 900_000);

/**
 * The seeded test suite of whole Raft groups, declared once for each group
 * size (raft.test.ts: 3 servers, raft-five.test.ts: 5, so that vitest runs
 * them in parallel). Each seed is one test: safety at every step, recovery
 * once healed, and a linearizable history. A failure names the seed and both
 * ways to replay it: SIM_SEED=<n> with vitest, or the runner, which prints
 * the whole trace.
 */
import { describe, expect } from 'vitest';
import { runRaftSim, seedRun } from './raft-run.js';
import { itWithSeeds } from './seeds.js';

/** Seeds `from`, `from + 1`, ... (`count` of them). */
export function seedRange(count: number, from = 1): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

export function describeRaftSuite(servers: number, seeds: readonly number[], file: string): void {
  describe(`Raft with ${servers} servers under partitions, crashes, pauses, a lossy network and membership changes`, () => {
    itWithSeeds(
      'no step breaks a safety property, the group recovers once healed, and the history is linearizable',
      seeds,
      async (seed, note) => {
        const result = await runRaftSim(seedRun(seed, { servers }));
        expect(result.violation, `replay: npm run sim -- raft --seed ${seed} --servers ${servers}`).toBeUndefined();
        note(`${result.checked} operations checked, ${result.unknown} unknown outcomes, ${result.terms} terms with a leader, settled at ${(result.endedAt / 1000).toFixed(1)} s`);
      },
      30_000,
      file,
    );
  });
}

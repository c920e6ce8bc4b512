import { describe, expect, it } from 'vitest';
import { runRaftSim, seedRun, type RaftRunResult } from './raft-run.js';
import { describeRaftSuite, seedRange } from './raft-suite.js';

// Whole 3-server Raft groups under the full nemesis, one test per seed (see
// raft-suite.ts; the 5-server ones are in raft-five.test.ts), and the
// simulation's own promises: it catches a planted bug, and a seed replays exactly.
describeRaftSuite(3, seedRange(300), 'test/sim/raft.test.ts');

describe('the simulation itself', () => {
  it('finds the planted Figure 8 bug (a leader that commits an earlier term\'s entries by counting replicas) within 300 seeds', async ({ annotate }) => {
    for (const seed of seedRange(300)) {
      const result = await runRaftSim(seedRun(seed, { raft: { unsafeCommitPreviousTerm: true } }));
      if (result.violation === undefined) continue;
      await annotate(`found at seed ${seed}: ${result.violation}`);
      expect(result.violation).toMatch(/^(leader completeness|state machine safety|linearizability)/);
      return;
    }
    expect.fail('no violation in 300 seeds with unsafeCommitPreviousTerm');
  }, 120_000);

  it('replays a seed exactly: two runs give the same trace, another seed a different one, and tracing changes nothing', async () => {
    const traced = (seed: number): Promise<RaftRunResult> => runRaftSim({ ...seedRun(seed), trace: 'hash' });
    const first = await traced(7);
    expect(first.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await traced(7)).traceHash).toBe(first.traceHash);
    expect((await traced(8)).traceHash).not.toBe(first.traceHash);
    const untraced = await runRaftSim(seedRun(7));
    expect([untraced.checked, untraced.unknown, untraced.endedAt]).toEqual([first.checked, first.unknown, first.endedAt]);
  });
});

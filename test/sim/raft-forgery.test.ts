import { describe, expect, it } from 'vitest';
import { FORGED_KINDS, FORGED_TERMS, HEAL_MS, runForgery, type ForgedTerm } from './raft-forgery.js';
import { simSeeds } from './seeds.js';

// Forged Raft messages (raft-forgery.ts): an attacker without the token sends
// every member forged messages for a virtual second, then stops; the group heals
// by itself. One test per group size, kind of message and kind of term.

const TERMS = Object.keys(FORGED_TERMS) as ForgedTerm[];

for (const servers of [3, 5] as const) {
  describe(`a ${servers}-member group after forged Raft messages`, () => {
    FORGED_KINDS.forEach((kind, k) => {
      TERMS.forEach((term, t) => {
        const [seed = 0] = simSeeds([servers * 100 + k * 10 + t]);
        it(`a forged ${kind} with ${term}: a leader commits new writes within ${HEAL_MS / 1000} s after, safety and linearizability hold (seed=${seed})`, async ({ annotate }) => {
          const result = await runForgery({ seed, servers, kind, term });
          expect(result.violation, `replay: SIM_SEED=${seed} npx vitest run test/sim/raft-forgery.test.ts -t ${JSON.stringify(`${servers}-member`)}`).toBeUndefined();
          expect(result.healedAfterMs).toBeLessThanOrEqual(HEAL_MS);
          expect(result.maxTerm).toBeLessThan(2 ** 48);
          if (term === 'the wire limit 2^53-1' || term === 'the ceiling 2^48' || term === 'just under the ceiling') expect(result.refused).toBeGreaterThan(0);
          await annotate(`healed ${result.healedAfterMs} ms after the forgery; ${result.refused} refused; highest term ${result.maxTerm}; ${result.checked} operations checked`);
        });
      });
    });
  });
}

describe('a group whose members forged messages pushed far apart', () => {
  for (const servers of [3, 5] as const) {
    for (const kind of ['heartbeat', 'append-resp'] as const) {
      const [seed = 0] = simSeeds([servers * 1000 + (kind === 'heartbeat' ? 1 : 2)]);
      it(`${servers} members sent 0, 2, 4, ... largest jumps by forged ${kind}s: the far-ahead members are believed in the end, a leader commits within ${HEAL_MS / 1000} s (seed=${seed})`, async ({ annotate }) => {
        const result = await runForgery({ seed, servers, kind, term: 'the largest jump', uneven: true });
        expect(result.violation, `replay: SIM_SEED=${seed} npx vitest run test/sim/raft-forgery.test.ts -t "pushed far apart"`).toBeUndefined();
        expect(result.healedAfterMs).toBeLessThanOrEqual(HEAL_MS);
        await annotate(`healed ${result.healedAfterMs} ms after the forgery; ${result.refused} refused; highest term ${result.maxTerm}`);
      });
    }
  }
});

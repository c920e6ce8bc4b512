/**
 * Seeds of simulation tests. Every simulated test names its seeds; a failing
 * run reports `seed=<n>` and the command that replays it exactly.
 *
 * - `SIM_SEED=<n>` runs only seed n (replay);
 * - `SIM_SEEDS=<count>` runs seeds 1..count instead of the defaults (soak).
 */
import { it } from 'vitest';

export function simSeeds(defaults: readonly number[]): number[] {
  const one = process.env.SIM_SEED;
  if (one !== undefined && one !== '') return [parseSeed(one, 'SIM_SEED')];
  const count = process.env.SIM_SEEDS;
  if (count !== undefined && count !== '') return Array.from({ length: parseSeed(count, 'SIM_SEEDS') }, (_, i) => i + 1);
  return [...defaults];
}

function parseSeed(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${name} must be an integer 0..4294967295, got ${JSON.stringify(text)}`);
  return n;
}

/** Records a measurement of a simulated test: attached to the test report, and printed with SIM_VERBOSE=1. */
export type Note = (message: string) => void;

/**
 * Declares one test per seed, named `<rule> (seed=<n>)`. When one fails, the
 * seed and the command that replays it are printed beside the original error.
 */
export function itWithSeeds(rule: string, defaults: readonly number[], body: (seed: number, note: Note) => void | Promise<void>, timeoutMs = 30_000, file = 'test/sim/membership.test.ts'): void {
  for (const seed of simSeeds(defaults)) {
    it(
      `${rule} (seed=${seed})`,
      async ({ onTestFailed, annotate }) => {
        onTestFailed(() => {
          console.error(`seed=${seed} — replay with: SIM_SEED=${seed} npx vitest run ${file} -t ${JSON.stringify(rule)}`);
        });
        const notes: string[] = [];
        await body(seed, (message) => notes.push(message));
        for (const message of notes) {
          if (process.env.SIM_VERBOSE === '1') console.log(`${rule} (seed=${seed}): ${message}`);
          await annotate(message);
        }
      },
      timeoutMs,
    );
  }
}

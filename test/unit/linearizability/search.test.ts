import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../support/linearizability.js';
import type { Model, Operation } from '../../support/linearizability.js';
import { kvModel } from '../../support/linearizability-kv.js';
import { realHistory } from './kv-history.js';
import type { KvOp } from './kv-ops.js';

/** Tries every order that respects real time: the definition, with no cleverness. */
function linearizableByBruteForce<State, Input, Output>(model: Model<State, Input, Output>, ops: readonly Operation<Input, Output>[]): boolean {
  const returnOf = (op: Operation<Input, Output>): number => (op.output === undefined ? Infinity : (op.return ?? Infinity));
  const left = new Set(ops.map((_, i) => i));
  const extend = (state: State): boolean => {
    if (left.size === 0) return true;
    const firstReturn = Math.min(...[...left].map((i) => returnOf(ops[i] as Operation<Input, Output>)));
    for (const i of [...left]) {
      const op = ops[i] as Operation<Input, Output>;
      if (op.call > firstReturn) continue;
      const next = model.step(state, op.input, op.output);
      if (!next.ok) continue;
      left.delete(i);
      if (extend(next.state)) return true;
      left.add(i);
    }
    return false;
  };
  return extend(model.init());
}

/** A real history of one key, then damaged: some outputs swapped between operations, some calls moved later. */
const smallHistory = fc
  .record({
    seed: fc.nat(),
    swaps: fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 2 }),
    delays: fc.array(fc.tuple(fc.nat(7), fc.nat(20)), { maxLength: 2 }),
  })
  .map(({ seed, swaps, delays }): KvOp[] => {
    const ops = realHistory({ seed, operations: 8, keys: 1, clients: 3, maxLatency: 4, lostShare: 0.2 });
    for (const [a, b] of swaps) {
      const [x, y] = [ops[a] as KvOp, ops[b] as KvOp];
      if (x.output !== undefined && y.output !== undefined) [ops[a], ops[b]] = [{ ...x, output: y.output }, { ...y, output: x.output }];
    }
    for (const [i, by] of delays) {
      const op = ops[i] as KvOp;
      ops[i] = { ...op, call: Math.min(op.call + by, op.return ?? Infinity) };
    }
    return ops;
  });

describe('the search agrees with trying every order', () => {
  it('on small real histories, intact or damaged', () => {
    const verdicts = { ok: 0, violation: 0 };
    fc.assert(
      fc.property(smallHistory, (history) => {
        const result = checkLinearizability(kvModel, history, { budgetMs: 5000 }).result;
        expect(result).toBe(linearizableByBruteForce(kvModel, history) ? 'ok' : 'violation');
        verdicts[result === 'ok' ? 'ok' : 'violation']++;
      }),
      { numRuns: 300 },
    );
    // Both answers were exercised, so the agreement means something.
    expect(verdicts.ok).toBeGreaterThan(30);
    expect(verdicts.violation).toBeGreaterThan(30);
  });

  it('with a model that does not partition, the whole history is one slice named "all"', () => {
    const counter: Model<number, 'inc' | 'read', number> = {
      init: () => 0,
      step: (state, input, output) => (input === 'inc' ? { ok: true, state: state + 1 } : { ok: output === undefined || output === state, state }),
      hash: (state) => state,
      equal: (a, b) => a === b,
      describeOperation: (input, output) => `${input} -> ${String(output)}`,
      describeState: (state) => String(state),
    };
    const history: Operation<'inc' | 'read', number>[] = [
      { client: 1, input: 'inc', call: 0, output: 0, return: 1 },
      { client: 2, input: 'read', call: 2, output: 0, return: 3 },
    ];
    expect(checkLinearizability(counter, history)).toMatchObject({ result: 'violation', partitions: 1, violation: { partition: 'all', longestPrefix: [0] } });
  });
});

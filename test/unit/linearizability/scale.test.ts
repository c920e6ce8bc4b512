import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../support/linearizability.js';
import { kvModel } from '../../support/linearizability-kv.js';
import { realHistory } from './kv-history.js';
import { done, get, lost, put, saw } from './kv-ops.js';
import type { KvOp } from './kv-ops.js';

/** n writes with unknown outcomes, all concurrent, then a read of a value none wrote: every subset and order must be tried. */
function exponential(writes: number): KvOp[] {
  return [...Array.from({ length: writes }, (_, i) => lost(`w${i}`, i, put('x', i))), done('r', 1000, 1001, get('x'), saw('never written', 1))];
}

describe('histories of a real execution are linearizable', () => {
  it('a large history with much concurrency and lost operations checks ok, well within its budget', () => {
    const history = realHistory({ seed: 7, operations: 20_000, keys: 20, clients: 10, maxLatency: 20, lostShare: 0.05 });
    const result = checkLinearizability(kvModel, history, { budgetMs: 20_000 });
    expect(result).toMatchObject({ result: 'ok', partitions: 20, partitionsChecked: 20, operations: 20_000 });
  });

  it('many seeds of small, dense histories check ok', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const history = realHistory({ seed, operations: 60, keys: 2, clients: 6, maxLatency: 8, lostShare: 0.15 });
      const result = checkLinearizability(kvModel, history, { budgetMs: 5000 });
      expect({ seed, result: result.result, report: result.violation?.report }).toEqual({ seed, result: 'ok', report: undefined });
    }
  });

  it('performance sanity: 5 000 operations over 50 keys with 5 concurrent clients', () => {
    const history = realHistory({ seed: 42, operations: 5000, keys: 50, clients: 5, maxLatency: 10, lostShare: 0.02 });
    expect(checkLinearizability(kvModel, history, { budgetMs: 30_000 }).result).toBe('ok');
  });
});

describe('the time budget', () => {
  it('an exponential search answers unknown when the budget runs out', () => {
    const result = checkLinearizability(kvModel, exponential(24), { budgetMs: 30 });
    expect(result).toMatchObject({ result: 'unknown', partitions: 1, partitionsChecked: 0 });
  });

  it('the same shape, small enough, is decided: a violation', () => {
    expect(checkLinearizability(kvModel, exponential(6), { budgetMs: 5000 }).result).toBe('violation');
  });

  it('a per-slice budget leaves one hard key undecided and still checks the others', () => {
    const others = realHistory({ seed: 3, operations: 300, keys: 3, clients: 4, maxLatency: 5, lostShare: 0 });
    const result = checkLinearizability(kvModel, [...exponential(24), ...others], { budgetMs: 20_000, partitionBudgetMs: 30 });
    expect(result).toMatchObject({ result: 'unknown', partitions: 4, partitionsChecked: 3 });
  });
});

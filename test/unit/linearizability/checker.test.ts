import { describe, expect, it } from 'vitest';
import type { KvOperation, KvResult } from '../../../src/core/state/kv-types.js';
import { checkLinearizability } from '../../support/linearizability.js';
import type { CheckResult } from '../../support/linearizability.js';
import { kvModel } from '../../support/linearizability-kv.js';
import { casFailed, del, done, get, lost, notFound, ok, put, saw } from './kv-ops.js';
import type { KvOp } from './kv-ops.js';

const check = (history: readonly KvOp[]): CheckResult<KvOperation, KvResult> => checkLinearizability(kvModel, history, { budgetMs: 5000 });

describe('linearizable histories are accepted', () => {
  it('overlapping puts and gets that only fit in an order other than their calls', () => {
    // c1 calls first but its put lands second (rev 5 > 3): c2's put, c3's get, c1's put, c4's get.
    const result = check([
      done('c1', 0, 10, put('x', 1), ok(5)),
      done('c2', 1, 9, put('x', 2), ok(3)),
      done('c3', 2, 4, get('x'), saw(2, 3)),
      done('c4', 5, 12, get('x'), saw(1, 5)),
    ]);
    expect(result).toMatchObject({ result: 'ok', partitions: 1, partitionsChecked: 1, operations: 4 });
  });

  it('concurrent creates and a cas chain: one create wins, the loser sees its revision', () => {
    expect(
      check([
        done('c1', 0, 3, put('x', 'a', 0), ok(2)),
        done('c2', 1, 4, put('x', 'b', 0), casFailed(2)),
        done('c3', 2, 8, put('x', 'c', 2), ok(6)),
        done('c2', 5, 6, get('x'), saw('a', 2)),
        done('c1', 9, 10, get('x'), saw('c', 6)),
      ]).result,
    ).toBe('ok');
  });

  it('a delete and a re-create: not-found between them, a higher revision after', () => {
    expect(
      check([
        done('c1', 0, 1, put('x', 1), ok(1)),
        done('c1', 2, 5, del('x', 1), ok(4)),
        done('c2', 3, 7, get('x'), notFound),
        done('c2', 8, 9, put('x', 2, 0), ok(9)),
        done('c3', 8, 9, del('y'), notFound),
      ]).result,
    ).toBe('ok');
  });

  it('a write with an unknown outcome that took effect', () => {
    expect(
      check([
        done('c1', 0, 1, put('x', 1), ok(1)),
        lost('c2', 2, put('x', 2)),
        done('c3', 3, 4, get('x'), saw(1, 1)),
        done('c3', 5, 6, get('x'), saw(2, 7)),
      ]).result,
    ).toBe('ok');
  });

  it('a write with an unknown outcome that never took effect', () => {
    expect(
      check([
        done('c1', 0, 1, put('x', 1), ok(1)),
        lost('c2', 2, put('x', 2)),
        done('c3', 50, 60, get('x'), saw(1, 1)),
      ]).result,
    ).toBe('ok');
  });

  it('a cas with an unknown outcome may have succeeded or failed, and later writes go on from either', () => {
    const base = [done('c1', 0, 1, put('x', 1), ok(1)), lost('c2', 2, put('x', 2, 1))];
    expect(check([...base, done('c3', 5, 6, get('x'), saw(2, 3)), done('c3', 7, 8, put('x', 3, 3), ok(4))]).result).toBe('ok');
    expect(check([...base, done('c3', 5, 6, get('x'), saw(1, 1)), done('c3', 7, 8, put('x', 3, 1), ok(4))]).result).toBe('ok');
  });
});

describe('non-linearizable histories are caught, naming the key', () => {
  it('a stale read after a completed write', () => {
    const result = check([
      done('c1', 0, 1, put('x', 1), ok(1)),
      done('c1', 2, 3, put('x', 2), ok(2)),
      done('c2', 4, 5, get('x'), saw(1, 1)),
    ]);
    expect(result).toMatchObject({ result: 'violation', partitionsChecked: 1, violation: { partition: 'key "x"', longestPrefix: [0, 1] } });
    expect(result.violation?.report).toBe(
      [
        'not linearizable: key "x" (3 operations)',
        'operations in call order ([call .. return] client operation -> output; * = in the longest linearizable prefix):',
        '  * #0 [0 .. 1]  c1  put(x, 1) -> ok rev 1',
        '  * #1 [2 .. 3]  c1  put(x, 2) -> ok rev 2',
        '    #2 [4 .. 5]  c2  get(x) -> 1 rev 1',
        'longest linearizable prefix (2 of 3), in linearization order:',
        '    #0 put(x, 1) -> ok rev 1',
        '    #1 put(x, 2) -> ok rev 2',
        '  state after it: 2 rev 2',
        '  the rest cannot complete it in any order: #2',
      ].join('\n'),
    );
  });

  it('two readers that see two concurrent writes in opposite orders', () => {
    const result = check([
      lost('w1', 0, put('x', 1)),
      lost('w2', 0, put('x', 2)),
      done('r1', 1, 2, get('x'), saw(1, 5)),
      done('r1', 3, 4, get('x'), saw(2, 6)),
      done('r2', 1, 2, get('x'), saw(2, 6)),
      done('r2', 3, 4, get('x'), saw(1, 5)),
    ]);
    expect(result.result).toBe('violation');
    expect(result.violation?.partition).toBe('key "x"');
  });

  it('the same two orders are caught on values alone, when reads carry no revision a write gave', () => {
    const result = check([
      lost('w1', 0, put('x', 1)),
      lost('w2', 0, put('x', 2)),
      done('r1', 1, 2, get('x'), saw(1, 5)),
      done('r1', 3, 4, get('x'), saw(2, 6)),
      done('r2', 1, 2, get('x'), saw(2, 7)),
      done('r2', 3, 4, get('x'), saw(1, 8)),
    ]);
    expect(result.result).toBe('violation');
  });

  it('a cas that succeeds twice on the same revision', () => {
    const result = check([
      done('c1', 0, 1, put('x', 0), ok(1)),
      done('c2', 2, 5, put('x', 'a', 1), ok(3)),
      done('c3', 2, 5, put('x', 'b', 1), ok(4)),
    ]);
    expect(result.result).toBe('violation');
    expect(result.violation?.report).toContain('not linearizable: key "x"');
  });

  it('two creates (cas 0) that both succeed', () => {
    expect(check([done('c1', 0, 5, put('x', 'a', 0), ok(2)), done('c2', 0, 5, put('x', 'b', 0), ok(3))]).result).toBe('violation');
  });

  it('a revision that goes backwards', () => {
    expect(check([done('c1', 0, 1, put('x', 1), ok(5)), done('c1', 2, 3, put('x', 2), ok(4))]).result).toBe('violation');
  });

  it('reports the smallest failing key when several fail; the others pass or are not needed', () => {
    const result = check([
      done('c1', 0, 1, put('good', 1), ok(1)),
      done('c1', 2, 3, get('good'), saw(1, 1)),
      ...['big', 'small'].flatMap((key, k) => [
        ...Array.from({ length: k === 0 ? 4 : 1 }, (_, i) => done('c2', 10 * i, 10 * i + 1, put(key, i), ok(100 * k + i + 1))),
        done('c3', 100, 101, get(key), saw('never written', 1)),
      ]),
    ]);
    expect(result).toMatchObject({ result: 'violation', partitions: 3, violation: { partition: 'key "small"' } });
    expect(result.violation?.operations).toHaveLength(2);
  });
});

describe('history input', () => {
  it('refuses an operation that returns before its call', () => {
    expect(() => check([done('c1', 5, 4, get('x'), notFound)])).toThrow(/operation 0: return time 4 is not at or after its call \(5\)/);
  });

  it('an empty history is linearizable', () => {
    expect(check([])).toMatchObject({ result: 'ok', partitions: 0, operations: 0 });
  });
});

/**
 * The clients' history of a simulated run against the key/value model, one
 * key at a time (linearizability is compositional), each key within a
 * wall-clock budget. Reads without a result are left out (they changed
 * nothing); writes without one (timed out, or still pending when the run
 * ended) stay in, as operations that may have taken effect at any time after
 * their call, or never.
 */
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';
import { checkLinearizability, type Operation } from '../support/linearizability.js';
import { kvModel } from '../support/linearizability-kv.js';
import type { History } from './raft-history.js';

export interface HistoryVerdict {
  /** Operations with a known outcome on the keys that were decided linearizable. */
  readonly checked: number;
  /** Keys the check could not decide within its budget. */
  readonly undecidedKeys: number;
  /** The report of the first key found not linearizable. */
  readonly violation?: string;
}

export function checkHistory(history: History, budgetMsPerKey: number): HistoryVerdict {
  const byKey = new Map<string, Operation<KvOperation, KvResult>[]>();
  for (const op of history.ops) {
    if (op.result === undefined && op.op.type === 'get') continue;
    const operation: Operation<KvOperation, KvResult> =
      op.result === undefined
        ? { client: op.client, input: op.op, call: op.invokedAt }
        : { client: op.client, input: op.op, call: op.invokedAt, output: op.result, return: op.completedAt };
    const list = byKey.get(op.op.key);
    if (list === undefined) byKey.set(op.op.key, [operation]);
    else list.push(operation);
  }
  let checked = 0;
  let undecidedKeys = 0;
  for (const [key, operations] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const result = checkLinearizability(kvModel, operations, { budgetMs: budgetMsPerKey });
    if (result.result === 'violation') return { checked, undecidedKeys, violation: `key ${key}: ${result.violation?.report ?? 'not linearizable'}` };
    if (result.result === 'unknown') undecidedKeys++;
    else checked += operations.filter((op) => op.output !== undefined).length;
  }
  return { checked, undecidedKeys };
}

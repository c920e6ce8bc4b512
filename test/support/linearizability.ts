/**
 * A linearizability checker for histories of concurrent operations, after
 * Porcupine (Athalye) and Knossos (Kingsbury): split the history into
 * independent slices with the model's `partition`, then search each slice for
 * an order of its operations that respects real time and the sequential model
 * (linearizability-search.ts). Slices are checked smallest first, so the first
 * failing one is the smallest; a wall-clock budget turns an answer that takes
 * too long into 'unknown'.
 *
 *   const result = checkLinearizability(kvModel, history, { budgetMs: 5000 });
 *   if (result.result === 'violation') console.log(result.violation.report);
 */
import { performance } from 'node:perf_hooks';
import { describeViolation } from './linearizability-report.js';
import { searchLinearization } from './linearizability-search.js';
import type { CheckOptions, CheckResult, Model, Operation, Partition } from './linearizability-types.js';

export type { CheckOptions, CheckResult, Model, Operation, Partition, Violation } from './linearizability-types.js';

const DEFAULT_BUDGET_MS = 10_000;

/** Checks `history` against `model`. Throws RangeError for an operation whose times make no sense. */
export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<Input, Output> {
  history.forEach(checkTimes);
  const started = performance.now();
  const deadline = started + (options.budgetMs ?? DEFAULT_BUDGET_MS);
  const partitionBudget = options.partitionBudgetMs ?? Infinity;
  const partitions = (model.partition?.(history) ?? [{ name: 'all', operations: history }])
    .map((p): Partition<Input, Output> => ({ name: p.name, operations: [...p.operations].sort((a, b) => a.call - b.call) }))
    .sort((a, b) => a.operations.length - b.operations.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let checked = 0;
  const summary = (result: CheckResult<Input, Output>['result']): Omit<CheckResult<Input, Output>, 'violation'> => ({
    result,
    partitions: partitions.length,
    partitionsChecked: checked,
    operations: history.length,
    elapsedMs: performance.now() - started,
  });

  for (const { name, operations } of partitions) {
    const partitionDeadline = Math.min(deadline, performance.now() + partitionBudget);
    if (performance.now() > deadline) break;
    const outcome = searchLinearization(model, operations, () => performance.now() > partitionDeadline);
    if (outcome.kind === 'out-of-time') continue;
    checked++;
    if (outcome.kind === 'violation') {
      const { longestPrefix, stateAfterPrefix } = outcome;
      return {
        ...summary('violation'),
        violation: {
          partition: name,
          operations,
          longestPrefix,
          stateAfterPrefix: model.describeState(stateAfterPrefix),
          report: describeViolation(model, name, operations, longestPrefix, stateAfterPrefix),
        },
      };
    }
  }
  return summary(checked === partitions.length ? 'ok' : 'unknown');
}

function checkTimes(op: Operation<unknown, unknown>, position: number): void {
  if (!Number.isFinite(op.call)) throw new RangeError(`operation ${position}: call time ${op.call} is not a finite number`);
  if (op.output !== undefined && !(typeof op.return === 'number' && op.return >= op.call)) {
    throw new RangeError(`operation ${position}: return time ${String(op.return)} is not at or after its call (${op.call})`);
  }
}

/**
 * The printout of a failing slice: its operations in call order, with times,
 * clients and outputs, then the longest prefix the search could linearize and
 * the model's state after it, so a reader can see where the history breaks.
 */
import type { Model, Operation } from './linearizability-types.js';

export function describeViolation<State, Input, Output>(
  model: Model<State, Input, Output>,
  partition: string,
  operations: readonly Operation<Input, Output>[],
  longestPrefix: readonly number[],
  stateAfterPrefix: State,
): string {
  const returnOf = (op: Operation<Input, Output>): number => (op.output === undefined ? Infinity : (op.return ?? Infinity));
  const timeWidth = widest(operations.flatMap((op) => [formatTime(op.call), formatTime(returnOf(op))]));
  const idWidth = String(operations.length - 1).length + 1;
  const clientWidth = widest(operations.map((op) => String(op.client)));
  const label = (i: number): string => `#${i}`.padEnd(idWidth);
  const describe = (i: number): string => {
    const op = operations[i] as Operation<Input, Output>;
    return model.describeOperation(op.input, op.output);
  };

  const inPrefix = new Set(longestPrefix);
  const lines = [`not linearizable: ${partition} (${operations.length} operations)`, 'operations in call order ([call .. return] client operation -> output; * = in the longest linearizable prefix):'];
  operations.forEach((op, i) => {
    const interval = `[${formatTime(op.call).padStart(timeWidth)} .. ${formatTime(returnOf(op)).padStart(timeWidth)}]`;
    lines.push(`  ${inPrefix.has(i) ? '*' : ' '} ${label(i)} ${interval}  ${String(op.client).padEnd(clientWidth)}  ${describe(i)}`);
  });
  lines.push(`longest linearizable prefix (${longestPrefix.length} of ${operations.length}), in linearization order:`);
  for (const i of longestPrefix) lines.push(`    ${label(i)} ${describe(i)}`);
  lines.push(`  state after it: ${model.describeState(stateAfterPrefix)}`);
  const rest = operations.map((_, i) => i).filter((i) => !inPrefix.has(i));
  lines.push(`  the rest cannot complete it in any order: ${rest.map((i) => `#${i}`).join(' ')}`);
  return lines.join('\n');
}

/** Length of the longest text (no spread: slices can be long). */
function widest(texts: readonly string[]): number {
  return texts.reduce((width, text) => Math.max(width, text.length), 0);
}

function formatTime(t: number): string {
  return t === Infinity ? '∞' : String(t);
}

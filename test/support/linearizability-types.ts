/**
 * The vocabulary of the linearizability checker: a history of operations as
 * clients saw them, and the sequential model they are checked against.
 */

/**
 * One operation as a client saw it. An operation without `output` has an
 * unknown outcome (the client timed out, or crashed): it may have taken effect
 * at any time after `call`, or never, so its return is taken as +Infinity
 * (as Porcupine and Knossos do) and `return` is ignored.
 *
 * Times are any comparable numbers (virtual or real ms). Intervals that only
 * touch (one returns at t, another is called at t) count as overlapping.
 */
export interface Operation<Input, Output> {
  readonly client: string | number;
  readonly input: Input;
  readonly call: number;
  readonly output?: Output;
  readonly return?: number;
}

/** A slice of the history checked on its own, such as the operations on one key. */
export interface Partition<Input, Output> {
  /** Names the slice in reports, e.g. the key. */
  readonly name: string;
  readonly operations: readonly Operation<Input, Output>[];
}

/** A sequential specification. States are treated as immutable values. */
export interface Model<State, Input, Output> {
  init(): State;
  /**
   * Whether `input` may give `output` in `state` (`output` undefined: the
   * outcome is unknown and the step must be allowed), and the state after it.
   */
  step(state: State, input: Input, output: Output | undefined): { readonly ok: boolean; readonly state: State };
  /** Splits a history into independent slices (e.g. per key: linearizability is compositional). Default: one slice "all". */
  partition?(history: readonly Operation<Input, Output>[]): Partition<Input, Output>[];
  /** Equal states have equal hashes (memoization of explored states). */
  hash(state: State): number;
  equal(a: State, b: State): boolean;
  describeOperation(input: Input, output: Output | undefined): string;
  describeState(state: State): string;
}

/** The longest sequence the search could linearize in a failing slice, and where it stopped. */
export interface Violation<Input, Output> {
  readonly partition: string;
  /** The slice's operations in call order. */
  readonly operations: readonly Operation<Input, Output>[];
  /** The longest linearizable prefix found: positions in `operations`, in linearization order. */
  readonly longestPrefix: readonly number[];
  /** The model's state after that prefix. */
  readonly stateAfterPrefix: string;
  /** A readable account of all of the above. */
  readonly report: string;
}

export interface CheckResult<Input, Output> {
  /** 'unknown': the time budget ran out before every slice was decided and none was found to fail. */
  readonly result: 'ok' | 'violation' | 'unknown';
  readonly partitions: number;
  /** Slices decided (linearizable or not) within the budget. */
  readonly partitionsChecked: number;
  readonly operations: number;
  readonly elapsedMs: number;
  /** Set on 'violation': the smallest failing slice (slices are checked smallest first). */
  readonly violation?: Violation<Input, Output>;
}

export interface CheckOptions {
  /** Wall-clock budget of the whole check, in ms. Default 10 000. */
  readonly budgetMs?: number;
  /** Wall-clock budget of one slice, in ms: a slice that needs more is left undecided and the next one is checked. Default: budgetMs. */
  readonly partitionBudgetMs?: number;
}

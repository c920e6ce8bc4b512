/**
 * The search at the heart of the checker, for one slice of a history: Wing &
 * Gong's backtracking over the history's call and return events, with Lowe's
 * improvements as Porcupine uses them. The events form a doubly linked list in
 * time order; linearizing an operation lifts its call and return out of the
 * list (undone on backtrack, dancing-links style); a cache of (set of
 * linearized operations, model state) pairs prunes every configuration
 * already explored. Reaching a return event means that operation had to be
 * linearized by now: backtrack.
 */
import type { Model, Operation } from './linearizability-types.js';

export type SearchOutcome<State> =
  | { readonly kind: 'linearizable' }
  /** `longestPrefix`: positions in the input, in linearization order. */
  | { readonly kind: 'violation'; readonly longestPrefix: readonly number[]; readonly stateAfterPrefix: State }
  | { readonly kind: 'out-of-time' };

/** Loop turns between looks at the clock. */
const TURNS_PER_CLOCK_CHECK = 1024;
const HEAD = 0;
const NIL = -1;

/**
 * Decides whether `operations` (any order) can be linearized under `model`;
 * `outOfTime` is asked now and then and ends the search when it says so.
 */
export function searchLinearization<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  outOfTime: () => boolean,
): SearchOutcome<State> {
  const events = new EventList(operations);
  const linearized = new LinearizedSet(operations.length);
  const explored = new ExploredCache(model);
  const stack: { readonly call: number; readonly before: State }[] = [];
  let state = model.init();
  // The longest prefix is copied only when the search first backs off from a new depth.
  let longest: { prefix: number[]; state: State } = { prefix: [], state };
  let deepest = 0;
  let stackIsDeepest = false;

  let turns = 0;
  let node = events.first();
  while (!events.isEmpty()) {
    if (++turns % TURNS_PER_CLOCK_CHECK === 0 && outOfTime()) return { kind: 'out-of-time' };
    if (events.isCall(node)) {
      // Try to linearize this operation next.
      const op = EventList.operationOf(node);
      const { input, output } = operations[op] as Operation<Input, Output>;
      const next = model.step(state, input, output);
      if (next.ok) {
        linearized.add(op);
        if (explored.add(linearized, next.state)) {
          stack.push({ call: node, before: state });
          state = next.state;
          events.lift(node);
          if (stack.length > deepest) {
            deepest = stack.length;
            stackIsDeepest = true;
          }
          node = events.first();
          continue;
        }
        linearized.remove(op);
      }
      node = events.after(node);
    } else {
      // A return whose operation is not linearized yet: undo the latest choice and try the one after it.
      if (stackIsDeepest) {
        longest = { prefix: stack.map((s) => EventList.operationOf(s.call)), state };
        stackIsDeepest = false;
      }
      const top = stack.pop();
      if (top === undefined) return { kind: 'violation', longestPrefix: longest.prefix, stateAfterPrefix: longest.state };
      state = top.before;
      linearized.remove(EventList.operationOf(top.call));
      events.unlift(top.call);
      node = events.after(top.call);
    }
  }
  return { kind: 'linearizable' };
}

/**
 * The call and return events of the operations as a doubly linked list in time
 * order. Node 0 is the head; operation k has its call at 2k + 1 and its return
 * at 2k + 2. At equal times calls come before returns, so touching intervals overlap.
 */
class EventList {
  private readonly next: Int32Array;
  private readonly prev: Int32Array;

  constructor(operations: readonly Operation<unknown, unknown>[]) {
    const nodes = operations.length * 2 + 1;
    this.next = new Int32Array(nodes).fill(NIL);
    this.prev = new Int32Array(nodes).fill(NIL);
    const time = (node: number): number => {
      const op = operations[EventList.operationOf(node)] as Operation<unknown, unknown>;
      if (node % 2 === 1) return op.call;
      return op.output === undefined ? Infinity : (op.return ?? Infinity);
    };
    const order = Array.from({ length: nodes - 1 }, (_, i) => i + 1).sort((a, b) => time(a) - time(b) || (a % 2 === 1 ? 0 : 1) - (b % 2 === 1 ? 0 : 1) || a - b);
    let last = HEAD;
    for (const node of order) {
      this.next[last] = node;
      this.prev[node] = last;
      last = node;
    }
  }

  static operationOf(node: number): number {
    return (node - 1) >> 1;
  }

  isCall(node: number): boolean {
    return node % 2 === 1;
  }

  isEmpty(): boolean {
    return this.next[HEAD] === NIL;
  }

  first(): number {
    return this.next[HEAD] as number;
  }

  after(node: number): number {
    return this.next[node] as number;
  }

  /** Takes a call and its return out of the list; they remember their neighbours for `unlift`. */
  lift(call: number): void {
    this.unlink(call);
    this.unlink(call + 1);
  }

  /** Puts back the pair lifted last (lifts and unlifts must nest). */
  unlift(call: number): void {
    this.relink(call + 1);
    this.relink(call);
  }

  private unlink(node: number): void {
    const before = this.prev[node] as number;
    const after = this.next[node] as number;
    this.next[before] = after;
    if (after !== NIL) this.prev[after] = before;
  }

  private relink(node: number): void {
    const before = this.prev[node] as number;
    const after = this.next[node] as number;
    this.next[before] = node;
    if (after !== NIL) this.prev[after] = node;
  }
}

/** The set of linearized operations as a bitset, with an order-independent (Zobrist) hash kept up to date. */
class LinearizedSet {
  readonly words: Uint32Array;
  private readonly keys: Int32Array;
  hash = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.keys = new Int32Array(size);
    let seed = 0x2545f491;
    for (let i = 0; i < size; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      this.keys[i] = seed;
    }
  }

  add(op: number): void {
    this.words[op >> 5] = (this.words[op >> 5] as number) | (1 << (op & 31));
    this.hash ^= this.keys[op] as number;
  }

  remove(op: number): void {
    this.words[op >> 5] = (this.words[op >> 5] as number) & ~(1 << (op & 31));
    this.hash ^= this.keys[op] as number;
  }
}

/** Configurations (linearized set, model state) already explored. */
class ExploredCache<State> {
  private readonly buckets = new Map<number, { readonly words: Uint32Array; readonly state: State }[]>();

  constructor(private readonly model: Pick<Model<State, never, never>, 'hash' | 'equal'>) {}

  /** Adds the configuration; false if it was already there. */
  add(set: LinearizedSet, state: State): boolean {
    const key = (set.hash ^ Math.imul(this.model.hash(state), 0x9e3779b1)) | 0;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    for (const seen of bucket) {
      if (sameWords(seen.words, set.words) && this.model.equal(seen.state, state)) return false;
    }
    bucket.push({ words: set.words.slice(), state });
    return true;
  }
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

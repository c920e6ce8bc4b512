/**
 * Histories of a real execution: concurrent clients whose operations take
 * effect on a real KvMachine at a random moment between their call and their
 * return, so every history made here is linearizable by construction.
 */
import { seededRng } from '../../../src/core/rng.js';
import type { Rng } from '../../../src/core/rng.js';
import { encodeKvCommand } from '../../../src/core/state/kv-codec.js';
import type { KvOperation, KvResult } from '../../../src/core/state/kv-types.js';
import { KvMachine } from '../../../src/core/state/kv.js';
import type { KvOp } from './kv-ops.js';

export interface HistoryShape {
  readonly seed: number;
  readonly operations: number;
  readonly keys: number;
  readonly clients: number;
  /** Longest time from call to effect, and from effect to return; calls of one client follow its returns. */
  readonly maxLatency: number;
  /** Share of operations whose outcome the client never learns (half of them never take effect). */
  readonly lostShare: number;
}

interface Planned {
  readonly client: string;
  readonly call: number;
  readonly effect: number;
  readonly ret: number;
}

export function realHistory(shape: HistoryShape): KvOp[] {
  const rng = seededRng(shape.seed);
  const machine = new KvMachine();
  const plans = planTimes(rng, shape).sort((a, b) => a.effect - b.effect);
  let index = 0;
  return plans.map((plan): KvOp => {
    const key = `k${rng.int(shape.keys)}`;
    const input = chooseInput(rng, machine, key);
    const lost = rng.next() < shape.lostShare;
    if (lost && rng.next() < 0.5) return { client: plan.client, input, call: plan.call };
    const output = execute(rng, machine, ++index, input);
    return lost ? { client: plan.client, input, call: plan.call } : { client: plan.client, input, call: plan.call, output, return: plan.ret };
  });
}

function planTimes(rng: Rng, shape: HistoryShape): Planned[] {
  const plans: Planned[] = [];
  const free = Array.from({ length: shape.clients }, () => 0);
  for (let i = 0; i < shape.operations; i++) {
    const c = rng.int(shape.clients);
    const call = (free[c] as number) + rng.int(3);
    const effect = call + rng.int(shape.maxLatency + 1);
    const ret = effect + rng.int(shape.maxLatency + 1);
    plans.push({ client: `c${c}`, call, effect: effect + i / shape.operations, ret: ret + 1 });
    free[c] = ret + 1;
  }
  return plans;
}

/** A put, cas (right or wrong revision), delete or get of `key`. */
function chooseInput(rng: Rng, machine: KvMachine, key: string): KvOperation {
  const revision = machine.read(key).revision;
  const roll = rng.int(10);
  if (roll < 3) return { type: 'put', key, value: rng.int(1000) };
  if (roll < 5) return { type: 'put', key, value: { n: rng.int(1000) }, cas: rng.next() < 0.6 ? revision : rng.int(revision + 2) };
  if (roll < 6) return { type: 'delete', key, ...(rng.next() < 0.5 ? {} : { cas: revision }) };
  return { type: 'get', key };
}

/** Applies through the log, except that half of the gets read the machine directly (as ReadIndex reads do). */
function execute(rng: Rng, machine: KvMachine, index: number, input: KvOperation): KvResult {
  if (input.type === 'get' && rng.next() < 0.5) {
    machine.apply(index, new Uint8Array(0));
    return machine.read(input.key);
  }
  return machine.apply(index, encodeKvCommand(input));
}

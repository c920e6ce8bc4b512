/**
 * The sequential model of the replicated key/value machine (src/core/state/kv.ts)
 * for the linearizability checker, one key per slice.
 *
 * It checks values and revisions, not values alone: a put or delete answers
 * with its own log index, which must exceed the key's previous revision; a get
 * sees the last write's value and revision; a cas succeeds exactly when the
 * key is at that revision (absent = 0). The model cannot know log indexes in
 * advance, so it is exact where the history is and permissive where it is
 * not: a write whose outcome is unknown leaves the key's revision known only
 * as "above r", which the next observation pins down; and a write with an
 * unknown outcome whose cas might or might not have held forks the state into
 * both possible worlds (the model's state is the set of them, so a step is ok
 * if any world allows it). Revisions are not checked across keys.
 *
 * Results other than the four the machine gives to a well-behaved client
 * ('bad-command', 'stale-sequence') are taken as having had no effect.
 */
import type { JsonValue } from '../../src/core/state/json.js';
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';
import type { Model, Operation, Partition } from './linearizability-types.js';

/** One possible state of a key. */
interface World {
  /** JSON text of the value; null while the key is absent. */
  readonly value: string | null;
  /** Revision of the key's last write (put, or the delete that made it absent): exact, or only known to be above this. */
  readonly revision: number;
  readonly exact: boolean;
}

export interface KvModelState {
  /** The possible worlds, sorted by `id`; empty only after a step that is not ok. */
  readonly worlds: readonly World[];
  /** Canonical text of `worlds`: equal states have equal ids. */
  readonly id: string;
}


const ABSENT: World = { value: null, revision: 0, exact: true };

export const kvModel: Model<KvModelState, KvOperation, KvResult> = {
  init: () => stateOf([ABSENT]),
  step(state, input, output) {
    const next = stateOf(state.worlds.flatMap((world) => stepWorld(world, input, output)));
    return { ok: next.worlds.length > 0, state: next };
  },
  partition(history) {
    const byKey = new Map<string, Operation<KvOperation, KvResult>[]>();
    for (const op of history) {
      const slice = byKey.get(op.input.key);
      if (slice === undefined) byKey.set(op.input.key, [op]);
      else slice.push(op);
    }
    return [...byKey].map(([key, operations]): Partition<KvOperation, KvResult> => ({ name: `key ${JSON.stringify(key)}`, operations }));
  },
  hash: (state) => hashText(state.id),
  equal: (a, b) => a.id === b.id,
  describeOperation: (input, output) => `${describeInput(input)} -> ${output === undefined ? 'unknown' : describeOutput(output)}`,
  describeState: (state) => state.worlds.map(describeWorld).join(' or '),
};

/** The worlds `world` may move to when `input` gives `output` (none: impossible). */
function stepWorld(world: World, input: KvOperation, output: KvResult | undefined): World[] {
  if (output !== undefined && !output.ok && (output.error === 'bad-command' || output.error === 'stale-sequence')) return [world];
  switch (input.type) {
    case 'get':
      return stepGet(world, output);
    case 'put':
      return stepWrite(world, input.cas, textOf(input.value), output);
    case 'delete':
      return stepWrite(world, input.cas, null, output);
  }
}

function stepGet(world: World, output: KvResult | undefined): World[] {
  if (output === undefined) return [world];
  if (output.ok) return world.value !== null && world.value === textOf(output.value) ? present(atRevision(world, output.revision)) : [];
  return output.error === 'not-found' && world.value === null ? [world] : [];
}

/** A put (`value` set) or delete (`value` null), guarded by `cas` if given. */
function stepWrite(world: World, cas: number | undefined, value: string | null, output: KvResult | undefined): World[] {
  const before = cas === undefined ? world : casHolds(world, cas);
  const deletingAbsent = value === null && world.value === null;
  if (output === undefined) {
    const worlds: World[] = [];
    if (before !== null && !deletingAbsent) worlds.push({ value, revision: before.revision, exact: false });
    if (deletingAbsent || (cas !== undefined && casMayFail(world, cas))) worlds.push(world);
    return worlds;
  }
  if (output.ok) {
    if (before === null || deletingAbsent || !(output.revision > before.revision)) return [];
    return [{ value, revision: output.revision, exact: true }];
  }
  if (output.error === 'not-found') return value === null && world.value === null && (cas === undefined || cas === 0) ? [world] : [];
  if (output.error !== 'cas-failed' || cas === undefined) return [];
  if (world.value === null) return output.revision === 0 && cas !== 0 ? [world] : [];
  return cas === output.revision ? [] : present(atRevision(world, output.revision));
}

/** The world with its revision pinned to `revision`, or null if it cannot be that. */
function atRevision(world: World, revision: number): World | null {
  if (world.exact) return world.revision === revision ? world : null;
  return revision > world.revision ? { ...world, revision, exact: true } : null;
}

/** The world as it is when a write guarded by `cas` goes ahead, or null if it cannot. */
function casHolds(world: World, cas: number): World | null {
  if (world.value === null) return cas === 0 ? world : null;
  return atRevision(world, cas);
}

/** Whether a write guarded by `cas` may be refused. (An inexact revision may always differ from cas.) */
function casMayFail(world: World, cas: number): boolean {
  if (world.value === null) return cas !== 0;
  return !world.exact || world.revision !== cas;
}

function present(world: World | null): World[] {
  return world === null ? [] : [world];
}

function stateOf(worlds: readonly World[]): KvModelState {
  const byId = new Map(worlds.map((w) => [worldId(w), w]));
  const ids = [...byId.keys()].sort();
  return { worlds: ids.map((id) => byId.get(id) as World), id: ids.join('|') };
}

function worldId(world: World): string {
  return `${world.exact ? '=' : '>'}${world.revision} ${world.value ?? '-'}`;
}

function textOf(value: JsonValue | undefined): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** FNV-1a over the UTF-16 code units. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function describeInput(input: KvOperation): string {
  const cas = input.type !== 'get' && input.cas !== undefined ? `, cas ${input.cas}` : '';
  switch (input.type) {
    case 'put':
      return `put(${input.key}, ${shorten(JSON.stringify(input.value))}${cas})`;
    case 'delete':
      return `delete(${input.key}${cas})`;
    case 'get':
      return `get(${input.key})`;
  }
}

function describeOutput(output: KvResult): string {
  if (!output.ok) return output.revision === 0 ? output.error : `${output.error} rev ${output.revision}`;
  return output.value === undefined ? `ok rev ${output.revision}` : `${shorten(JSON.stringify(output.value))} rev ${output.revision}`;
}

function describeWorld(world: World): string {
  const revision = `rev ${world.exact ? '' : '>'}${world.revision}`;
  return world.value === null ? `absent (last write ${revision})` : `${shorten(world.value)} ${revision}`;
}

function shorten(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}

/**
 * Random sequences of saves (appends that overwrite, hard states, snapshots
 * from a leader, compactions), issued in concurrent groups with reopens in
 * between, must read back exactly as a plain in-memory model of the log.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, HardState, PersistedState, Snapshot } from '../../../src/core/raft/types.js';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { memoryLogger } from '../../support/memory-log.js';
import { entries, snapshot } from './fixtures.js';
import { tempDir } from './recording-fs.js';

/** The log as the contract defines it. */
class Model {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | undefined;
  log: Entry[] = [];
  get snapshotIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }
  get lastIndex(): number {
    return this.snapshotIndex + this.log.length;
  }
  append(list: readonly Entry[]): void {
    const first = list[0];
    if (first === undefined) return;
    this.log.length = first.index - this.snapshotIndex - 1;
    this.log.push(...list);
  }
  install(s: Snapshot): void {
    this.snapshot = s;
    this.log = [];
  }
  compact(s: Snapshot): void {
    if (this.snapshot !== undefined && s.meta.index <= this.snapshot.meta.index) return;
    this.log = this.log.filter((e) => e.index > s.meta.index);
    this.snapshot = s;
  }
  state(): PersistedState {
    const base = { hardState: this.hardState, entries: this.log };
    return this.snapshot === undefined ? base : { ...base, snapshot: this.snapshot };
  }
}

/** One step, with numbers in [0, 1) placed against the model's log when it runs. */
type Op =
  | { readonly kind: 'append'; readonly at: number; readonly count: number; readonly term: number }
  | { readonly kind: 'hard-state'; readonly term: number; readonly vote: string | null; readonly commit: number }
  | { readonly kind: 'install'; readonly ahead: number; readonly term: number }
  | { readonly kind: 'compact'; readonly at: number }
  | { readonly kind: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }), count: fc.integer({ min: 1, max: 4 }), term: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hard-state' as const), term: fc.nat(9), vote: fc.constantFrom(null, 'n1', 'n2', 'ñ3'), commit: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('install' as const), ahead: fc.nat(3), term: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

let counter = 0;

/** Issues `op` against both, without waiting for the storage. */
function issue(op: Exclude<Op, { kind: 'reopen' }>, model: Model, storage: WalStorage): Promise<void> {
  const label = `p${counter++}`;
  switch (op.kind) {
    case 'append': {
      const from = model.snapshotIndex + 1 + Math.floor(op.at * (model.lastIndex - model.snapshotIndex + 1));
      const list = entries(from, from + op.count - 1, op.term, label);
      model.append(list);
      return storage.save({ entries: list });
    }
    case 'hard-state': {
      model.hardState = { term: op.term, vote: op.vote, commit: op.commit };
      return storage.save({ hardState: model.hardState, entries: [] });
    }
    case 'install': {
      const s = snapshot(model.lastIndex + op.ahead, op.term, label);
      model.install(s);
      return storage.save({ entries: [], snapshot: s });
    }
    case 'compact': {
      const index = model.snapshotIndex + Math.floor(op.at * (model.lastIndex - model.snapshotIndex + 1));
      const s = snapshot(index, model.log.find((e) => e.index === index)?.term ?? model.snapshot?.meta.term ?? 0, label);
      model.compact(s);
      return storage.saveSnapshot(s);
    }
  }
}

describe('WalStorage matches a model of the log', () => {
  it('random saves in concurrent groups, with reopens, read back exactly as the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }), async (groups) => {
        const { dir, remove } = await tempDir();
        const options = { segmentBytes: 120 };
        const model = new Model();
        let storage = await WalStorage.open(dir, memoryLogger().log, options);
        try {
          for (const group of groups) {
            const saves: Promise<void>[] = [];
            for (const op of group) {
              if (op.kind !== 'reopen') {
                saves.push(issue(op, model, storage));
                continue;
              }
              await Promise.all(saves.splice(0));
              await storage.close();
              storage = await WalStorage.open(dir, memoryLogger().log, options);
              expect(storage.state()).toEqual(model.state());
            }
            await Promise.all(saves);
            expect(storage.state()).toEqual(model.state());
          }
          await storage.close();
          storage = await WalStorage.open(dir, memoryLogger().log, options);
          expect(storage.state()).toEqual(model.state());
        } finally {
          await storage.close();
          await remove();
        }
      }),
      { numRuns: 80 },
    );
  });
});

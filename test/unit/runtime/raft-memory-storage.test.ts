import { describe, expect, it } from 'vitest';
import { bootstrapState, type Entry, type Snapshot } from '../../../src/core/raft/types.js';
import { MemoryStorage } from '../../../src/runtime/raft/memory-storage.js';
import { SimClock } from '../../sim/clock.js';
import { simTimers } from '../../sim/sim-timers.js';

const entry = (index: number, term = 1): Entry => ({ index, term, kind: 'normal', data: new Uint8Array([index]) });
const entries = (from: number, to: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));
const indexes = (storage: MemoryStorage): number[] => storage.state().entries.map((e) => e.index);

function slowDisk(latencyMs: number): { clock: SimClock; storage: MemoryStorage } {
  const clock = new SimClock();
  return { clock, storage: new MemoryStorage(bootstrapState(['a']), { timers: simTimers(clock), latencyMs: () => latencyMs }) };
}

describe('MemoryStorage', () => {
  it('a save is durable once it resolves, and an entry at a stored index replaces the tail', async () => {
    const storage = new MemoryStorage(bootstrapState(['a']));
    await storage.save({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: entries(1, 4) });
    await storage.save({ entries: [entry(3, 2)] });
    expect(indexes(storage)).toEqual([1, 2, 3]);
    expect(storage.state().entries[2]?.term).toBe(2);
    expect(storage.state().hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
  });

  it('an application snapshot drops the entries it covers and keeps those after it', async () => {
    const storage = new MemoryStorage(bootstrapState(['a']));
    await storage.save({ entries: entries(1, 5) });
    const snapshot: Snapshot = { meta: { index: 3, term: 1, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array([9]) };
    await storage.saveSnapshot(snapshot);
    expect(storage.state().snapshot?.meta.index).toBe(3);
    expect(indexes(storage)).toEqual([4, 5]);
  });

  it('a save takes its latency on the timers, and saves complete in the order they were made', async () => {
    const clock = new SimClock();
    const latencies = [20, 5];
    const storage = new MemoryStorage(bootstrapState(['a']), { timers: simTimers(clock), latencyMs: () => latencies.shift() ?? 0 });
    const done: number[] = [];
    void storage.save({ entries: entries(1, 1) }).then(() => done.push(1));
    void storage.save({ entries: entries(2, 2) }).then(() => done.push(2));
    clock.runUntil(10);
    await Promise.resolve();
    expect(done).toEqual([]);
    expect(indexes(storage)).toEqual([]);
    clock.runUntil(20);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual([1, 2]);
    expect(indexes(storage)).toEqual([1, 2]);
  });

  it('a crash loses every save still in flight', () => {
    const { clock, storage } = slowDisk(10);
    void storage.save({ hardState: { term: 2, vote: 'a', commit: 0 }, entries: entries(1, 3) });
    storage.crash();
    clock.runUntil(100);
    expect(storage.state().hardState.term).toBe(0);
    expect(indexes(storage)).toEqual([]);
    expect(storage.stats.lost).toBe(1);
  });

  it('a torn save keeps a prefix of its records: hard state, then snapshot, then entries', () => {
    const { storage } = slowDisk(10);
    void storage.save({ hardState: { term: 2, vote: 'a', commit: 0 }, entries: entries(1, 3) });
    storage.crash(3);
    expect(storage.state().hardState.term).toBe(2);
    expect(indexes(storage)).toEqual([1, 2]);
  });

  it('a transient error holds saves back and says retrying until it clears', async () => {
    const storage = new MemoryStorage(bootstrapState(['a']));
    storage.hold('ENOSPC', 'no space left on device');
    let done = false;
    void storage.save({ entries: entries(1, 1) }).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    expect(storage.condition()).toMatchObject({ kind: 'retrying', code: 'ENOSPC' });
    storage.release();
    await Promise.resolve();
    expect(done).toBe(true);
    expect(storage.condition()).toEqual({ kind: 'ok' });
  });

  it('a media error fails the save in flight and every later one', async () => {
    const { storage } = slowDisk(10);
    const first = storage.save({ entries: entries(1, 1) });
    storage.fail(new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    await expect(storage.save({ entries: entries(1, 1) })).rejects.toThrow('EIO');
    expect(storage.condition()).toEqual({ kind: 'failed', message: 'EIO' });
  });
});

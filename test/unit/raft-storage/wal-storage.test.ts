import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { LogContractError } from '../../../src/runtime/raft/log-state.js';
import { memoryLogger } from '../../support/memory-log.js';
import { bytes, entries, snapshot } from './fixtures.js';
import { recordingFs, tempDir } from './recording-fs.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

const open = (options = {}): Promise<WalStorage> => WalStorage.open(dir, memoryLogger().log, options);

async function reopen(storage: WalStorage, options = {}): Promise<WalStorage> {
  await storage.close();
  return open(options);
}

describe('WalStorage keeps what it acknowledged across restarts', () => {
  it('an empty directory opens as a server with no hard state, no snapshot and no log', async () => {
    const storage = await open();
    expect(storage.state()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, entries: [] });
    await storage.close();
  });

  it('hard state, entries of both kinds and a snapshot read back the same after a reopen', async () => {
    let storage = await open();
    await storage.save({ hardState: { term: 2, vote: 'n2', commit: 0 }, entries: [], snapshot: snapshot(0, 0) });
    await storage.save({
      hardState: { term: 3, vote: null, commit: 2 },
      entries: [...entries(1, 2, 3), { term: 3, index: 3, kind: 'config', change: { type: 'add-learner', node: 'n4' } }],
    });
    const before = storage.state();
    storage = await reopen(storage);
    expect(storage.state()).toEqual(before);
    expect(before.snapshot?.meta).toEqual(snapshot(0, 0).meta);
    expect(before.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    await storage.close();
  });

  it('an entry at an index already stored replaces it and everything after it, also on disk', async () => {
    let storage = await open();
    await storage.save({ entries: entries(1, 5, 1) });
    await storage.save({ entries: entries(3, 3, 2, 'new') });
    const expected = [...entries(1, 2, 1), ...entries(3, 3, 2, 'new')];
    expect(storage.state().entries).toEqual(expected);
    storage = await reopen(storage);
    expect(storage.state().entries).toEqual(expected);
    await storage.close();
  });

  it('a snapshot from the leader replaces the whole log', async () => {
    let storage = await open();
    await storage.save({ entries: entries(1, 5, 1) });
    await storage.save({ entries: entries(8, 9, 2), snapshot: snapshot(7, 2) });
    storage = await reopen(storage);
    expect(storage.state().snapshot).toEqual(snapshot(7, 2));
    expect(storage.state().entries).toEqual(entries(8, 9, 2));
    await storage.close();
  });

  it('refuses entries that would leave a gap or reach behind the snapshot, and stores nothing of them', async () => {
    const storage = await open();
    await storage.save({ entries: entries(1, 2, 1) });
    await expect(storage.save({ entries: entries(4, 4, 1) })).rejects.toBeInstanceOf(LogContractError);
    await storage.saveSnapshot(snapshot(2, 1));
    await expect(storage.save({ entries: entries(2, 2, 1) })).rejects.toBeInstanceOf(LogContractError);
    await expect(storage.save({ entries: [...entries(3, 3, 1), ...entries(5, 5, 1)] })).rejects.toBeInstanceOf(LogContractError);
    expect(storage.state().entries).toEqual([]);
    await storage.close();
  });
});

describe('WalStorage group-commits concurrent saves', () => {
  it('many concurrent saves take fewer fsyncs than saves, and each resolves only after an fdatasync of its bytes', async () => {
    const recording = recordingFs();
    const storage = await open({ fs: recording.fs });
    const count = 50;
    const label = (k: number): string => `<save-${String(k).padStart(3, '0')}>`;
    const synced = storage.stats().fsyncs;
    await Promise.all(
      Array.from({ length: count }, (_, k) =>
        storage.save({ entries: [{ term: 1, index: k + 1, kind: 'normal', data: bytes(label(k)) }] }).then(() => {
          recording.events.push({ op: 'mark', label: label(k) });
        }),
      ),
    );
    expect(storage.stats().saves).toBe(count);
    expect(storage.stats().fsyncs - synced).toBeLessThan(count);
    const events = recording.events;
    for (let k = 0; k < count; k++) {
      const needle = Buffer.from(label(k));
      const written = events.findIndex((e) => e.op === 'write' && Buffer.from(e.bytes).includes(needle));
      const resolved = events.findIndex((e) => e.op === 'mark' && e.label === label(k));
      const write = events[written];
      expect(write?.op).toBe('write');
      const synced = events.findIndex((e, i) => i > written && e.op === 'datasync' && write?.op === 'write' && e.path === write.path);
      expect(synced).toBeGreaterThan(written);
      expect(resolved).toBeGreaterThan(synced);
    }
    await storage.close();
  });

  it('saves resolve in the order they were made', async () => {
    const storage = await open();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, k) => storage.save({ entries: entries(k + 1, k + 1, 1) }).then(() => order.push(k))));
    expect(order).toEqual(Array.from({ length: 20 }, (_, k) => k));
    await storage.close();
  });
});

describe('WalStorage segments and snapshots', () => {
  const segmentsIn = async (): Promise<string[]> => (await readdir(join(dir, 'wal'))).sort();
  const snapsIn = async (): Promise<string[]> => (await readdir(join(dir, 'snap'))).sort();

  it('rolls to a new segment, named by sequence and first index, once a segment passes the size limit', async () => {
    const storage = await open({ segmentBytes: 200 });
    for (let i = 1; i <= 30; i++) await storage.save({ entries: entries(i, i, 1) });
    const names = await segmentsIn();
    expect(names.length).toBeGreaterThan(3);
    expect(names[0]).toBe('0000000000000001-0000000000000001.log');
    for (const name of names) expect(name).toMatch(/^\d{16}-\d{16}\.log$/);
    await storage.close();
  });

  it('a snapshot deletes the segments wholly behind it and older snapshots, and the log after it survives a reopen', async () => {
    let storage = await open({ segmentBytes: 200 });
    for (let i = 1; i <= 30; i++) await storage.save({ hardState: { term: 1, vote: 'n1', commit: i }, entries: entries(i, i, 1) });
    await storage.saveSnapshot(snapshot(10, 1));
    const before = await segmentsIn();
    await storage.saveSnapshot(snapshot(20, 1));
    const after = await segmentsIn();
    expect(after.length).toBeLessThan(before.length);
    expect(Number(after[0]?.slice(17, 33))).toBeLessThanOrEqual(21);
    expect(await snapsIn()).toEqual(['0000000000000020-0000000000000001.snap']);
    const expected = { hardState: { term: 1, vote: 'n1', commit: 30 }, snapshot: snapshot(20, 1), entries: entries(21, 30, 1) };
    expect(storage.state()).toEqual(expected);
    storage = await reopen(storage, { segmentBytes: 200 });
    expect(storage.state()).toEqual(expected);
    await storage.close();
  });

  it('a snapshot at or behind the stored one changes nothing', async () => {
    const storage = await open();
    await storage.save({ entries: entries(1, 5, 1) });
    await storage.saveSnapshot(snapshot(4, 1));
    await storage.saveSnapshot(snapshot(3, 1, 'older'));
    expect(storage.state().snapshot).toEqual(snapshot(4, 1));
    expect(storage.state().entries).toEqual(entries(5, 5, 1));
    await storage.close();
  });
});

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageFailedError } from '../../../src/errors.js';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { memoryLogger } from '../../support/memory-log.js';
import { entries, snapshot } from './fixtures.js';
import { manualRetryClock } from './manual-retry-clock.js';
import { recordingFs, tempDir } from './recording-fs.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

/** Whether `p` has settled by the time the queued callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
}

async function reopened(): Promise<ReturnType<WalStorage['state']>> {
  const storage = await WalStorage.open(dir, memoryLogger().log);
  const state = storage.state();
  await storage.close();
  return state;
}

async function activeSegmentSize(): Promise<number> {
  const names = (await readdir(join(dir, 'wal'))).sort();
  return (await stat(join(dir, 'wal', names.at(-1) as string))).size;
}

describe('a transient error is not a failed disk: the batch is written again once it passes', () => {
  it('EMFILE on a write holds the batch and those behind it, retries with doubling back-off, and resumes with every entry durable once', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock });
    await storage.save({ hardState: { term: 1, vote: 'n1', commit: 2 }, entries: entries(1, 3, 1) });
    recording.faults.write = 'EMFILE';
    const held = storage.save({ entries: entries(4, 5, 1) });
    await retry.waiting();
    const behind = storage.save({ entries: entries(6, 6, 1) });
    expect(storage.condition()).toMatchObject({ kind: 'retrying', code: 'EMFILE', attempts: 1, nextInMs: 100 });
    retry.release();
    await retry.waiting();
    expect(storage.condition()).toMatchObject({ kind: 'retrying', code: 'EMFILE', attempts: 2, nextInMs: 200 });
    expect(await settled(held)).toBe(false);
    expect(await settled(behind)).toBe(false);
    expect(storage.state().entries).toEqual(entries(1, 3, 1));

    delete recording.faults.write;
    retry.release();
    await held;
    await behind;
    expect(storage.condition()).toEqual({ kind: 'ok' });
    expect(retry.waits).toEqual([100, 200]);
    expect(storage.stats().retries).toBe(2);
    await storage.close();
    expect(await reopened()).toEqual({ hardState: { term: 1, vote: 'n1', commit: 2 }, entries: entries(1, 6, 1) });
  });

  it('ENOSPC on fdatasync (disk full, then freed) rewinds the segment, so the batch is on disk exactly once after it passes', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock });
    await storage.save({ entries: entries(1, 2, 1) });
    const before = await activeSegmentSize();
    recording.faults.datasync = 'ENOSPC';
    const held = storage.save({ hardState: { term: 2, vote: 'n2', commit: 2 }, entries: entries(3, 4, 2) });
    for (let attempt = 1; attempt <= 7; attempt++) {
      await retry.waiting();
      expect(storage.condition()).toMatchObject({ kind: 'retrying', code: 'ENOSPC', attempts: attempt });
      if (attempt < 7) retry.release();
    }
    expect(retry.waits).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    delete recording.faults.datasync;
    retry.release();
    await held;
    const written = recording.events.filter((e) => e.op === 'write').at(-1);
    expect(await activeSegmentSize()).toBe(before + (written?.op === 'write' ? written.bytes.length : NaN));
    await storage.close();
    expect(await reopened()).toEqual({ hardState: { term: 2, vote: 'n2', commit: 2 }, entries: [...entries(1, 2, 1), ...entries(3, 4, 2)] });
  });

  it('EMFILE while writing a snapshot file (and while reopening the segment) postpones the snapshot; it is stored once descriptors are back', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock });
    await storage.save({ entries: entries(1, 4, 1) });
    recording.faults.open = 'EMFILE';
    const snapshotted = storage.saveSnapshot(snapshot(3, 1));
    await retry.waiting();
    retry.release();
    await retry.waiting();
    expect(storage.condition()).toMatchObject({ kind: 'retrying', code: 'EMFILE', attempts: 2 });
    delete recording.faults.open;
    retry.release();
    await snapshotted;
    expect(storage.condition()).toEqual({ kind: 'ok' });
    await storage.save({ entries: entries(5, 5, 1) });
    await storage.close();
    expect(await reopened()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: snapshot(3, 1), entries: entries(4, 5, 1) });
    expect((await readdir(join(dir, 'snap'))).sort()).toEqual(['0000000000000003-0000000000000001.snap']);
  });

  it('a segment roll that fails (disk full) leaves no descriptor open however often it is retried', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock, segmentBytes: 256 });
    await storage.save({ entries: entries(1, 8, 1) });
    const before = recording.openFiles();
    recording.faults.datasync = 'ENOSPC';
    const held = storage.save({ entries: entries(9, 16, 1) });
    for (let attempt = 1; attempt <= 5; attempt++) {
      await retry.waiting();
      expect(recording.openFiles()).toBeLessThanOrEqual(before + 1);
      retry.release();
    }
    await retry.waiting();
    delete recording.faults.datasync;
    retry.release();
    await held;
    await storage.close();
    expect(recording.openFiles()).toBe(0);
    expect((await reopened()).entries).toEqual(entries(1, 16, 1));
  });

  it('closing while a batch waits rejects it and what is queued behind it; a reopen finds what was durable', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock });
    await storage.save({ entries: entries(1, 2, 1) });
    recording.faults.write = 'ENOSPC';
    const held = storage.save({ entries: entries(3, 3, 1) });
    await retry.waiting();
    const outcomes = Promise.allSettled([held, storage.save({ entries: entries(4, 4, 1) })]);
    await storage.close();
    for (const outcome of await outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'DINC_STORAGE_FAILED' } });
    expect(await reopened()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, entries: entries(1, 2, 1) });
  });
});

describe('a media error makes the store read-only without harming what is durable', () => {
  it('EIO on write rejects that save with DINC_STORAGE_FAILED at once (no retry), refuses later saves, and keeps serving reads', async () => {
    const recording = recordingFs();
    const retry = manualRetryClock();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs, retryClock: retry.clock });
    await storage.save({ hardState: { term: 1, vote: 'n1', commit: 2 }, entries: entries(1, 3, 1) });
    const durable = storage.state();
    recording.faults.write = 'EIO';
    const failing = storage.save({ entries: entries(4, 4, 1) });
    await expect(failing).rejects.toBeInstanceOf(StorageFailedError);
    await expect(failing).rejects.toThrow('EIO');
    await expect(failing).rejects.toHaveProperty('code', 'DINC_STORAGE_FAILED');
    expect(retry.waits).toEqual([]);
    expect(storage.condition()).toMatchObject({ kind: 'failed' });
    delete recording.faults.write;
    const writes = recording.events.length;
    await expect(storage.save({ entries: entries(4, 4, 1) })).rejects.toBeInstanceOf(StorageFailedError);
    expect(recording.events.length).toBe(writes);
    expect(storage.state()).toEqual(durable);
    await storage.close();
    expect(await reopened()).toEqual(durable);
  });

  it('EIO on fdatasync rejects every save of the batch and those waiting behind it; a restart finds the durable state intact', async () => {
    const recording = recordingFs();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs });
    await storage.save({ entries: entries(1, 2, 1) });
    recording.faults.datasync = 'EIO';
    const outcomes = await Promise.allSettled([3, 4, 5].map((i) => storage.save({ entries: entries(i, i, 1) })));
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'DINC_STORAGE_FAILED' } });
    expect(outcomes.some((o) => o.status === 'rejected' && String(o.reason).includes('EIO'))).toBe(true);
    expect(storage.state().entries).toEqual(entries(1, 2, 1));
    await storage.close();
    expect((await reopened()).entries).toEqual(entries(1, 2, 1));
  });

  it('EROFS while writing a snapshot file rejects it and leaves the stored snapshot and log as they were', async () => {
    const recording = recordingFs();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs });
    await storage.save({ entries: entries(1, 4, 1) });
    recording.faults.write = 'EROFS';
    await expect(storage.saveSnapshot({ meta: { index: 3, term: 1, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array(8) })).rejects.toThrow('EROFS');
    await storage.close();
    expect(await reopened()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, entries: entries(1, 4, 1) });
  });
});

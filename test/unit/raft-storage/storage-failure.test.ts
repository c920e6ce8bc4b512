import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageFailedError } from '../../../src/errors.js';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { memoryLogger } from '../../support/memory-log.js';
import { entries } from './fixtures.js';
import { recordingFs, tempDir } from './recording-fs.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

describe('a failing disk makes the store read-only without harming what is durable', () => {
  it('ENOSPC on write rejects that save with DINC_STORAGE_FAILED, refuses later saves at once, and keeps serving reads', async () => {
    const recording = recordingFs();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs });
    await storage.save({ hardState: { term: 1, vote: 'n1', commit: 2 }, entries: entries(1, 3, 1) });
    const durable = storage.state();
    recording.faults.write = 'ENOSPC';
    const failing = storage.save({ entries: entries(4, 4, 1) });
    await expect(failing).rejects.toBeInstanceOf(StorageFailedError);
    await expect(failing).rejects.toThrow('ENOSPC');
    await expect(failing).rejects.toHaveProperty('code', 'DINC_STORAGE_FAILED');
    delete recording.faults.write;
    const writes = recording.events.length;
    await expect(storage.save({ entries: entries(4, 4, 1) })).rejects.toBeInstanceOf(StorageFailedError);
    expect(recording.events.length).toBe(writes);
    expect(storage.state()).toEqual(durable);
    await storage.close();
    const reopened = await WalStorage.open(dir, memoryLogger().log);
    expect(reopened.state()).toEqual(durable);
    await reopened.close();
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
    const reopened = await WalStorage.open(dir, memoryLogger().log);
    expect(reopened.state().entries).toEqual(entries(1, 2, 1));
    await reopened.close();
  });

  it('ENOSPC while writing a snapshot file rejects it and leaves the stored snapshot and log as they were', async () => {
    const recording = recordingFs();
    const storage = await WalStorage.open(dir, memoryLogger().log, { fs: recording.fs });
    await storage.save({ entries: entries(1, 4, 1) });
    recording.faults.write = 'ENOSPC';
    await expect(storage.saveSnapshot({ meta: { index: 3, term: 1, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array(8) })).rejects.toThrow('ENOSPC');
    await storage.close();
    const reopened = await WalStorage.open(dir, memoryLogger().log);
    expect(reopened.state()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, entries: entries(1, 4, 1) });
    await reopened.close();
  });
});

import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalCorruptError } from '../../../src/errors.js';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { scanRecords } from '../../../src/runtime/raft/wal-record.js';
import { memoryLogger } from '../../support/memory-log.js';
import { entries } from './fixtures.js';
import { tempDir } from './recording-fs.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

/** Stores entries 1..count one save at a time and closes; returns the WAL's segment paths in order. */
async function storeEntries(count: number, segmentBytes?: number): Promise<string[]> {
  const storage = await WalStorage.open(dir, memoryLogger().log, segmentBytes === undefined ? {} : { segmentBytes });
  for (let i = 1; i <= count; i++) await storage.save({ hardState: { term: 1, vote: 'n1', commit: i - 1 }, entries: entries(i, i, 1) });
  await storage.close();
  return (await readdir(join(dir, 'wal'))).sort().map((name) => join(dir, 'wal', name));
}

const lastOf = (paths: readonly string[]): string => paths.at(-1) ?? '';

/** Offset of the record at `position` among a file's records. */
async function recordOffset(path: string, position: number): Promise<number> {
  return scanRecords(new Uint8Array(await readFile(path))).records[position]?.offset ?? -1;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x40;
  await writeFile(path, bytes);
}

describe('recovery cuts off a torn last record', () => {
  it('a last record cut mid-payload is dropped with a warning naming the file and offset, and the rest is kept', async () => {
    const path = lastOf(await storeEntries(5));
    const bytes = new Uint8Array(await readFile(path));
    const lastRecord = scanRecords(bytes).records.at(-1)?.offset;
    await truncate(path, bytes.length - 3);
    const { log, records } = memoryLogger();
    const storage = await WalStorage.open(dir, log);
    expect(storage.state().entries).toEqual(entries(1, 4, 1));
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', file: path, offset: lastRecord }));
    await storage.close();
    const again = await WalStorage.open(dir, memoryLogger().log);
    expect(again.state().entries).toEqual(entries(1, 4, 1));
    await again.close();
  });

  it('a last record with only part of its header is dropped', async () => {
    const path = lastOf(await storeEntries(3));
    await writeFile(path, Buffer.concat([await readFile(path), Buffer.from([7, 0, 0])]));
    const storage = await WalStorage.open(dir, memoryLogger().log);
    expect(storage.state().entries).toEqual(entries(1, 3, 1));
    await storage.close();
  });

  it('a last record with a bad CRC is dropped', async () => {
    const path = lastOf(await storeEntries(3));
    const records = scanRecords(new Uint8Array(await readFile(path))).records;
    await flipByte(path, (records.at(-1)?.offset ?? 0) + 12);
    const storage = await WalStorage.open(dir, memoryLogger().log);
    expect(storage.state().entries).toEqual(entries(1, 2, 1));
    await storage.close();
  });
});

describe('recovery refuses damage before the end (committed data would be lost)', () => {
  it('a flipped byte in a record followed by valid ones refuses with WalCorruptError naming the file and byte offset', async () => {
    const path = lastOf(await storeEntries(6));
    const offset = await recordOffset(path, 4);
    await flipByte(path, offset + 14);
    const opening = WalStorage.open(dir, memoryLogger().log);
    await expect(opening).rejects.toBeInstanceOf(WalCorruptError);
    await expect(opening).rejects.toThrow(`${path} at byte offset ${offset}`);
    await expect(opening).rejects.toHaveProperty('code', 'DINC_WAL_CORRUPT');
  });

  it('a flipped length byte that makes a middle record run past the end still refuses', async () => {
    const path = lastOf(await storeEntries(6));
    const offset = await recordOffset(path, 3);
    await flipByte(path, offset + 2);
    await expect(WalStorage.open(dir, memoryLogger().log)).rejects.toThrow(`${path} at byte offset ${offset}`);
  });

  it('a torn record at the end of a segment that is not the last refuses', async () => {
    const paths = await storeEntries(20, 200);
    const first = paths[0] ?? '';
    expect(paths.length).toBeGreaterThan(1);
    const size = (await readFile(first)).length;
    await truncate(first, size - 2);
    await expect(WalStorage.open(dir, memoryLogger().log)).rejects.toThrow(`${first} at byte offset`);
  });

  it('the refusal leaves the directory unlocked for a repaired start', async () => {
    const path = lastOf(await storeEntries(6));
    await flipByte(path, (await recordOffset(path, 2)) + 14);
    await expect(WalStorage.open(dir, memoryLogger().log)).rejects.toBeInstanceOf(WalCorruptError);
    expect(await readdir(dir)).not.toContain('LOCK');
  });
});

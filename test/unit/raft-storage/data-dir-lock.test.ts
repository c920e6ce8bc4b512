import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../../../src/errors.js';
import { WalStorage } from '../../../src/runtime/raft/wal-storage.js';
import { memoryLogger } from '../../support/memory-log.js';
import { tempDir } from './recording-fs.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

describe('one agent per data directory', () => {
  it('holds a LOCK file with its pid while open and removes it on close', async () => {
    const storage = await WalStorage.open(dir, memoryLogger().log);
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await storage.close();
    await expect(readFile(join(dir, 'LOCK'))).rejects.toHaveProperty('code', 'ENOENT');
  });

  it('a second open while a live process holds the lock refuses with DINC_DATA_DIR_LOCKED naming the pid', async () => {
    const storage = await WalStorage.open(dir, memoryLogger().log);
    const second = WalStorage.open(dir, memoryLogger().log);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toHaveProperty('code', 'DINC_DATA_DIR_LOCKED');
    await expect(second).rejects.toThrow(`process ${process.pid}`);
    await storage.close();
  });

  it('a lock left by a process that is gone is taken over with a warning', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'LOCK'), `${dead}\n`);
    const { log, records } = memoryLogger();
    const storage = await WalStorage.open(dir, log);
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', pid: dead }));
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await storage.close();
  });
});

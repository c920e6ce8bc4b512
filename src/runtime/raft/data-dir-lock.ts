/**
 * One agent per data directory: a `LOCK` file holding the owner's pid,
 * created exclusively. A lock whose pid is no longer running is taken over
 * with a warning; one held by a live process refuses with DataDirLockedError.
 */
import { constants } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirLockedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';

/** Whether a process with `pid` runs (EPERM: it does, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private constructor(readonly path: string) {}

  /** Takes the lock of `dir` for this process. */
  static async acquire(dir: string, log: Logger): Promise<DataDirLock> {
    const path = join(dir, 'LOCK');
    if (await create(path)) return new DataDirLock(path);
    const holder = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
      throw new DataDirLockedError(`${dir} is in use by process ${holder} (${path}); one agent per data directory`);
    }
    log.warn('taking over a stale data directory lock', { path, pid: Number.isNaN(holder) ? null : holder });
    await unlink(path);
    if (await create(path)) return new DataDirLock(path);
    throw new DataDirLockedError(`${dir}: another process took the lock ${path} at the same time`);
  }

  async release(): Promise<void> {
    await unlink(this.path);
  }
}

/** Creates the lock file with this pid; false when it exists. */
async function create(path: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await file.writeFile(`${process.pid}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  return true;
}

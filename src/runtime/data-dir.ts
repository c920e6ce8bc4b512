/** The data directory as a lifecycle part: on start it exists and is writable, or the agent does not start. */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { DataDirError } from '../errors.js';
import type { Part } from './lifecycle.js';

export class DataDir implements Part {
  readonly name = 'data_dir';

  constructor(readonly path: string) {}

  async start(): Promise<void> {
    try {
      await mkdir(this.path, { recursive: true, mode: 0o700 });
      if (!(await stat(this.path)).isDirectory()) throw new Error('not a directory');
      await access(this.path, constants.W_OK);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'not a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw new DataDirError(`[agent] data_dir ${this.path}: ${why}`);
    }
  }

  async stop(): Promise<void> {}
}

/**
 * The file-system calls the Raft storage makes, behind one small interface so
 * that a test can make a write or an fdatasync fail (ENOSPC, EIO) or watch
 * when data became durable.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';

/** An open file, written at explicit positions. */
export interface StorageFile {
  write(bytes: Uint8Array, position: number): Promise<void>;
  /** Makes everything written so far durable (data and the size, not other metadata). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface StorageFs {
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  /** Opens for writing: `create` fails if the file exists; `append` keeps the file as it is. */
  openFile(path: string, mode: 'create' | 'append'): Promise<StorageFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the directory's entries (created, renamed, removed files) durable. */
  syncDir(path: string): Promise<void>;
}

/** The real file system. */
export const nodeStorageFs: StorageFs = {
  mkdir: async (path) => {
    await mkdir(path, { recursive: true, mode: 0o700 });
  },
  readdir: (path) => readdir(path),
  readFile: async (path) => new Uint8Array(await readFile(path)),
  openFile: async (path, mode) => {
    const handle = await open(path, mode === 'create' ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL : constants.O_WRONLY, 0o600);
    return {
      write: async (bytes, position) => {
        let done = 0;
        while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
      },
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  syncDir: async (path) => {
    const dir = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/**
 * A StorageFs over the real one that records every write and fdatasync (and
 * what the test adds to the same list), and fails opens, writes or
 * fdatasyncs with an errno code when told to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StorageFs, nodeStorageFs } from '../../../src/runtime/raft/storage-fs.js';

export type FsEvent = { readonly op: 'write'; readonly path: string; readonly bytes: Uint8Array } | { readonly op: 'datasync'; readonly path: string } | { readonly op: 'mark'; readonly label: string };

export interface RecordingFs {
  readonly fs: StorageFs;
  readonly events: FsEvent[];
  /** Set to make every later open / write / fdatasync fail with this errno code. */
  readonly faults: { open?: string; write?: string; datasync?: string };
  /** Files opened and not closed yet. */
  openFiles(): number;
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected failure`), { code });

export function recordingFs(): RecordingFs {
  const events: FsEvent[] = [];
  const faults: RecordingFs['faults'] = {};
  let open = 0;
  const fs: StorageFs = {
    ...nodeStorageFs,
    openFile: async (path, mode) => {
      if (faults.open !== undefined) throw errno(faults.open);
      const file = await nodeStorageFs.openFile(path, mode);
      open++;
      return {
        ...file,
        close: async () => {
          open--;
          await file.close();
        },
        write: async (bytes, position) => {
          if (faults.write !== undefined) throw errno(faults.write);
          await file.write(bytes, position);
          events.push({ op: 'write', path, bytes: bytes.slice() });
        },
        datasync: async () => {
          if (faults.datasync !== undefined) throw errno(faults.datasync);
          await file.datasync();
          events.push({ op: 'datasync', path });
        },
      };
    },
  };
  return { fs, events, faults, openFiles: () => open };
}

/** A fresh directory under the OS temp dir, and its removal. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'dinc-raft-storage-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

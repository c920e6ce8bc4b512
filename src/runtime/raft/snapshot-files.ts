/**
 * Snapshot files, `snap/<index>-<term>.snap` (16 decimal digits each): one
 * Snapshot record (wal-record.ts) holding meta and data. A file appears whole
 * or not at all: written to `<name>.tmp`, fsynced, renamed, directory fsynced.
 */
import { join } from 'node:path';
import type { Snapshot } from '../../core/raft/types.js';
import { WalCorruptError } from '../../errors.js';
import type { SnapshotPosition } from './log-state.js';
import type { StorageFs } from './storage-fs.js';
import { decodeSnapshot, encodeSnapshot } from './wal-payload.js';
import { RecordType, encodeRecord, readRecordAt } from './wal-record.js';

const PATTERN = /^(\d{16})-(\d{16})\.snap$/;
const pad = (n: number): string => String(n).padStart(16, '0');

export function snapshotFileName(at: SnapshotPosition): string {
  return `${pad(at.index)}-${pad(at.term)}.snap`;
}

/** The snapshot files among `names` (temp files and others ignored), by index. */
export function parseSnapshotNames(names: readonly string[]): (SnapshotPosition & { readonly name: string })[] {
  return names
    .flatMap((name) => {
      const m = PATTERN.exec(name);
      return m ? [{ index: Number(m[1]), term: Number(m[2]), name }] : [];
    })
    .sort((a, b) => a.index - b.index || a.term - b.term);
}

/** Resolves once `snapshot` is durable in `dir` under its name; a temp file left by a failed attempt is replaced. */
export async function writeSnapshotFile(fs: StorageFs, dir: string, snapshot: Snapshot): Promise<void> {
  const path = join(dir, snapshotFileName(snapshot.meta));
  const temp = `${path}.tmp`;
  try {
    await fs.unlink(temp);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const file = await fs.openFile(temp, 'create');
  try {
    await file.write(encodeRecord(RecordType.Snapshot, encodeSnapshot(snapshot)), 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dir);
}

/** Reads the snapshot at `at`; throws WalCorruptError naming the file when it is missing or damaged. */
export async function readSnapshotFile(fs: StorageFs, dir: string, at: SnapshotPosition): Promise<Snapshot> {
  const path = join(dir, snapshotFileName(at));
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new WalCorruptError(`${path}: the WAL names this snapshot but it cannot be read: ${(e as Error).message}`);
  }
  const read = readRecordAt(bytes, 0);
  if (!read.ok) throw new WalCorruptError(`${path} at offset 0: ${read.reason}`);
  if (read.record.type !== RecordType.Snapshot || read.end !== bytes.length) throw new WalCorruptError(`${path} at offset 0: not a single snapshot record`);
  const snapshot = decodeSnapshot(read.record.payload);
  if (snapshot.meta.index !== at.index || snapshot.meta.term !== at.term) {
    throw new WalCorruptError(`${path}: holds the snapshot at index ${snapshot.meta.index} term ${snapshot.meta.term}`);
  }
  return snapshot;
}

/**
 * Recovery of the WAL at start: replays every segment into a LogState. A
 * damaged tail of the last segment (a write the crash cut short) is cut off
 * with a warning; damage anywhere else refuses with WalCorruptError naming the
 * file and byte offset, because the records after it may be committed.
 */
import { join } from 'node:path';
import { WalCorruptError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import { LogState } from './log-state.js';
import { type SegmentName, parseSegmentNames, segmentFileName } from './segment-name.js';
import type { StorageFs } from './storage-fs.js';
import { decodeEntry, decodeHardState, decodeMarker } from './wal-payload.js';
import { RecordType, type WalRecord, scanRecords } from './wal-record.js';

export interface RecoveredWal {
  readonly state: LogState;
  /** The segments on disk, in order, after any torn tail was cut off. */
  readonly segments: readonly SegmentName[];
  /** Bytes of good records in the last segment (0 without segments). */
  readonly lastSegmentBytes: number;
}

export async function recoverWal(fs: StorageFs, walDir: string, log: Logger): Promise<RecoveredWal> {
  const segments = parseSegmentNames(await fs.readdir(walDir));
  const state = new LogState();
  let lastSegmentBytes = 0;
  for (const [i, segment] of segments.entries()) {
    const path = join(walDir, segmentFileName(segment));
    const scan = scanRecords(await fs.readFile(path));
    if (scan.damage !== undefined) {
      const { offset, reason, validDataFollows } = scan.damage;
      if (i < segments.length - 1 || validDataFollows) {
        const where = validDataFollows ? 'valid records follow it' : 'later segments follow it';
        throw new WalCorruptError(`${path} at byte offset ${offset}: ${reason}; ${where}, so committed data would be lost: refusing to start`);
      }
      log.warn('cutting off a torn record at the end of the raft log', { file: path, offset, reason });
      await truncateFile(fs, path, offset);
    }
    for (const record of scan.records) replay(state, record, `${path} at byte offset ${record.offset}`);
    lastSegmentBytes = scan.goodBytes;
  }
  try {
    state.checkComplete();
  } catch (e) {
    throw new WalCorruptError(`${walDir}: ${(e as Error).message}`);
  }
  return { state, segments, lastSegmentBytes };
}

function replay(state: LogState, record: WalRecord, where: string): void {
  try {
    switch (record.type) {
      case RecordType.HardState:
        state.hardState = decodeHardState(record.payload);
        return;
      case RecordType.Entry:
        state.append(decodeEntry(record.payload));
        return;
      case RecordType.SnapshotMarker:
        state.applyMarker(decodeMarker(record.payload));
        return;
      case RecordType.Snapshot:
        throw new Error('a snapshot record does not belong in the WAL');
    }
  } catch (e) {
    throw new WalCorruptError(`${where}: ${(e as Error).message}`);
  }
}

async function truncateFile(fs: StorageFs, path: string, length: number): Promise<void> {
  const file = await fs.openFile(path, 'append');
  try {
    await file.truncate(length);
    await file.datasync();
  } finally {
    await file.close();
  }
}

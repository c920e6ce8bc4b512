/**
 * RaftStorage on a data directory: `LOCK`, `wal/` segments and `snap/` files
 * (format in docs/raft.md, "On disk"). Saves are group-committed: the writes
 * waiting while a batch is on its way to disk go together in the next one,
 * with one write and one fdatasync. A failed write or fsync makes the store
 * read-only: that save and all later ones reject, `state()` keeps answering.
 */
import { join } from 'node:path';
import type { PersistedState, Snapshot } from '../../core/raft/types.js';
import { StorageFailedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import { DataDirLock } from './data-dir-lock.js';
import type { LogState } from './log-state.js';
import { LogContractError } from './log-state.js';
import type { RaftStorage, StorageWrite } from './raft-storage.js';
import { type SegmentName, segmentFileName, segmentsBehind } from './segment-name.js';
import { parseSnapshotNames, readSnapshotFile, snapshotFileName, writeSnapshotFile } from './snapshot-files.js';
import { type StorageFile, type StorageFs, nodeStorageFs } from './storage-fs.js';
import { encodeEntry, encodeHardState, encodeMarker, type SnapshotMarker } from './wal-payload.js';
import { RecordType, encodeRecord } from './wal-record.js';
import { recoverWal } from './wal-recovery.js';

export interface WalStorageOptions {
  /** The file system; tests inject failures through it. Default the real one. */
  readonly fs?: StorageFs;
  /** Size in bytes after which the next batch goes to a new segment. Default 64 MiB. */
  readonly segmentBytes?: number;
}

/** A save waiting for its batch. */
interface PendingWrite {
  readonly bytes: Uint8Array;
  /** A snapshot file to make durable before the batch's records. */
  readonly snapshot?: Snapshot;
  readonly marker?: SnapshotMarker;
  readonly write: StorageWrite;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

interface ActiveSegment {
  readonly name: SegmentName;
  readonly file: StorageFile;
  size: number;
}

export class WalStorage implements RaftStorage {
  private pending: PendingWrite[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private failure: StorageFailedError | undefined;
  private closed = false;
  /** The log once every accepted save is applied: where the next save must fit. */
  private accepted: { hasSnapshot: boolean; snapshotIndex: number; lastIndex: number };
  private saves = 0;
  private fsyncs = 0;

  private constructor(
    private readonly dir: string,
    private readonly fs: StorageFs,
    private readonly segmentBytes: number,
    private readonly lock: DataDirLock,
    private readonly log: LogState,
    private snapshot: Snapshot | undefined,
    private readonly segments: SegmentName[],
    private active: ActiveSegment,
  ) {
    this.accepted = { hasSnapshot: log.snapshot !== undefined, snapshotIndex: log.snapshotIndex, lastIndex: log.lastIndex };
  }

  /** Locks `dir` (created if missing), recovers what is on disk and starts a new segment for the writes to come. */
  static async open(dir: string, logger: Logger, options: WalStorageOptions = {}): Promise<WalStorage> {
    const fs = options.fs ?? nodeStorageFs;
    await fs.mkdir(dir);
    const lock = await DataDirLock.acquire(dir, logger);
    try {
      const walDir = join(dir, 'wal');
      const snapDir = join(dir, 'snap');
      await fs.mkdir(walDir);
      await fs.mkdir(snapDir);
      const recovered = await recoverWal(fs, walDir, logger);
      const position = recovered.state.snapshot;
      const snapshot = position === undefined ? undefined : await readSnapshotFile(fs, snapDir, position);
      await removeSnapshotsExcept(fs, snapDir, position === undefined ? undefined : snapshotFileName(position));
      const segments = [...recovered.segments];
      const last = segments.at(-1);
      if (last !== undefined && recovered.lastSegmentBytes === 0) {
        await fs.unlink(join(walDir, segmentFileName(last)));
        segments.pop();
      }
      const name = { seq: (segments.at(-1)?.seq ?? 0) + 1, firstIndex: recovered.state.lastIndex + 1 };
      const active = await startSegment(fs, walDir, name, recovered.state);
      segments.push(name);
      return new WalStorage(dir, fs, options.segmentBytes ?? 64 * 1024 * 1024, lock, recovered.state, snapshot, segments, active);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  state(): PersistedState {
    const base = { hardState: this.log.hardState, entries: [...this.log.log] };
    return this.snapshot === undefined ? base : { ...base, snapshot: this.snapshot };
  }

  /** Saves asked for and fdatasyncs of the WAL done: fewer fsyncs than saves means batching works. */
  stats(): { readonly saves: number; readonly fsyncs: number } {
    return { saves: this.saves, fsyncs: this.fsyncs };
  }

  save(write: StorageWrite): Promise<void> {
    const records: Uint8Array[] = [];
    if (write.hardState !== undefined) records.push(encodeRecord(RecordType.HardState, encodeHardState(write.hardState)));
    let marker: SnapshotMarker | undefined;
    if (write.snapshot !== undefined) {
      marker = { index: write.snapshot.meta.index, term: write.snapshot.meta.term, mode: 'install' };
      records.push(encodeRecord(RecordType.SnapshotMarker, encodeMarker(marker)));
    }
    for (const entry of write.entries) records.push(encodeRecord(RecordType.Entry, encodeEntry(entry)));
    return this.enqueue(write, concat(records), marker, write.snapshot);
  }

  /** A snapshot at or behind the stored one changes nothing: it resolves once the saves before it are durable. */
  saveSnapshot(snapshot: Snapshot): Promise<void> {
    if (this.accepted.hasSnapshot && snapshot.meta.index <= this.accepted.snapshotIndex) return this.enqueue({ entries: [] }, new Uint8Array(0));
    const marker: SnapshotMarker = { index: snapshot.meta.index, term: snapshot.meta.term, mode: 'compact' };
    return this.enqueue({ entries: [] }, encodeRecord(RecordType.SnapshotMarker, encodeMarker(marker)), marker, snapshot);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drained;
    await this.active.file.close();
    await this.lock.release();
  }

  /** Queues a save for the next batch, synchronously, so that batches keep the order of the calls. */
  private async enqueue(write: StorageWrite, bytes: Uint8Array, marker?: SnapshotMarker, snapshot?: Snapshot): Promise<void> {
    if (this.closed) throw new Error('the raft storage is closed');
    if (this.failure !== undefined) throw this.failure;
    this.accept(write.entries, marker);
    this.saves++;
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes, write, resolve, reject, ...(marker && { marker }), ...(snapshot && { snapshot }) });
      if (!this.draining) {
        this.draining = true;
        this.drained = this.drain();
      }
    });
  }

  /** Checks that a save fits the log as accepted so far, and moves `accepted` past it; throws LogContractError. */
  private accept(entries: StorageWrite['entries'], marker: SnapshotMarker | undefined): void {
    let { snapshotIndex, lastIndex } = this.accepted;
    if (marker?.mode === 'install') [snapshotIndex, lastIndex] = [marker.index, marker.index];
    if (marker?.mode === 'compact') [snapshotIndex, lastIndex] = [Math.max(snapshotIndex, marker.index), Math.max(lastIndex, marker.index)];
    const first = entries[0];
    if (first !== undefined) {
      if (first.index <= snapshotIndex || first.index > lastIndex + 1) {
        throw new LogContractError(`entries from ${first.index} do not fit a log holding ${snapshotIndex + 1}..${lastIndex}`);
      }
      entries.forEach((e, i) => {
        if (e.index !== first.index + i) throw new LogContractError(`entries are not contiguous: ${e.index} follows ${first.index + i - 1}`);
      });
      lastIndex = first.index + entries.length - 1;
    }
    this.accepted = { hasSnapshot: this.accepted.hasSnapshot || marker !== undefined, snapshotIndex, lastIndex };
  }

  /** Commits batches until none is waiting; never rejects. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await this.commit(batch);
    }
    this.draining = false;
  }

  private async commit(batch: readonly PendingWrite[]): Promise<void> {
    const durableSize = this.active.size;
    try {
      for (const w of batch) if (w.snapshot !== undefined) await writeSnapshotFile(this.fs, join(this.dir, 'snap'), w.snapshot);
      const bytes = concat(batch.map((w) => w.bytes));
      if (bytes.length > 0) {
        await this.active.file.write(bytes, this.active.size);
        this.active.size += bytes.length;
        await this.active.file.datasync();
        this.fsyncs++;
      }
    } catch (e) {
      await this.fail(e as Error, durableSize);
      return batch.forEach((w) => w.reject(this.failure as Error));
    }
    for (const w of batch) this.apply(w);
    try {
      if (batch.some((w) => w.snapshot !== undefined)) await this.removeBehindSnapshot();
      if (this.active.size >= this.segmentBytes) await this.roll();
    } catch (e) {
      // The batch is durable all the same; only later saves are refused.
      await this.fail(e as Error, this.active.size);
    }
    batch.forEach((w) => w.resolve());
  }

  private apply(w: PendingWrite): void {
    if (w.write.hardState !== undefined) this.log.hardState = w.write.hardState;
    if (w.marker !== undefined && w.snapshot !== undefined) {
      this.log.applyMarker(w.marker);
      this.snapshot = w.snapshot;
    }
    for (const entry of w.write.entries) this.log.append(entry);
  }

  /** Goes read-only, cutting the segment back to what was durable (best effort: the disk may refuse that too). */
  private async fail(cause: Error, durableSize: number): Promise<void> {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    this.failure = new StorageFailedError(`${this.dir}: writing the raft log failed (${code}: ${cause.message}); the store is read-only until restart`);
    this.pending.splice(0).forEach((w) => w.reject(this.failure as Error));
    await this.active.file.truncate(durableSize).catch(() => undefined);
  }

  private async removeBehindSnapshot(): Promise<void> {
    const walDir = join(this.dir, 'wal');
    for (const segment of segmentsBehind(this.segments, this.log.snapshotIndex)) {
      await this.fs.unlink(join(walDir, segmentFileName(segment)));
      this.segments.splice(this.segments.indexOf(segment), 1);
    }
    await this.fs.syncDir(walDir);
    const position = this.log.snapshot;
    await removeSnapshotsExcept(this.fs, join(this.dir, 'snap'), position === undefined ? undefined : snapshotFileName(position));
  }

  private async roll(): Promise<void> {
    const name = { seq: this.active.name.seq + 1, firstIndex: this.log.lastIndex + 1 };
    const next = await startSegment(this.fs, join(this.dir, 'wal'), name, this.log);
    this.fsyncs++;
    const previous = this.active;
    this.active = next;
    this.segments.push(name);
    await previous.file.close();
  }
}

/** Creates a segment that begins with the hard state and the snapshot position, durable with its directory entry. */
async function startSegment(fs: StorageFs, walDir: string, name: SegmentName, state: LogState): Promise<ActiveSegment> {
  const header = [encodeRecord(RecordType.HardState, encodeHardState(state.hardState))];
  if (state.snapshot !== undefined) header.push(encodeRecord(RecordType.SnapshotMarker, encodeMarker({ ...state.snapshot, mode: 'compact' })));
  const bytes = concat(header);
  const file = await fs.openFile(join(walDir, segmentFileName(name)), 'create');
  await file.write(bytes, 0);
  await file.datasync();
  await fs.syncDir(walDir);
  return { name, file, size: bytes.length };
}

/** Deletes every snapshot file (and leftover temp file) but `keep`. */
async function removeSnapshotsExcept(fs: StorageFs, snapDir: string, keep: string | undefined): Promise<void> {
  const names = await fs.readdir(snapDir);
  const doomed = [...parseSnapshotNames(names).map((s) => s.name), ...names.filter((n) => n.endsWith('.snap.tmp'))].filter((n) => n !== keep);
  for (const name of doomed) await fs.unlink(join(snapDir, name));
  if (doomed.length > 0) await fs.syncDir(snapDir);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * RaftStorage on a data directory: `LOCK`, `wal/` segments and `snap/` files
 * (format in docs/raft.md, "On disk"). Saves are group-committed: the writes
 * waiting while a batch is on its way to disk go together in the next one,
 * with one write and one fdatasync. A batch that meets a transient error
 * (storage-errors.ts: out of descriptors, memory or space) is rewound and
 * written again with back-off until it passes; its saves resolve only then,
 * and the saves behind it wait. Any other error makes the store read-only:
 * that save and all later ones reject, `state()` keeps answering.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PersistedState, Snapshot } from '../../core/raft/types.js';
import { StorageFailedError } from '../../errors.js';
import type { Logger } from '../../ops/log.js';
import { DataDirLock } from './data-dir-lock.js';
import type { LogState } from './log-state.js';
import { LogContractError } from './log-state.js';
import type { RaftStorage, StorageWrite } from './raft-storage.js';
import { type StorageCondition, retryDelayMs } from './storage-condition.js';
import { errorCode, storageErrorKind } from './storage-errors.js';
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
  /** The clock and the wait between attempts after a transient error; tests drive them. Default real time. */
  readonly retryClock?: RetryClock;
}

/** Time for the retries: `now` in ms, and a wait that ends early (rejecting) when `signal` aborts. */
export interface RetryClock {
  now(): number;
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

const realClock: RetryClock = { now: () => performance.now(), wait: (ms, signal) => sleep(ms, undefined, { signal }) };

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
  file: StorageFile;
  /** Bytes made durable by an fdatasync: where the next batch is written, and where a failed one is cut back to. */
  size: number;
}

/** Stands in for a segment's descriptor between closing it after a failure and opening it again. */
const CLOSED_FILE: StorageFile = {
  write: () => Promise.reject(Object.assign(new Error('the segment is not open'), { code: 'EBADF' })),
  datasync: () => Promise.reject(Object.assign(new Error('the segment is not open'), { code: 'EBADF' })),
  truncate: () => Promise.reject(Object.assign(new Error('the segment is not open'), { code: 'EBADF' })),
  close: () => Promise.resolve(),
};

export class WalStorage implements RaftStorage {
  private pending: PendingWrite[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private failure: StorageFailedError | undefined;
  /** While a batch waits to be written again: its last error, failed attempts, and when the next one is due (on `clock`). */
  private retrying: { readonly code: string; readonly message: string; readonly attempts: number; readonly nextAt: number } | undefined;
  private readonly closing = new AbortController();
  /** Deleting files a snapshot made useless failed transiently: try again after the next batch. */
  private cleanupDue = false;
  private closed = false;
  /** The log once every accepted save is applied: where the next save must fit. */
  private accepted: { hasSnapshot: boolean; snapshotIndex: number; lastIndex: number };
  private saves = 0;
  private fsyncs = 0;
  private retries = 0;

  private constructor(
    private readonly dir: string,
    private readonly fs: StorageFs,
    private readonly logger: Logger,
    private readonly clock: RetryClock,
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
      return new WalStorage(dir, fs, logger, options.retryClock ?? realClock, options.segmentBytes ?? 64 * 1024 * 1024, lock, recovered.state, snapshot, segments, active);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  state(): PersistedState {
    const base = { hardState: this.log.hardState, entries: [...this.log.log] };
    return this.snapshot === undefined ? base : { ...base, snapshot: this.snapshot };
  }

  /** Saves asked for and fdatasyncs of the WAL done (fewer fsyncs than saves means batching works), and attempts at a batch that failed transiently. */
  stats(): { readonly saves: number; readonly fsyncs: number; readonly retries: number } {
    return { saves: this.saves, fsyncs: this.fsyncs, retries: this.retries };
  }

  condition(): StorageCondition {
    if (this.failure !== undefined) return { kind: 'failed', message: this.failure.message };
    if (this.retrying === undefined) return { kind: 'ok' };
    const { code, message, attempts, nextAt } = this.retrying;
    return { kind: 'retrying', code, message, attempts, nextInMs: Math.max(0, nextAt - this.clock.now()) };
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
    this.closing.abort();
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

  /** Writes the batch, again and again while its errors are transient; settles every save of it. */
  private async commit(batch: readonly PendingWrite[]): Promise<void> {
    for (let failed = 0; ; ) {
      const error = await this.attempt(batch, failed > 0);
      if (error === undefined) break;
      failed++;
      if (storageErrorKind(error) === 'media' || this.closed) {
        await this.fail(error);
        return batch.forEach((w) => w.reject(this.failure as Error));
      }
      this.retries++;
      const delay = retryDelayMs(failed);
      this.retrying = { code: errorCode(error), message: (error as Error).message, attempts: failed, nextAt: this.clock.now() + delay };
      if (failed === 1) this.logger.warn(`${this.dir}: writing the raft log failed for now (${errorCode(error)}); retrying with back-off, this member waits meanwhile`, { error: (error as Error).message });
      try {
        await this.clock.wait(delay, this.closing.signal);
      } catch {
        this.retrying = undefined;
        const closed = new StorageFailedError(`${this.dir}: the raft storage closed while retrying a write (${errorCode(error)}); it was not made durable`);
        return [...batch, ...this.pending.splice(0)].forEach((w) => w.reject(closed));
      }
    }
    if (this.retrying !== undefined) {
      this.logger.info(`${this.dir}: the raft log is written again after ${this.retrying.attempts + 1} attempts`, { after: this.retrying.code });
      this.retrying = undefined;
    }
    for (const w of batch) this.apply(w);
    if (this.cleanupDue || batch.some((w) => w.snapshot !== undefined)) await this.cleanUp();
    batch.forEach((w) => w.resolve());
  }

  /**
   * One attempt at a batch: a full segment is rolled first, a retry first cuts
   * the segment back to its durable size through a new descriptor (after a
   * failed fsync the old one's pages are in an unknown state), then the
   * snapshot files and the records are written and fdatasynced. Returns the
   * error, or undefined once the batch is durable.
   */
  private async attempt(batch: readonly PendingWrite[], retry: boolean): Promise<unknown> {
    try {
      if (retry) await this.rewind();
      if (this.active.size >= this.segmentBytes) await this.roll();
      for (const w of batch) if (w.snapshot !== undefined) await writeSnapshotFile(this.fs, join(this.dir, 'snap'), w.snapshot);
      const bytes = concat(batch.map((w) => w.bytes));
      if (bytes.length > 0) {
        await this.active.file.write(bytes, this.active.size);
        await this.active.file.datasync();
        this.active.size += bytes.length;
        this.fsyncs++;
      }
      return undefined;
    } catch (e) {
      return e;
    }
  }

  /** Reopens the active segment and cuts it back to its durable size. */
  private async rewind(): Promise<void> {
    const file = this.active.file;
    this.active.file = CLOSED_FILE;
    await file.close().catch(() => undefined);
    this.active.file = await this.fs.openFile(join(this.dir, 'wal', segmentFileName(this.active.name)), 'append');
    await this.active.file.truncate(this.active.size);
  }

  /** Deletes what the latest snapshot made useless; the batch is durable all the same, so a transient error only postpones this. */
  private async cleanUp(): Promise<void> {
    try {
      await this.removeBehindSnapshot();
      this.cleanupDue = false;
    } catch (e) {
      if (storageErrorKind(e) === 'media') return this.fail(e);
      this.cleanupDue = true;
      this.logger.warn(`${this.dir}: deleting raft log segments behind the snapshot failed for now (${errorCode(e)}); trying again after the next write`);
    }
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
  private async fail(cause: unknown): Promise<void> {
    this.retrying = undefined;
    this.failure = new StorageFailedError(`${this.dir}: writing the raft log failed (${errorCode(cause)}: ${(cause as Error).message}); the store is read-only until restart`);
    this.pending.splice(0).forEach((w) => w.reject(this.failure as Error));
    await this.active.file.truncate(this.active.size).catch(() => undefined);
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

  /**
   * Starts the next segment before a batch that would go past the size limit.
   * Nothing more is written to the full one after an attempt, so a segment
   * left behind by a failed attempt begins with the same hard state and
   * snapshot as the full one ends with; the next attempt replaces it.
   */
  private async roll(): Promise<void> {
    const name = { seq: this.active.name.seq + 1, firstIndex: this.log.lastIndex + 1 };
    const walDir = join(this.dir, 'wal');
    await removeIfPresent(this.fs, join(walDir, segmentFileName(name)));
    const next = await startSegment(this.fs, walDir, name, this.log);
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
  try {
    await file.write(bytes, 0);
    await file.datasync();
    await fs.syncDir(walDir);
  } catch (e) {
    // A roll that fails (full disk) is retried: each attempt must not leave a descriptor open.
    await file.close().catch(() => undefined);
    throw e;
  }
  return { name, file, size: bytes.length };
}

/** Deletes `path` unless it is already absent. */
export async function removeIfPresent(fs: StorageFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (e) {
    if (errorCode(e) !== 'ENOENT') throw e;
  }
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

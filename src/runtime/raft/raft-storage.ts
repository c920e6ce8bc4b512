/** Where a Raft server keeps what must survive a crash: hard state, log entries and snapshots. */
import type { Entry, HardState, PersistedState, Snapshot } from '../../core/raft/types.js';
import type { StorageCondition } from './storage-condition.js';

/** One Ready's worth of writes. */
export interface StorageWrite {
  readonly hardState?: HardState;
  /** Contiguous; an entry at an index already stored replaces it and everything after it. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: it replaces the whole log. */
  readonly snapshot?: Snapshot;
}

export interface RaftStorage {
  /** What is durable now: the state a restart would recover. */
  state(): PersistedState;
  /**
   * Resolves only once the write is durable, however many attempts that
   * takes while errors are transient; rejects when it cannot be (a media
   * error: then every later write does too).
   */
  save(write: StorageWrite): Promise<void>;
  /**
   * Stores the application's own snapshot; the entries it covers are dropped,
   * those after it kept. Resolves once it is durable and the WAL segments and
   * snapshots it makes useless are deleted.
   */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** Whether writes pass, wait on a transient error, or failed for good. */
  condition(): StorageCondition;
  /** Waits for writes in progress, then releases the files and the data directory's lock. */
  close(): Promise<void>;
}

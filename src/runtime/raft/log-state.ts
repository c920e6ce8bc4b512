/**
 * The Raft log as the WAL's records build it up: hard state, the latest
 * snapshot's index and term, and the entries after it. Recovery replays the
 * records into one; the store applies each durable batch to its own.
 */
import type { Entry, HardState } from '../../core/raft/types.js';
import type { SnapshotMarker } from './wal-payload.js';

/** Records that do not make a log (a gap, an entry behind the snapshot); the message says where. */
export class LogContractError extends Error {}

export interface SnapshotPosition {
  readonly index: number;
  readonly term: number;
}

export class LogState {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: SnapshotPosition | undefined;
  private entries: Entry[] = [];

  get snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  get lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshotIndex;
  }

  /** The entries after the snapshot, in index order. */
  get log(): readonly Entry[] {
    return this.entries;
  }

  /**
   * Appends `entry`; one at an index already stored replaces it and everything
   * after it. A replay that starts past deleted segments may begin at any
   * index after the snapshot: `checkComplete` says whether it all joined up.
   */
  append(entry: Entry): void {
    if (entry.index <= this.snapshotIndex) throw new LogContractError(`entry ${entry.index} is behind the snapshot at ${this.snapshotIndex}`);
    const first = this.entries[0];
    if (first !== undefined && entry.index > this.lastIndex + 1) throw new LogContractError(`entry ${entry.index} leaves a gap after ${this.lastIndex}`);
    this.entries.length = first === undefined ? 0 : Math.max(0, entry.index - first.index);
    this.entries.push(entry);
  }

  /** `install` replaces the whole log with the snapshot; `compact` drops only the entries it covers. */
  applyMarker(marker: SnapshotMarker): void {
    if (marker.mode === 'compact' && this.snapshot !== undefined && marker.index <= this.snapshot.index) return;
    this.snapshot = { index: marker.index, term: marker.term };
    this.entries = marker.mode === 'install' ? [] : this.entries.filter((e) => e.index > marker.index);
  }

  /** Throws LogContractError unless the entries start right after the snapshot (at 1 without one). */
  checkComplete(): void {
    const first = this.entries[0];
    if (first !== undefined && first.index !== this.snapshotIndex + 1) {
      throw new LogContractError(`the log starts at ${first.index} but the snapshot ends at ${this.snapshotIndex}`);
    }
  }
}

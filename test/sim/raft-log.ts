/**
 * A server's Raft log as the application stores it: an optional snapshot
 * and the contiguous entries after it. Each simulated server keeps one of
 * what the core has handed out, durable or not, so that the safety checks
 * can read any log.
 */
import type { Entry, Snapshot } from '../../src/core/raft/types.js';

/** A write the core asked for does not fit the log (a gap); the message says where. */
export class LogContractError extends Error {}

export class StoredLog {
  snapshot: Snapshot | undefined;
  private entries: Entry[];

  constructor(snapshot: Snapshot | undefined, entries: readonly Entry[]) {
    this.snapshot = snapshot;
    this.entries = [...entries];
  }

  /** Index of the last entry the snapshot covers (0 without one). */
  get snapshotIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  /** The entry at `index`, or undefined when compacted away or beyond the end. */
  entry(index: number): Entry | undefined {
    return this.entries[index - this.snapshotIndex - 1];
  }

  /** The term at `index`: of the entry, of the snapshot at its index, 0 at index 0; undefined when unknown. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    if (index === this.snapshotIndex) return this.snapshot?.meta.term;
    return this.entry(index)?.term;
  }

  /** Entries from `from` to the end (those still stored). */
  after(from: number): Entry[] {
    return this.entries.slice(Math.max(0, from - this.snapshotIndex - 1));
  }

  /** Appends `entries`; one at an index already stored replaces it and everything after it. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.snapshotIndex || first.index > this.lastIndex + 1) {
      throw new LogContractError(`entries from ${first.index} do not fit a log holding ${this.snapshotIndex + 1}..${this.lastIndex}`);
    }
    entries.forEach((e, i) => {
      if (e.index !== first.index + i) throw new LogContractError(`entries are not contiguous: ${e.index} follows ${first.index + i - 1}`);
    });
    this.entries.length = first.index - this.snapshotIndex - 1;
    this.entries.push(...entries);
  }

  /** Installs a snapshot received from the leader: it replaces the whole log. */
  install(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.entries = [];
  }

  /** Replaces the prefix up to the snapshot's index (the application's own snapshot) and keeps what follows. */
  compact(snapshot: Snapshot): void {
    if (snapshot.meta.index <= this.snapshotIndex) return;
    this.entries = this.after(snapshot.meta.index + 1);
    this.snapshot = snapshot;
  }

  clone(): StoredLog {
    return new StoredLog(this.snapshot, this.entries);
  }
}

/**
 * The in-memory Raft log: a base (the last index and term a snapshot covers),
 * the entries after it, the commit index, and how much of it is on disk
 * (entries after `stable` are the unstable tail still to be persisted).
 */
import type { Entry, PersistedState, SnapshotMeta } from './types.js';

/** Bytes an entry counts for when batching appends (config entries count a small constant). */
export function entrySize(entry: Entry): number {
  return entry.kind === 'normal' ? entry.data.length : 16;
}

export class RaftLog {
  /** Index and term of the snapshot the log starts after; baseTerm null: no snapshot, so no entry is known to match. */
  private baseIndex: number;
  private baseTerm: number | null;
  private entries: Entry[];
  /** Entries up to this index are durable. */
  private stable: number;
  /** Highest index known to be committed. */
  committed: number;

  constructor(persisted: PersistedState) {
    const meta = persisted.snapshot?.meta;
    if (!meta && persisted.entries.length > 0) throw new Error('raft log: entries without a snapshot to start from');
    this.baseIndex = meta?.index ?? 0;
    this.baseTerm = meta?.term ?? null;
    this.entries = [];
    for (const entry of persisted.entries) {
      if (entry.index !== this.baseIndex + this.entries.length + 1) throw new Error(`raft log: persisted entry ${entry.index} is not contiguous`);
      this.entries.push(entry);
    }
    this.stable = this.lastIndex();
    this.committed = Math.min(Math.max(persisted.hardState.commit, this.baseIndex), this.lastIndex());
  }

  /** True once the log starts from a snapshot (a new member has none until the leader sends one). */
  hasBase(): boolean {
    return this.baseTerm !== null;
  }

  /** The index the log starts after (a snapshot covers it and everything before). */
  snapshotIndex(): number {
    return this.baseIndex;
  }

  firstIndex(): number {
    return this.baseIndex + 1;
  }

  lastIndex(): number {
    return this.baseIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term of the entry at `index`, or undefined when it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.baseIndex) return this.baseTerm ?? undefined;
    if (index < this.baseIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.baseIndex - 1]?.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.baseIndex) return undefined;
    return this.entries[index - this.baseIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a log ending in (lastIndex, lastTerm) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [from, to], at most `maxCount` and `maxBytes` (the first always fits). Requires from > snapshotIndex(). */
  slice(from: number, to: number, maxCount = Infinity, maxBytes = Infinity): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = from; i <= Math.min(to, this.lastIndex()) && out.length < maxCount; i++) {
      const entry = this.entry(i);
      if (!entry) break;
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** Appends entries that follow the last one (the leader's own). */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex() + 1) throw new Error(`raft log: append of ${entry.index} after ${this.lastIndex()}`);
      this.entries.push(entry);
    }
  }

  /**
   * A follower's append: if the log matches at (prevIndex, prevTerm), keeps
   * the entries it already has, replaces a conflicting suffix with the new
   * ones and returns the last index the leader's message vouches for (with
   * whether a suffix was cut); otherwise null. Throws if a committed entry
   * would be replaced (see checkCommittedAgree).
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): { lastNew: number; truncated: boolean } | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    this.checkCommittedAgree(entries);
    const conflict = entries.find((e) => e.index > this.baseIndex && !this.matchTerm(e.index, e.term));
    if (!conflict) return { lastNew, truncated: false };
    const truncated = conflict.index <= this.lastIndex();
    this.entries.length = conflict.index - this.baseIndex - 1;
    this.stable = Math.min(this.stable, conflict.index - 1);
    for (const entry of entries) if (entry.index >= conflict.index) this.entries.push(entry);
    return { lastNew, truncated };
  }

  /**
   * Throws if an entry the leader sends contradicts a committed one: the
   * leader of the current term holds every committed entry (§5.4), so this
   * only happens when safety is already broken, never by a network accident.
   */
  checkCommittedAgree(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.index > this.baseIndex && e.index <= this.committed && !this.matchTerm(e.index, e.term)) {
        throw new Error(`raft invariant broken: committed entry ${e.index} (term ${this.term(e.index)}) would be replaced by term ${e.term}`);
      }
    }
  }

  /**
   * The last index at or before `index` whose term is at most `term`, with
   * its term: where a leader and follower may agree, skipping whole terms
   * instead of one entry per round trip (etcd's findConflictByTerm).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = Math.min(index, this.lastIndex()); i > this.baseIndex; i--) {
      const t = this.term(i) ?? 0;
      if (t <= term) return { index: i, term: t };
    }
    return { index: this.baseIndex, term: this.baseTerm ?? 0 };
  }

  commitTo(index: number): boolean {
    const target = Math.min(index, this.lastIndex());
    if (target <= this.committed) return false;
    this.committed = target;
    return true;
  }

  /** The last index persisted (handed out in an advanced Ready, or found on disk). */
  stableIndex(): number {
    return this.stable;
  }

  hasUnstableEntries(): boolean {
    return this.lastIndex() > this.stable;
  }

  /** Entries not yet known to be durable, in index order. */
  unstableEntries(): Entry[] {
    return this.entries.slice(this.stable - this.baseIndex);
  }

  /** The entries up to (index, term) are durable; ignored if the log changed there since. */
  stableTo(index: number, term: number): void {
    if (index > this.stable && this.matchTerm(index, term)) this.stable = index;
  }

  /** Replaces the whole log by a snapshot's base (the follower had nothing that matched it). */
  restore(meta: SnapshotMeta): void {
    this.baseIndex = meta.index;
    this.baseTerm = meta.term;
    this.entries = [];
    this.stable = meta.index;
    this.committed = meta.index;
  }

  /** Drops entries up to `index` (already in a snapshot); requires index <= committed and durable. */
  compact(index: number): void {
    if (index <= this.baseIndex) return;
    if (index > this.committed || index > this.stable) throw new Error(`raft log: cannot compact to ${index} past commit ${this.committed}`);
    this.baseTerm = this.term(index) ?? null;
    this.entries = this.entries.slice(index - this.baseIndex);
    this.baseIndex = index;
  }
}

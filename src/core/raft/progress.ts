/**
 * The leader's view of one follower: how much of the log it has (`match`),
 * what to send next (`next`), and how to send it:
 * - probe: one append at a time until an answer shows where the logs agree;
 * - replicate: stream appends optimistically, at most `capacity` unacknowledged;
 * - snapshot: the follower's next entry is compacted away; a snapshot is on its way.
 */
import { Inflights } from './inflights.js';
import type { Snapshot } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** An outgoing snapshot: the one being sent, the next byte the follower wants, and when a chunk last went out (tick). */
export interface SnapshotTransfer {
  readonly snapshot: Snapshot;
  offset: number;
  sentAt: number;
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Probe state: an append is out and unanswered; cleared by any answer or heartbeat response. */
  probeSent = false;
  readonly inflights: Inflights;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  transfer: SnapshotTransfer | null = null;

  constructor(next: number, maxInflight: number) {
    this.next = Math.max(1, next);
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.next = this.match + 1;
    this.probeSent = false;
    this.transfer = null;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.transfer = null;
    this.inflights.reset();
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.state = 'snapshot';
    this.transfer = { snapshot, offset: 0, sentAt: 0 };
    this.probeSent = false;
    this.inflights.reset();
  }

  /** An acknowledgement up to `index`; returns true if it told something new. */
  maybeUpdate(index: number): boolean {
    const updated = index > this.match;
    if (updated) this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.probeSent = false;
    return updated;
  }

  /**
   * A rejection of the append at `rejected` with `hint`, the highest index
   * that may match. Returns false when it is stale (answers an append that is
   * no longer the one outstanding).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** No more appends may go out until an answer comes. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** Records that an append with entries up to `lastIndex` (none if count is 0) went out. */
  sentEntries(lastIndex: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }
}

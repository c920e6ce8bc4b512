/**
 * Everything a server owes its application between two Readies (messages,
 * reads, a received snapshot), and what it already handed out, so that each
 * Ready carries only what changed and nothing twice.
 */
import type { RaftLog } from './log.js';
import type { FailedRead, HardState, Message, ReadState, Ready, Snapshot } from './types.js';

export type SoftState = NonNullable<Ready['softState']>;

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class Outbox {
  messages: Message[] = [];
  readStates: ReadState[] = [];
  failedReads: FailedRead[] = [];
  /** A snapshot from the leader, installed in the log, not yet handed out for persisting. */
  receivedSnapshot: Snapshot | null = null;
  /** Highest index handed out for applying (by an advanced Ready, or restored from a snapshot). */
  handedOut: number;
  private persistedHardState: HardState;
  private reportedSoftState: SoftState = { leader: null, role: 'follower' };
  private outstanding: Ready | null = null;

  constructor(
    private readonly log: RaftLog,
    persisted: HardState,
  ) {
    this.persistedHardState = persisted;
    this.handedOut = log.snapshotIndex();
  }

  /** True when a Ready would carry something and none is outstanding. */
  hasReady(hardState: HardState, softState: SoftState): boolean {
    if (this.outstanding) return false;
    return (
      !sameHardState(hardState, this.persistedHardState) ||
      !this.sameSoftState(softState) ||
      this.receivedSnapshot !== null ||
      this.log.hasUnstableEntries() ||
      this.messages.length > 0 ||
      this.log.committed >= this.applyFrom() ||
      this.readStates.length > 0 ||
      this.failedReads.length > 0
    );
  }

  take(hardState: HardState, softState: SoftState): Ready {
    if (this.outstanding) throw new Error('raft ready: the previous Ready was not advanced');
    const from = this.applyFrom();
    const ready: Ready = {
      ...(sameHardState(hardState, this.persistedHardState) ? {} : { hardState }),
      ...(this.sameSoftState(softState) ? {} : { softState }),
      ...(this.receivedSnapshot ? { snapshot: this.receivedSnapshot } : {}),
      entries: this.log.unstableEntries(),
      messages: this.messages,
      committed: this.log.committed >= from ? this.log.slice(from, this.log.committed) : [],
      readStates: this.readStates,
      failedReads: this.failedReads,
    };
    this.messages = [];
    this.readStates = [];
    this.failedReads = [];
    this.outstanding = ready;
    return ready;
  }

  /** The outstanding Ready was persisted, sent and applied. */
  advance(ready: Ready): void {
    if (ready !== this.outstanding) throw new Error('raft advance: not the outstanding Ready');
    this.outstanding = null;
    if (ready.hardState) this.persistedHardState = ready.hardState;
    if (ready.softState) this.reportedSoftState = ready.softState;
    if (ready.snapshot) {
      if (this.receivedSnapshot === ready.snapshot) this.receivedSnapshot = null;
      this.handedOut = Math.max(this.handedOut, ready.snapshot.meta.index);
    }
    const lastEntry = ready.entries.at(-1);
    if (lastEntry) this.log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = ready.committed.at(-1);
    if (lastCommitted) this.handedOut = Math.max(this.handedOut, lastCommitted.index);
  }

  /** The first committed index not yet handed out (entries a pending snapshot covers count as handed out). */
  private applyFrom(): number {
    return Math.max(this.handedOut, this.receivedSnapshot?.meta.index ?? 0) + 1;
  }

  private sameSoftState(softState: SoftState): boolean {
    return softState.leader === this.reportedSoftState.leader && softState.role === this.reportedSoftState.role;
  }
}

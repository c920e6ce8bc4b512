/**
 * What a server does only while it leads one term: track every other
 * member's progress, replicate the log (appends, or a snapshot in chunks when
 * the follower's next entry is compacted away), advance the commit index,
 * confirm leadership with heartbeat rounds for reads and leases, check that a
 * quorum is still there, and hand leadership over on request.
 */
import { isMember, isVoter, members } from './conf-change.js';
import type { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum } from './quorum.js';
import { ReadOnly } from './read-only.js';
import type { ReadRequest } from './read-only.js';
import { chunkOf } from './snapshot-transfer.js';
import type { ConfState, Message, NodeId, RaftConfig, Snapshot } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message before the sender stamps its id and term on it. */
export type Outgoing = DistributiveOmit<Message, 'from' | 'term'>;

/** What the leader needs from its server. */
export interface LeaderHost {
  readonly config: RaftConfig;
  readonly log: RaftLog;
  conf(): ConfState;
  /** The snapshot the log starts after: what a follower behind the log's start gets. */
  snapshot(): Snapshot;
  /** Ticks since the server started. */
  now(): number;
  send(message: Outgoing): void;
  /** A read whose leadership check passed: serve it at `read.index`. */
  serveRead(read: ReadRequest): void;
}

export class Leader {
  readonly progress = new Map<NodeId, Progress>();
  private readonly readOnly: ReadOnly;
  /** Reads that arrived before this leader committed an entry of its term; they wait for that. */
  private waitingReads: Omit<ReadRequest, 'index'>[] = [];
  private heartbeatElapsed = 0;
  private quorumElapsed = 0;
  /** The member leadership is being handed to, and for how many ticks. */
  transferee: NodeId | null = null;
  private transferElapsed = 0;
  /** A timeout-now went out this term: its target may win an election past the followers' stickiness, so leases are off. */
  private handedOver = false;

  constructor(
    private readonly host: LeaderHost,
    private readonly id: NodeId,
    readonly term: number,
  ) {
    this.readOnly = new ReadOnly(String(term));
    this.syncMembers();
  }

  /** Gives every member other than this server a progress (new ones start probing at the end of the log), and forgets non-members. */
  syncMembers(): void {
    const conf = this.host.conf();
    for (const id of members(conf)) {
      if (id !== this.id && !this.progress.has(id)) this.progress.set(id, new Progress(this.host.log.lastIndex() + 1, this.host.config.maxInflightAppends));
    }
    for (const id of this.progress.keys()) if (!isMember(conf, id)) this.progress.delete(id);
    if (this.transferee !== null && !isVoter(conf, this.transferee)) this.abortTransfer();
  }

  /** Ticks the heartbeat and quorum clocks; returns false when check-quorum finds no quorum (the server must step down). */
  tick(): boolean {
    const { config } = this.host;
    this.heartbeatElapsed++;
    this.quorumElapsed++;
    if (this.transferee !== null && ++this.transferElapsed >= config.electionTicks) this.abortTransfer();
    if (this.quorumElapsed >= config.electionTicks) {
      this.quorumElapsed = 0;
      if (config.checkQuorum && !hasQuorum(this.host.conf(), (id) => id === this.id || this.progress.get(id)?.recentActive === true)) return false;
      for (const pr of this.progress.values()) pr.recentActive = false;
    }
    if (this.heartbeatElapsed >= config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat([]);
    }
    return true;
  }

  /** Sends every member what it is missing (an empty append carries a new commit index). */
  broadcastAppend(): void {
    for (const id of this.progress.keys()) this.sendAppend(id, true);
  }

  /**
   * Sends `to` the entries after its `next`, or the next snapshot chunk when
   * they are compacted away; nothing while its flow control is paused.
   * Returns true if something was sent.
   */
  sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const { log, config } = this.host;
    const prevIndex = pr.next - 1;
    const prevTerm = log.term(prevIndex);
    if (prevTerm === undefined) {
      pr.becomeSnapshot(this.host.snapshot());
      this.sendSnapshotChunk(to, pr);
      return true;
    }
    const entries = log.slice(pr.next, log.lastIndex(), config.maxEntriesPerAppend, config.maxBytesPerAppend);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.host.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: log.committed });
    pr.sentEntries(prevIndex + entries.length, entries.length);
    return true;
  }

  /** Starts a heartbeat round carrying `reads` and sends its heartbeats. */
  private broadcastHeartbeat(reads: readonly ReadRequest[]): void {
    const now = this.host.now();
    this.readOnly.prune(now - this.host.config.electionTicks);
    const round = this.readOnly.start(now, reads);
    if (isVoter(this.host.conf(), this.id)) this.ackRound(round, this.id);
    for (const [to, pr] of this.progress) {
      this.host.send({ type: 'heartbeat', to, commit: Math.min(pr.match, this.host.log.committed), ctx: round });
    }
  }

  private ackRound(round: string | null, from: NodeId): void {
    const conf = this.host.conf();
    for (const read of this.readOnly.ack(round, from, (acks) => hasQuorum(conf, (id) => acks.has(id)))) this.host.serveRead(read);
  }

  /** Handles an append answer; returns true if the commit index advanced. */
  onAppendResp(m: Extract<Message, { type: 'append-resp' }>): boolean {
    const pr = this.progress.get(m.from);
    const { log } = this.host;
    if (!pr || m.index > log.lastIndex()) return false;
    pr.recentActive = true;
    if (m.reject) {
      if (pr.state === 'snapshot') return false;
      if (m.hintIndex < 0) {
        pr.becomeSnapshot(this.host.snapshot());
        this.sendSnapshotChunk(m.from, pr);
        return false;
      }
      const hint = m.hintTerm > 0 ? log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return false;
    }
    const wasPaused = pr.isPaused();
    const updated = pr.maybeUpdate(m.index);
    // A probe answered exactly at the known match also shows where the logs agree.
    if (!updated && !(pr.state === 'probe' && pr.match === m.index)) return false;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.transfer && pr.match >= pr.transfer.snapshot.meta.index) pr.becomeProbe();
    else if (pr.state === 'replicate') pr.inflights.freeUpTo(m.index);
    const committed = this.maybeCommit();
    if (!committed && wasPaused) this.sendAppend(m.from, true);
    while (this.sendAppend(m.from, false));
    this.maybeSendTimeoutNow(m.from);
    return committed;
  }

  onHeartbeatResp(m: Extract<Message, { type: 'heartbeat-resp' }>): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'snapshot') this.resendStalledChunk(m.from, pr);
    else {
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
      if (pr.match < this.host.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from, true);
    }
    this.ackRound(m.ctx, m.from);
    this.maybeSendTimeoutNow(m.from);
  }

  onSnapshotResp(m: Extract<Message, { type: 'snapshot-resp' }>): void {
    const pr = this.progress.get(m.from);
    const transfer = pr?.transfer;
    if (!pr || !transfer || m.index !== transfer.snapshot.meta.index) return;
    pr.recentActive = true;
    if (m.reject) {
      transfer.offset = 0;
      this.sendSnapshotChunk(m.from, pr);
    } else if (m.offset >= transfer.snapshot.data.length) {
      pr.maybeUpdate(m.index);
      pr.becomeProbe();
      this.sendAppend(m.from, true);
    } else if (m.offset > transfer.offset) {
      transfer.offset = m.offset;
      this.sendSnapshotChunk(m.from, pr);
    }
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const transfer = pr.transfer;
    if (!transfer) return;
    const { snapshot } = transfer;
    const chunk = chunkOf(snapshot, transfer.offset, this.host.config.snapshotChunkBytes);
    transfer.sentAt = this.host.now();
    this.host.send({ type: 'snapshot', to, meta: snapshot.meta, size: snapshot.data.length, offset: transfer.offset, chunk });
  }

  /** A chunk unanswered for half an election timeout was probably lost: send it again. */
  private resendStalledChunk(to: NodeId, pr: Progress): void {
    if (pr.transfer && this.host.now() - pr.transfer.sentAt >= Math.ceil(this.host.config.electionTicks / 2)) this.sendSnapshotChunk(to, pr);
  }

  /**
   * Commits the highest index a quorum of voters holds on disk, but only if it
   * is of this term (§5.4.2, Figure 8): an earlier term's entry commits with
   * it. The leader counts only its own persisted entries, so the runtime may
   * send appends before the leader's own write is durable (thesis §10.2.1).
   * Returns true if the commit index advanced.
   */
  maybeCommit(): boolean {
    const { log, config } = this.host;
    const index = committedIndex(this.host.conf(), (id) => (id === this.id ? log.stableIndex() : (this.progress.get(id)?.match ?? 0)));
    if (index <= log.committed) return false;
    if (log.term(index) !== this.term && config.unsafeCommitPreviousTerm !== true) return false;
    return log.commitTo(index);
  }

  /** True once an entry of this leader's term is committed: only then is its commit index current (§6.4). */
  committedInTerm(): boolean {
    return this.host.log.term(this.host.log.committed) === this.term;
  }

  /** After the commit index advanced: release the reads that waited for it and tell the followers. */
  onCommit(): void {
    if (this.waitingReads.length > 0 && this.committedInTerm()) {
      const reads = this.waitingReads;
      this.waitingReads = [];
      for (const read of reads) this.requestRead(read);
    }
    this.broadcastAppend();
  }

  /**
   * A read at the current commit index, served once leadership is confirmed:
   * at once under a valid lease, else after a heartbeat round a quorum
   * answered. Waits while no entry of this term is committed yet.
   */
  requestRead(read: Omit<ReadRequest, 'index'>): void {
    if (!this.committedInTerm()) {
      this.waitingReads.push(read);
      return;
    }
    const request: ReadRequest = { ...read, index: this.host.log.committed };
    if (this.host.config.leaseReads && this.holdsLease()) this.host.serveRead(request);
    else this.broadcastHeartbeat([request]);
  }

  /**
   * True while a quorum answered a heartbeat sent less than an election
   * timeout ago: those followers refuse votes for an election timeout after
   * hearing the leader, so no other leader can have been elected since,
   * provided the servers' clocks advance at nearly the same rate (bounded
   * drift). Never after this leader told someone to campaign.
   */
  holdsLease(): boolean {
    return !this.handedOver && this.host.now() < this.readOnly.leaseStart() + this.host.config.electionTicks;
  }

  /** Every read still waiting, removed (the server is stepping down). */
  drainReads(): Omit<ReadRequest, 'index'>[] {
    const reads: Omit<ReadRequest, 'index'>[] = [...this.waitingReads, ...this.readOnly.drain()];
    this.waitingReads = [];
    return reads;
  }

  /** Starts handing leadership to `to`: it is brought up to date, then told to campaign at once. */
  startTransfer(to: NodeId): void {
    this.transferee = to;
    this.transferElapsed = 0;
    if (!this.maybeSendTimeoutNow(to)) this.sendAppend(to, true);
  }

  abortTransfer(): void {
    this.transferee = null;
    this.transferElapsed = 0;
  }

  private maybeSendTimeoutNow(to: NodeId): boolean {
    if (to !== this.transferee || this.progress.get(to)?.match !== this.host.log.lastIndex()) return false;
    this.handedOver = true;
    this.host.send({ type: 'timeout-now', to });
    return true;
  }

  /** The lowest snapshot index being sent to a follower: it will want the entries after it next (Infinity if none). */
  snapshotFloor(): number {
    let floor = Infinity;
    for (const pr of this.progress.values()) if (pr.transfer) floor = Math.min(floor, pr.transfer.snapshot.meta.index);
    return floor;
  }

  /** The voter (other than this server) with the most of the log, to hand over to when stepping down. */
  bestSuccessor(): NodeId | null {
    let best: NodeId | null = null;
    let bestMatch = -1;
    for (const id of this.host.conf().voters) {
      const match = this.progress.get(id)?.match ?? -1;
      if (id !== this.id && match > bestMatch) [best, bestMatch] = [id, match];
    }
    return best;
  }
}
